/*
 * copy_from_user and friends on the current task's host address space:
 * process_vm_readv/writev in bulk, /proc/PID/mem where a page is mapped but
 * not writable (the kernel writing into a guest's read-only page, as when a
 * signal frame or ELF segment is patched). A bad address is -EFAULT.
 */
#include <umk/sched.h>
#include <umk/uaccess.h>
#include <ptrace_user.h>
#include <stub.h>
#include <os.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/uio.h>

/* Reject ranges outside user space or touching the stub. */
static bool range_ok(unsigned long addr, size_t n)
{
	if (n == 0)
		return true;
	if (addr + n < addr || addr + n > TASK_SIZE_MAX)
		return false;
	return addr + n <= STUB_START || addr >= STUB_END;
}

static int mm_pid(struct mm_struct *mm)
{
	return mm ? mm->host_pid : -1;
}

int copy_from_user(void *dst, struct uptr src, size_t n)
{
	if (!range_ok(src.addr, n))
		return -EFAULT;
	if (n == 0)
		return 0;
	return os_vm_read(mm_pid(current->mm), src.addr, dst, n) == (long)n ?
	       0 : -EFAULT;
}

int copy_to_user(struct uptr dst, const void *src, size_t n)
{
	if (!range_ok(dst.addr, n))
		return -EFAULT;
	if (n == 0)
		return 0;
	return os_vm_write(mm_pid(current->mm), dst.addr, src, n) == (long)n ?
	       0 : -EFAULT;
}

long copy_iov_to_user(struct uptr dst, const struct iovec *iov, int n,
		      size_t len)
{
	long got;

	if (!range_ok(dst.addr, len))
		return -EFAULT;
	if (len == 0)
		return 0;
	got = os_vm_writev(mm_pid(current->mm), dst.addr, iov, n, len);
	return got > 0 ? got : -EFAULT;
}

int clear_user(struct uptr dst, size_t n)
{
	static const char zeros[4096];

	while (n) {
		size_t chunk = min(n, sizeof(zeros));

		if (copy_to_user(dst, zeros, chunk))
			return -EFAULT;
		dst = uptr_add(dst, chunk);
		n -= chunk;
	}
	return 0;
}

int copy_struct_from_user(void *dst, size_t ksize, struct uptr src,
			  size_t usize)
{
	size_t size = min(ksize, usize);

	if (usize > ksize) {
		/* The caller bounds usize; the tail is read in chunks. */
		struct uptr tail = uptr_add(src, ksize);
		size_t left = usize - ksize;
		char buf[256];

		while (left) {
			size_t chunk = min(left, sizeof(buf));

			if (copy_from_user(buf, tail, chunk))
				return -EFAULT;
			for (size_t i = 0; i < chunk; i++)
				if (buf[i])
					return -E2BIG;
			tail = uptr_add(tail, chunk);
			left -= chunk;
		}
	}
	memset((char *)dst + size, 0, ksize - size);
	return copy_from_user(dst, src, size) ? -EFAULT : 0;
}

long strncpy_from_user(char *dst, struct uptr src, size_t n)
{
	size_t done = 0;

	while (done < n) {
		/* Read up to the end of the page, so an unmapped next page
		 * does not fault a string that ends before it. */
		size_t chunk = PAGE_SIZE - ((src.addr + done) & (PAGE_SIZE - 1));
		char *nul;
		long got;

		chunk = min(chunk, n - done);
		if (!range_ok(src.addr + done, chunk))
			return -EFAULT;
		got = os_vm_read(mm_pid(current->mm), src.addr + done,
				 dst + done, chunk);
		if (got <= 0)
			return -EFAULT;
		nul = memchr(dst + done, 0, got);
		if (nul)
			return nul - dst;
		done += got;
	}
	return -ENAMETOOLONG;
}

static char *do_getname(struct uptr filename, bool empty_ok)
{
	char *buf = kmalloc(PATH_MAX);
	long len;

	if (!buf)
		return ERR_PTR(-ENOMEM);
	len = strncpy_from_user(buf, filename, PATH_MAX);
	if (len < 0) {
		kfree(buf);
		return ERR_PTR(len);
	}
	if (len == 0 && !empty_ok) {
		kfree(buf);
		return ERR_PTR(-ENOENT);
	}
	return buf;
}

char *getname(struct uptr filename) { return do_getname(filename, false); }
char *getname_empty(struct uptr filename) { return do_getname(filename, true); }

static int mm_memfd(struct mm_struct *mm)
{
	if (mm->mem_fd < 0)
		mm->mem_fd = os_open_mem(mm->host_pid);
	return mm->mem_fd;
}

long access_remote_vm(struct mm_struct *mm, unsigned long addr, void *buf,
		      size_t len, bool write)
{
	long n;

	if (!mm || mm->host_pid <= 0)
		return -ESRCH;
	if (!range_ok(addr, len))
		return -EFAULT;
	n = write ? os_vm_write(mm->host_pid, addr, buf, len)
		  : os_vm_read(mm->host_pid, addr, buf, len);
	if (n >= 0 || mm_memfd(mm) < 0)
		return n;
	return write ? os_mem_write(mm->mem_fd, addr, buf, len)
		     : os_mem_read(mm->mem_fd, addr, buf, len);
}

long access_remote_vm_noforce(struct mm_struct *mm, unsigned long addr,
			      void *buf, size_t len, bool write)
{
	if (!mm || mm->host_pid <= 0)
		return -ESRCH;
	if (!range_ok(addr, len))
		return -EFAULT;
	return write ? os_vm_write(mm->host_pid, addr, buf, len)
		     : os_vm_read(mm->host_pid, addr, buf, len);
}

void mm_drop_mem_fd(struct mm_struct *mm)
{
	if (mm->mem_fd >= 0)
		os_close(mm->mem_fd);
	mm->mem_fd = -1;
}

int stub_page_write(struct mm_struct *mm, unsigned long addr, const void *src,
		    size_t n)
{
	if (addr < STUB_DATA || addr + n > STUB_DATA + STUB_DATA_SIZE ||
	    addr + n < addr)
		return -EFAULT;
	if (mm_memfd(mm) < 0)
		return -EFAULT;
	return os_mem_write(mm->mem_fd, addr, src, n) == (long)n ? 0 : -EFAULT;
}

int copy_to_user_stack(struct uptr dst, const void *src, size_t n)
{
	unsigned long low = ALIGN_DOWN(dst.addr, 16);

	if (copy_to_user(dst, src, n) == 0)
		return 0;
	/* clock_gettime writes 16 bytes at low in the task's own context,
	 * where a fault below the stack mapping grows it. */
	if (!range_ok(low, 16) ||
	    host_syscall(current, SYS_clock_gettime, CLOCK_MONOTONIC, low,
			 0, 0, 0, 0) < 0)
		return -EFAULT;
	return copy_to_user(dst, src, n);
}

int copy_to_user_force(struct mm_struct *mm, unsigned long addr,
		       const void *src, size_t n)
{
	if (!range_ok(addr, n))
		return -EFAULT;
	if (os_vm_write(mm->host_pid, addr, src, n) == (long)n)
		return 0;
	if (mm_memfd(mm) < 0)
		return -EFAULT;
	return os_mem_write(mm->mem_fd, addr, src, n) == (long)n ? 0 : -EFAULT;
}
