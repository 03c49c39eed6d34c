/*
 * Guest memory management. A guest address space is a host address space,
 * so mmap/munmap/mprotect/mremap/madvise run in the host through the stub,
 * after the kernel checked that the range never touches the stub. brk is
 * emulated above the program's end. A file mapping maps the file's page
 * cache (kernel/filemap.c); the host never sees guest files.
 * Semantics: mmap(2), brk(2), Linux mm/mmap.c, mm/mremap.c.
 */
#include <umk/ipc.h>
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/oom.h>
#include <mode.h>
#include <umk/filemap.h>
#include <stub.h>
#include <os.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* Does [addr, addr+len) stay clear of the stub and inside user space? */
static bool range_allowed(unsigned long addr, unsigned long len)
{
	if (addr + len < addr || addr + len > TASK_SIZE_MAX)
		return false;
	return addr + len <= STUB_START || addr >= STUB_END;
}

bool guest_range_allowed(unsigned long addr, unsigned long len)
{
	return range_allowed(addr, len);
}

static long host_mm_call(long nr, long a0, long a1, long a2, long a3, long a4,
			 long a5)
{
	return host_syscall(current, nr, a0, a1, a2, a3, a4, a5);
}

SYSCALL_DEFINE1(brk, unsigned long, brk)
{
	struct mm_struct *mm = current->mm;
	unsigned long newend, oldend = mm->brk_mapped;
	long ret;

	if (brk < mm->start_brk || brk > STUB_START)
		return mm->brk;
	newend = ALIGN_UP(brk, PAGE_SIZE);
	if (newend > oldend && (vm_enough_memory(newend - oldend) ||
				may_expand_vm(newend - oldend)))
		return mm->brk;
	if (newend > oldend) {
		ret = host_mm_call(SYS_mmap, oldend, newend - oldend,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				   -1, 0);
		if (ret < 0)
			return mm->brk;
	} else if (newend < oldend) {
		ret = host_mm_call(SYS_munmap, newend, oldend - newend, 0, 0, 0, 0);
		if (ret < 0)
			return mm->brk;
	}
	mm->brk_mapped = newend;
	mm->brk = brk;
	return brk;
}

/* Linux's accounting of a new mapping (mm/mmap.c accountable_mapping):
 * private writable and shared anonymous ones count against memory unless
 * MAP_NORESERVE; every one against RLIMIT_AS. 0 or -ENOMEM. */
static long mmap_check_limits(unsigned long len, unsigned long prot,
			      unsigned long flags)
{
	bool shared_anon = (flags & MAP_ANONYMOUS) &&
			   (flags & MAP_TYPE) != MAP_PRIVATE;
	bool private_w = (flags & MAP_TYPE) == MAP_PRIVATE &&
			 (prot & PROT_WRITE);

	if ((shared_anon || private_w) && !(flags & MAP_NORESERVE) &&
	    vm_enough_memory(len))
		return -ENOMEM;
	return may_expand_vm(len);
}

/* Flags every mmap implementation takes (Linux include/linux/mman.h
 * LEGACY_MAP_MASK): MAP_SHARED_VALIDATE refuses any other, MAP_SHARED
 * and MAP_PRIVATE ignore the others. No umk file supports more (no DAX,
 * so no MAP_SYNC). */
#ifndef MAP_ABOVE4G
#define MAP_ABOVE4G 0x80
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#define MAP_HUGE_2MB_BITS (21UL << MAP_HUGE_SHIFT)
#define MAP_HUGE_1GB_BITS (30UL << MAP_HUGE_SHIFT)
#define LEGACY_MAP_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | \
	MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | \
	MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | \
	MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT | MAP_ABOVE4G | \
	MAP_HUGE_2MB_BITS | MAP_HUGE_1GB_BITS)

/* Can f be mapped at all: a regular file (the page cache) or a device
 * with its own mmap (/dev/zero). */
