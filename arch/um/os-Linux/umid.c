/*
 * The instance's directory on the host, as UML arch/um/os-Linux/umid.c:
 * UML_DIR/UMID/ (UML_DIR defaults to ~/.uml) holds `pid` and the mconsole
 * socket, so `uml_mconsole UMID ...` finds the instance. The directory is
 * made 0700: only umk's host user can reach what is inside. A directory
 * whose pid is dead (an instance that was killed) is cleaned and reused,
 * as UML's not_dead_yet does. Everything is removed at exit through fds
 * kept open, so the cleanup needs no path lookup.
 */
#include <mconsole.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static char umid_dir[4096];		/* UML_DIR/UMID */
static char umid_name[256];
static int parent_fd = -1;		/* UML_DIR */
static int dir_fd = -1;			/* UML_DIR/UMID */

/* mkdir that accepts an existing directory. */
static int make_dir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* The pid recorded in dir/pid, or 0 if none can be read. */
static int recorded_pid(int dfd)
{
	char buf[32] = "";
	int fd = openat(dfd, "pid", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return atoi(buf);
}

/* An existing UML_DIR/UMID: in use by a live process (-EADDRINUSE), or
 * stale, then emptied of what an instance leaves and removed. */
static int reclaim(int pfd, const char *umid, int *holder)
{
	int dfd = openat(pfd, umid, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			 O_NOFOLLOW);
	int pid;

	if (dfd < 0)
		return -errno;
	pid = recorded_pid(dfd);
	if (pid > 0 && pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM)) {
		close(dfd);
		*holder = pid;
		return -EADDRINUSE;
	}
	unlinkat(dfd, "pid", 0);
	unlinkat(dfd, "mconsole", 0);
	close(dfd);
	return unlinkat(pfd, umid, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int write_pid(int dfd)
{
	char buf[32];
	int fd, len, err = 0;

	fd = openat(dfd, "pid", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (write(fd, buf, len) != len)
		err = -EIO;
	close(fd);
	return err;
}

int os_umid_setup(const char *uml_dir, const char *umid, int *holder,
		  const char **dir_path)
{
	char base[4096];
	const char *home = getenv("HOME");
	int err;

	if (uml_dir)
		snprintf(base, sizeof(base), "%s", uml_dir);
	else if (home && *home)
		snprintf(base, sizeof(base), "%s/.uml", home);
	else
		snprintf(base, sizeof(base), "/tmp/uml");
	if (snprintf(umid_dir, sizeof(umid_dir), "%s/%s", base, umid) >=
	    (int)sizeof(umid_dir) || strlen(umid) >= sizeof(umid_name))
		return -ENAMETOOLONG;
	snprintf(umid_name, sizeof(umid_name), "%s", umid);
	err = make_dir(base, 0700);
	if (err)
		return err;
	parent_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent_fd < 0)
		return -errno;
	if (mkdirat(parent_fd, umid, 0700) < 0) {
		err = errno == EEXIST ? reclaim(parent_fd, umid, holder) : -errno;
		if (!err && mkdirat(parent_fd, umid, 0700) < 0)
			err = -errno;
		if (err)
			goto out_close;
	}
	dir_fd = openat(parent_fd, umid, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			O_NOFOLLOW);
	if (dir_fd < 0) {
		err = -errno;
		goto out_close;
	}
	err = write_pid(dir_fd);
	if (err) {
		os_umid_remove();
		return err;
	}
	*dir_path = umid_dir;
	return 0;
out_close:
	close(parent_fd);
	parent_fd = -1;
	return err;
}

void os_umid_remove(void)
{
	if (dir_fd >= 0) {
		unlinkat(dir_fd, "mconsole", 0);
		unlinkat(dir_fd, "pid", 0);
		close(dir_fd);
		dir_fd = -1;
	}
	if (parent_fd >= 0) {
		unlinkat(parent_fd, umid_name, AT_REMOVEDIR);
		close(parent_fd);
		parent_fd = -1;
	}
}
