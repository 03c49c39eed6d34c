/*
 * /proc/PID/mem: a process's memory at file offset = address, read and
 * written through pages the process itself could not touch too (FOLL_FORCE,
 * as a debugger's breakpoints need). Opening needs ptrace access to the
 * process (PTRACE_MODE_ATTACH_FSCREDS); the stub's pages stay out of reach
 * (access_remote_vm refuses them). Model: Linux fs/proc/base.c mem_rw.
 * Unlike Linux, the open file follows the pid, not the address space it
 * had at open: after an execve it reads the new image.
 */
#include <umk/fs.h>
#include <umk/ptrace.h>
#include <umk/uaccess.h>
#include "internal.h"

#define MEM_CHUNK	PAGE_SIZE

/* The task the file was opened on, if it still has an address space
 * the opener may reach. */
static struct task *mem_task(struct file *file)
{
	struct proc_inode *pi = PROC_I(file->f_inode);
	struct task *t = proc_find_task(pi->pid);

	if (!t || !task_alive(t) || !t->mm)
		return NULL;
	return t;
}

static int mem_open(struct inode *inode, struct file *file)
{
	struct task *t = proc_find_task(PROC_I(inode)->pid);

	if (!t || !task_alive(t))
		return -ESRCH;
	if (!ptrace_may_access(t, PTRACE_MODE_ATTACH | PTRACE_MODE_FSCREDS))
		return -EACCES;
	return 0;
}

/* Move len bytes at address *pos; the bytes moved, or -EIO if the
 * first page cannot be reached (0 once the process is gone). */
static ssize_t mem_rw(struct file *file, char *buf, size_t len, loff_t *pos,
		      bool write)
{
	unsigned long addr = *pos;
	struct task *t = mem_task(file);
	ssize_t done = 0;

	if (!t)
		return 0;
	while (len) {
		size_t n = min(len, MEM_CHUNK - (addr & (MEM_CHUNK - 1)));
		long got = access_remote_vm(t->mm, addr, buf + done, n, write);

		if (got <= 0) {
			if (!done)
				done = -EIO;
			break;
		}
		done += got;
		addr += got;
		len -= got;
		if ((size_t)got < n)
			break;
	}
	if (done > 0)
		*pos = addr;
	return done;
}

static ssize_t mem_read(struct file *file, char *buf, size_t len, loff_t *pos)
{
	return mem_rw(file, buf, len, pos, false);
}

static ssize_t mem_write(struct file *file, const char *buf, size_t len,
			 loff_t *pos)
{
	return mem_rw(file, (char *)buf, len, pos, true);
}

/* SEEK_SET and SEEK_CUR only: an address has no end to seek from. */
static loff_t mem_lseek(struct file *file, loff_t off, int whence)
{
	switch (whence) {
	case SEEK_SET:
		file->f_pos = off;
		break;
	case SEEK_CUR:
		file->f_pos += off;
		break;
	default:
		return -EINVAL;
	}
	return file->f_pos;
}

const struct file_operations proc_mem_operations = {
	.open = mem_open,
	.read = mem_read,
	.write = mem_write,
	.llseek = mem_lseek,
};
