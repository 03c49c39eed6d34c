/*
 * The file descriptor table (Linux fs/file.c): fd -> struct file with its
 * close-on-exec bit, shared by CLONE_FILES tasks, copied by fork, bounded
 * by RLIMIT_NOFILE. dup, dup2, dup3.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/filelock.h>
#include <string.h>

#define NR_OPEN_MAX (1 << 20)

struct files_struct *alloc_files(void)
{
	struct files_struct *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->count = 1;
	return f;
}

static int expand_files(struct files_struct *files, int nr)
{
	int want = files->max_fds ? files->max_fds : 64;
	struct fdtable_entry *n;

	while (want <= nr)
		want *= 2;
	if (want <= files->max_fds)
		return 0;
	n = krealloc(files->fd, want * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + files->max_fds, 0, (want - files->max_fds) * sizeof(*n));
	files->fd = n;
	files->max_fds = want;
	return 0;
}

struct file *fget(int fd)
{
	struct files_struct *files = current->files;

	if (fd < 0 || fd >= files->max_fds || !files->fd[fd].file)
		return NULL;
	return get_file(files->fd[fd].file);
}

/* The file at fd without a new reference (caller must not sleep with it). */
struct file *fcheck(int fd)
{
	struct files_struct *files = current->files;

	if (fd < 0 || fd >= files->max_fds)
		return NULL;
	return files->fd[fd].file;
}

static unsigned long nofile_limit(void)
{
	return min(current->signal->rlim[RLIMIT_NOFILE].rlim_cur,
		   (rlim_t)NR_OPEN_MAX);
}

int get_unused_fd_install(struct file *file, int minfd, bool cloexec)
{
	struct files_struct *files = current->files;
	unsigned long limit = nofile_limit();

	for (int fd = minfd; (unsigned long)fd < limit; fd++) {
		if (fd >= files->max_fds && expand_files(files, fd) < 0)
			break;
		if (!files->fd[fd].file) {
			files->fd[fd].file = file;
			files->fd[fd].cloexec = cloexec;
			return fd;
		}
	}
	fput(file);
	return -EMFILE;
}

int replace_fd(int fd, struct file *file, bool cloexec)
{
	struct files_struct *files = current->files;
	struct file *old;

	if (fd < 0 || (unsigned long)fd >= nofile_limit()) {
		fput(file);
		return -EBADF;
	}
	if (expand_files(files, fd) < 0) {
		fput(file);
		return -ENOMEM;
	}
	old = files->fd[fd].file;
	files->fd[fd].file = file;
	files->fd[fd].cloexec = cloexec;
	if (old)
		filp_close(old, files);
	return fd;
}

int close_fd(int fd)
{
	struct files_struct *files = current->files;
	struct file *f;

	if (fd < 0 || fd >= files->max_fds || !files->fd[fd].file)
		return -EBADF;
	f = files->fd[fd].file;
	files->fd[fd].file = NULL;
	files->fd[fd].cloexec = false;
	filp_close(f, files);
	return 0;
}

struct files_struct *dup_fd(struct files_struct *old)
{
	struct files_struct *n = alloc_files();

	if (!n)
		return NULL;
	if (old->max_fds && expand_files(n, old->max_fds - 1) < 0) {
		kfree(n);
		return NULL;
	}
	for (int i = 0; i < old->max_fds; i++) {
		n->fd[i] = old->fd[i];
		if (n->fd[i].file)
			get_file(n->fd[i].file);
	}
	return n;
}

void put_files_struct(struct files_struct *files)
{
	if (--files->count > 0)
		return;
	for (int i = 0; i < files->max_fds; i++)
		if (files->fd[i].file)
			filp_close(files->fd[i].file, files);
	kfree(files->fd);
	kfree(files);
}

void do_close_on_exec(struct files_struct *files)
{
	for (int i = 0; i < files->max_fds; i++) {
		if (files->fd[i].file && files->fd[i].cloexec) {
			struct file *f = files->fd[i].file;

			files->fd[i].file = NULL;
			files->fd[i].cloexec = false;
			filp_close(f, files);
		}
	}
}

/* FD_CLOEXEC of fd: 0/1, or -EBADF. */
int get_close_on_exec(int fd)
{
	struct files_struct *files = current->files;

	if (!fcheck(fd))
		return -EBADF;
	return files->fd[fd].cloexec;
}

int set_close_on_exec(int fd, bool on)
{
	struct files_struct *files = current->files;

	if (!fcheck(fd))
		return -EBADF;
	files->fd[fd].cloexec = on;
	return 0;
}

SYSCALL_DEFINE1(dup, unsigned int, fd)
{
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	return get_unused_fd_install(f, 0, false);
}

SYSCALL_DEFINE3(dup3, unsigned int, oldfd, unsigned int, newfd, int, flags)
{
	struct file *f;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if ((unsigned long)newfd >= nofile_limit())
		return -EBADF;
	f = fget(oldfd);
	if (!f)
		return -EBADF;
	return replace_fd(newfd, f, flags & O_CLOEXEC);
}

SYSCALL_DEFINE2(dup2, unsigned int, oldfd, unsigned int, newfd)
{
	if (oldfd == newfd)
		return fcheck(oldfd) ? (long)newfd : -EBADF;
	return sys_dup3(oldfd, newfd, 0);
}
