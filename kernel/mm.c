/*
 * Guest memory management. A guest address space is a host address space,
 * so mmap/munmap/mprotect/mremap/madvise run in the host through the stub,
 * after the kernel checked that the range never touches the stub. brk is
 * emulated above the program's end. A private file mapping is an anonymous
 * mapping filled from the guest file (the host never sees guest files).
 * Semantics: mmap(2), brk(2), Linux mm/mmap.c, mm/mremap.c.
 */
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <umk/fs.h>
#include <umk/mm.h>
#include <mode.h>
#include <stub.h>
#include <os.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define TASK_SIZE 0x7ffffffff000UL

uint64_t totalram_bytes = 256ULL << 20;

uint64_t guest_ram_used(void)
{
	struct task *t;
	uint64_t sum = 0;

	list_for_each_entry(t, &task_list, tasks)
		if (thread_group_leader(t) && t->mm && t->mm->host_pid > 0)
			sum += os_process_rss(t->mm->host_pid);
	return sum;
}

/* Does [addr, addr+len) stay clear of the stub and inside user space? */
static bool range_allowed(unsigned long addr, unsigned long len)
{
	if (addr + len < addr || addr + len > TASK_SIZE)
		return false;
	return addr + len <= STUB_START || addr >= STUB_END;
}

static long host_mm_call(long nr, long a0, long a1, long a2, long a3, long a4,
			 long a5)
{
	return host_syscall(current, nr, a0, a1, a2, a3, a4, a5);
}

long sys_brk(unsigned long brk)
{
	struct mm_struct *mm = current->mm;
	unsigned long newend, oldend = mm->brk_mapped;
	long ret;

	if (brk < mm->start_brk || brk > STUB_START)
		return mm->brk;
	newend = ALIGN_UP(brk, PAGE_SIZE);
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

/* Fill a fresh private mapping at addr from file f at off (MAP_PRIVATE of
 * a file): read through the VFS, write into the guest. */
static long fill_from_file(struct file *f, unsigned long addr, size_t len,
			   loff_t off)
{
	char *buf = kmalloc(65536);
	size_t done = 0;

	if (!buf)
		return -ENOMEM;
	while (done < len) {
		loff_t pos = off + done;
		ssize_t n = kernel_read(f, buf, min(len - done, (size_t)65536), &pos);

		if (n < 0) {
			kfree(buf);
			return n;
		}
		if (n == 0)
			break;
		if (os_vm_write(current->mm->host_pid, addr + done, buf, n) != n) {
			kfree(buf);
			return -EFAULT;
		}
		done += n;
	}
	kfree(buf);
	return 0;
}

long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
	      unsigned long flags, int fd, unsigned long off)
{
	struct file *f = NULL;
	unsigned long type = flags & MAP_TYPE;
	long ret;

	if (!len)
		return -EINVAL;
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN |
		     PROT_GROWSUP | 0x8 /* PROT_SEM */))
		return -EINVAL;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
	    ((addr & (PAGE_SIZE - 1)) || !range_allowed(addr, len)))
		return (addr & (PAGE_SIZE - 1)) ? -EINVAL : -ENOMEM;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fget(fd);
		if (!f)
			return -EBADF;
		ret = -EACCES;
		if (!(f->f_mode & FMODE_READ))
			goto out;
		ret = -ENODEV;
		if (!S_ISREG(f->f_inode->i_mode) && !S_ISBLK(f->f_inode->i_mode))
			goto out;
		if (type != MAP_PRIVATE) {
			/* Shared file mappings need page sharing with the page
			 * cache; not yet. A read-only shared map reads the same
			 * as a private one, so serve that. */
			if (prot & PROT_WRITE)
				goto out;
			if (type == MAP_SHARED_VALIDATE)
				goto out;
		}
	}
	ret = host_mm_call(SYS_mmap, addr, len, f ? prot | PROT_WRITE : prot,
			   f ? ((flags & ~MAP_TYPE) | MAP_PRIVATE | MAP_ANONYMOUS) :
			   flags, -1, 0);
	if (ret < 0)
		goto out;
	if (!range_allowed(ret, len)) {
		host_mm_call(SYS_munmap, ret, len, 0, 0, 0, 0);
		ret = -ENOMEM;
		goto out;
	}
	if (f) {
		long err = fill_from_file(f, ret, len, off);

		if (!err && !(prot & PROT_WRITE))
			err = host_mm_call(SYS_mprotect, ret, len, prot, 0, 0, 0);
		if (err) {
			host_mm_call(SYS_munmap, ret, len, 0, 0, 0, 0);
			ret = err;
		}
	}
out:
	if (f)
		fput(f);
	return ret;
}

long sys_munmap(unsigned long addr, unsigned long len)
{
	if ((addr & (PAGE_SIZE - 1)) || !len)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!range_allowed(addr, len))
		return -EINVAL;
	return host_mm_call(SYS_munmap, addr, len, 0, 0, 0, 0);
}

long sys_mprotect(unsigned long addr, unsigned long len, unsigned long prot)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!range_allowed(addr, len))
		return -ENOMEM;
	return host_mm_call(SYS_mprotect, addr, len, prot, 0, 0, 0);
}

long sys_mremap(unsigned long addr, unsigned long old_len,
		unsigned long new_len, unsigned long flags, unsigned long new_addr)
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
	ret = host_mm_call(SYS_mremap, addr, old_len, new_len, flags, new_addr, 0);
	if (ret >= 0 && !range_allowed(ret, ALIGN_UP(new_len, PAGE_SIZE))) {
		/* The host moved it next to the stub: impossible by layout,
		 * but never let a guest mapping cover the stub. */
		host_mm_call(SYS_munmap, ret, new_len, 0, 0, 0, 0);
		return -ENOMEM;
	}
	return ret;
}

long sys_madvise(unsigned long addr, size_t len, int advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!range_allowed(addr, ALIGN_UP(len, PAGE_SIZE)))
		return -ENOMEM;
	return host_mm_call(SYS_madvise, addr, len, advice, 0, 0, 0);
}

long sys_msync(unsigned long addr, size_t len, int flags)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (!range_allowed(addr, ALIGN_UP(len, PAGE_SIZE)))
		return -ENOMEM;
	return host_mm_call(SYS_msync, addr, len, flags, 0, 0, 0);
}

long sys_mlock(unsigned long addr, size_t len)
{
	if (!range_allowed(ALIGN_DOWN(addr, PAGE_SIZE), ALIGN_UP(len, PAGE_SIZE)))
		return -ENOMEM;
	return host_mm_call(SYS_mlock, addr, len, 0, 0, 0, 0);
}

long sys_munlock(unsigned long addr, size_t len)
{
	if (!range_allowed(ALIGN_DOWN(addr, PAGE_SIZE), ALIGN_UP(len, PAGE_SIZE)))
		return -ENOMEM;
	return host_mm_call(SYS_munlock, addr, len, 0, 0, 0, 0);
}
