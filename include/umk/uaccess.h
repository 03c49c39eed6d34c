/*
 * Guest memory access. A guest address is a struct uptr, never a C pointer:
 * it can only be read or written through these functions, which work on the
 * current task's address space (process_vm_readv/writev, /proc/PID/mem for
 * pages that are not writable) and return -EFAULT for a bad address.
 * Semantics: Linux include/linux/uaccess.h.
 */
#ifndef UMK_UACCESS_H
#define UMK_UACCESS_H

#include <umk/kernel.h>

struct uptr {
	unsigned long addr;
};
#define UPTR(x) ((struct uptr){ .addr = (unsigned long)(x) })
static inline struct uptr uptr_add(struct uptr p, unsigned long n)
{
	return UPTR(p.addr + n);
}
static inline bool uptr_null(struct uptr p) { return p.addr == 0; }

struct mm_struct;

/* Copy n bytes from guest address src of the current task into dst.
 * Returns 0, or -EFAULT if any byte is unmapped or unreadable. */
int copy_from_user(void *dst, struct uptr src, size_t n);
/* Copy n bytes from src to guest address dst of the current task, also into
 * read-only pages (as a kernel write would be refused, see note: only the
 * ELF loader uses copy_to_user_force). Returns 0 or -EFAULT. */
int copy_to_user(struct uptr dst, const void *src, size_t n);
int clear_user(struct uptr dst, size_t n);
/* Copy the n kernel pieces of iov (len bytes in all) to guest address dst
 * of the current task, one after the other, in one host call. Returns the
 * bytes copied (len, or fewer up to the first bad guest page) or -EFAULT
 * when none was. */
struct iovec;
long copy_iov_to_user(struct uptr dst, const struct iovec *iov, int n,
		      size_t len);
/* An extensible struct from the guest (Linux copy_struct_from_user): the
 * guest's usize bytes at src into the kernel's ksize-byte dst; a shorter
 * guest struct is zero-filled, a longer one must be zero past ksize
 * (-E2BIG otherwise). The caller bounds usize. 0, -EFAULT or -E2BIG. */
int copy_struct_from_user(void *dst, size_t ksize, struct uptr src,
			  size_t usize);
/* Copy a NUL-terminated string of at most n bytes (NUL included) from the
 * guest. Returns its length without the NUL, -EFAULT, or -ENAMETOOLONG when
 * no NUL is found within n bytes. */
long strncpy_from_user(char *dst, struct uptr src, size_t n);
/* Copy a guest path name into a fresh PATH_MAX buffer (kfree it). Returns the
 * buffer or ERR_PTR(-EFAULT / -ENAMETOOLONG / -ENOENT for ""). */
char *getname(struct uptr filename);
/* Same for an empty name allowed (AT_EMPTY_PATH): "" is returned as is. */
char *getname_empty(struct uptr filename);

/* The same operations on another address space (procfs cmdline/environ,
 * ptrace-like access): count bytes moved, or -EFAULT/-ESRCH. */
long access_remote_vm(struct mm_struct *mm, unsigned long addr, void *buf,
		      size_t len, bool write);
/* The same without forcing: a page the target could not read (write)
 * itself is -EFAULT (process_vm_readv/writev). */
long access_remote_vm_noforce(struct mm_struct *mm, unsigned long addr,
			      void *buf, size_t len, bool write);
/* Write into a read-only guest page of mm (ELF loading, frame patching). */
int copy_to_user_force(struct mm_struct *mm, unsigned long addr,
		       const void *src, size_t n);
/* copy_to_user below a stack pointer: where the host has not grown the
 * stack's mapping that far yet, a host call made by the task itself at
 * the lowest address grows it (process_vm_writev cannot), then the copy
 * is retried. 0 or -EFAULT. */
int copy_to_user_stack(struct uptr dst, const void *src, size_t n);
/* The kernel writes n bytes at addr of mm's stub request page (read-only
 * in the guest, [STUB_DATA, STUB_DATA + STUB_DATA_SIZE)), through
 * /proc/PID/mem. 0 or -EFAULT. Only the mode engines call it. */
int stub_page_write(struct mm_struct *mm, unsigned long addr, const void *src,
		    size_t n);

#endif