static bool file_mmap_capable(const struct file *f)
{
	return (f->f_op && f->f_op->mmap) || S_ISREG(f->f_inode->i_mode);
}

/*
 * The checks of a file mapping, in Linux do_mmap's order: the type
 * (-EINVAL), flags MAP_SHARED_VALIDATE does not know (-EOPNOTSUPP), a
 * shared writable mapping of a file not open for writing, a file not open
 * for reading (-EACCES), a file that cannot be mapped (-ENODEV), and
 * MAP_GROWSDOWN (-EINVAL). 0 when the mapping may be made.
 */
static long mmap_file_check(const struct file *f, unsigned long prot,
			    unsigned long flags)
{
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		flags &= LEGACY_MAP_MASK;
		/* fall through */
	case MAP_SHARED_VALIDATE:
		if (flags & ~LEGACY_MAP_MASK)
			return -EOPNOTSUPP;
		if ((prot & PROT_WRITE) && !(f->f_mode & FMODE_WRITE))
			return -EACCES;
		/* fall through */
	case MAP_PRIVATE:
		if (!(f->f_mode & FMODE_READ))
			return -EACCES;
		if (!file_mmap_capable(f))
			return -ENODEV;
		if (flags & MAP_GROWSDOWN)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * mmap(2) after the fd was looked up (f NULL: anonymous), Linux do_mmap's
 * order: length (-EINVAL for 0, -ENOMEM past the address space), a fixed
 * address (-EINVAL unaligned, -ENOMEM outside user space or on the stub),
 * the file's checks or the anonymous type (-EINVAL; a shared one may not
 * grow down), then the memory
 * limits (-ENOMEM). The address mapped, or -errno.
 */
static long do_mmap(struct file *f, unsigned long addr, unsigned long len,
		    unsigned long prot, unsigned long flags, unsigned long off)
{
	unsigned long type = flags & MAP_TYPE;
	long ret;

	if (!len)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len || len > TASK_SIZE_MAX)
		return -ENOMEM;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
	    ((addr & (PAGE_SIZE - 1)) || !range_allowed(addr, len)))
		return (addr & (PAGE_SIZE - 1)) ? -EINVAL : -ENOMEM;
	if (f)
		ret = mmap_file_check(f, prot, flags);
	else if (type == MAP_SHARED)
		ret = (flags & MAP_GROWSDOWN) ? -EINVAL : 0;
	else
		ret = type == MAP_PRIVATE ? 0 : -EINVAL;
	if (ret < 0)
		return ret;
	ret = mmap_check_limits(len, prot, flags);
	if (ret < 0)
		return ret;
	if (f && f->f_op && f->f_op->mmap) {	/* a device: /dev/zero */
		ret = f->f_op->mmap(f, addr, len, prot, flags, off);
	} else if (f) {
		ret = filemap_mmap(f, addr, len, prot, flags, off);
	} else {
		if (flags & MAP_FIXED) {
			filemap_unmap(current->mm, addr, addr + len);
			shm_mm_unmap(current->mm, addr, addr + len);
		}
		ret = host_mm_call(SYS_mmap, addr, len, prot, flags, -1, 0);
	}
	if (ret >= 0 && !range_allowed(ret, len)) {
		filemap_unmap(current->mm, ret, ret + len);
		host_mm_call(SYS_munmap, ret, len, 0, 0, 0, 0);
		ret = -ENOMEM;
	}
	return ret;
}

/* x86-64 sys_mmap and ksys_mmap_pgoff: the offset's alignment, then the
 * fd (-EBADF, O_PATH files included; MAP_HUGETLB on it -EINVAL: umk has
 * no hugetlbfs), before any other check. */
SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len, unsigned long, prot, unsigned long, flags, int, fd, unsigned long, off)
{
	struct file *f = NULL;
	long ret;

	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fget(fd);
		if (f && (f->f_flags & O_PATH)) {
			fput(f);
			f = NULL;
		}
		if (!f)
			return -EBADF;
		if (flags & MAP_HUGETLB) {
			fput(f);
			return -EINVAL;
		}
	}
	ret = do_mmap(f, addr, len, prot, flags, off);
	if (f)
		fput(f);
	return ret;
}

SYSCALL_DEFINE2(munmap, unsigned long, addr, unsigned long, len)
{
	if ((addr & (PAGE_SIZE - 1)) || !len)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!range_allowed(addr, len))
		return -EINVAL;
	filemap_unmap(current->mm, addr, addr + len);
	shm_mm_unmap(current->mm, addr, addr + len);
	return host_mm_call(SYS_munmap, addr, len, 0, 0, 0, 0);
}

SYSCALL_DEFINE3(mprotect, unsigned long, addr, unsigned long, len, unsigned long, prot)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!range_allowed(addr, len))
		return -ENOMEM;
	return host_mm_call(SYS_mprotect, addr, len, prot, 0, 0, 0);
}

SYSCALL_DEFINE5(mremap, unsigned long, addr, unsigned long, old_len, unsigned long, new_len, unsigned long, flags, unsigned long, new_addr)
{
	long ret;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (!range_allowed(addr, ALIGN_UP(old_len, PAGE_SIZE)))
		return -EFAULT;
	if ((flags & MREMAP_FIXED) &&
	    !range_allowed(new_addr, ALIGN_UP(new_len, PAGE_SIZE)))
		return -EINVAL;
	if (!(flags & (MREMAP_MAYMOVE | MREMAP_FIXED)) &&
	    !range_allowed(addr, ALIGN_UP(new_len, PAGE_SIZE)))
		return -ENOMEM;
	if (new_len > old_len && may_expand_vm(new_len - old_len))
		return -ENOMEM;
	ret = host_mm_call(SYS_mremap, addr, old_len, new_len, flags, new_addr, 0);
	if (ret >= 0) {
		filemap_remap(current->mm, addr, ret, ALIGN_UP(new_len, PAGE_SIZE));
		shm_mm_remap(current->mm, addr, ret);
	}
	if (ret >= 0 && !range_allowed(ret, ALIGN_UP(new_len, PAGE_SIZE))) {
		/* The host moved it next to the stub: impossible by layout,
		 * but never let a guest mapping cover the stub. */
		host_mm_call(SYS_munmap, ret, new_len, 0, 0, 0, 0);
		return -ENOMEM;
	}
	return ret;
}

SYSCALL_DEFINE3(madvise, unsigned long, addr, size_t, len, int, advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!range_allowed(addr, ALIGN_UP(len, PAGE_SIZE)))
		return -ENOMEM;
	return host_mm_call(SYS_madvise, addr, len, advice, 0, 0, 0);
}

SYSCALL_DEFINE3(msync, unsigned long, addr, size_t, len, int, flags)
{
	long ret;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (!range_allowed(addr, ALIGN_UP(len, PAGE_SIZE)))
		return -ENOMEM;
	ret = host_mm_call(SYS_msync, addr, len, flags, 0, 0, 0);
	if (ret < 0)
		return ret;
	return filemap_msync(current->mm, addr, addr + ALIGN_UP(len, PAGE_SIZE));
}

SYSCALL_DEFINE2(mlock, unsigned long, addr, size_t, len)
{
	if (!range_allowed(ALIGN_DOWN(addr, PAGE_SIZE), ALIGN_UP(len, PAGE_SIZE)))
		return -ENOMEM;
	return host_mm_call(SYS_mlock, addr, len, 0, 0, 0, 0);
}

SYSCALL_DEFINE2(munlock, unsigned long, addr, size_t, len)
{
	if (!range_allowed(ALIGN_DOWN(addr, PAGE_SIZE), ALIGN_UP(len, PAGE_SIZE)))
		return -ENOMEM;
	return host_mm_call(SYS_munlock, addr, len, 0, 0, 0, 0);
}
