/*
 * ubd, host side: opens and checks the host image files and moves their
 * bytes with os_pread/os_pwrite/os_fdatasync. Only this half of the driver
 * touches libc's file API (fstat, flock, strerror); the kernel side
 * (ubd_kern.c) sees -errno values. Model: UML arch/um/drivers/ubd_user.c
 * and the open/lock checks of ubd_kern.c's ubd_open_dev.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <os.h>
#include "ubd_user.h"

/* The one error line ubd_open_all promises, with an optional hint. */
static void report(int n, const char *path, int err, const char *hint)
{
	fprintf(stderr, "umk: ubd%d: cannot open %s: %s%s\n", n, path,
		strerror(err), hint ? hint : "");
}

/* Opening read-write was refused: say how to ask for read-only. */
static void report_rw(int n, const char *path, int err)
{
	fprintf(stderr, "umk: ubd%d: cannot open %s read-write: %s "
		"(use ubd%dr=%s to open it read-only)\n", n, path,
		strerror(err), n, path);
}

/* -EINVAL unless st is a regular file or block device; -EISDIR for a dir. */
static int check_type(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode))
		return -EINVAL;
	return 0;
}

/*
 * Lock the image as UML does (os_lock_file): shared when read-only, else
 * exclusive, so two umk instances never write one image. 0 or -EBUSY.
 */
static int lock_image(int fd, bool readonly)
{
	int op = (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB;

	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			return -EBUSY;
		return 0;	/* no flock on this host filesystem: go on */
	}
	return 0;
}

int ubd_user_open(int n, const char *path, bool readonly, uint64_t *size)
{
	struct stat st;
	long long bytes;
	int fd, err;

	fd = os_open(path, readonly ? O_RDONLY : O_RDWR, 0);
	if (fd < 0) {
		if (!readonly && (fd == -EACCES || fd == -EROFS) &&
		    access(path, R_OK) == 0)
			report_rw(n, path, -fd);
		else
			report(n, path, -fd, NULL);
		return fd;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out_close;
	}
	err = check_type(&st);
	if (err) {
		report(n, path, -err, err == -EINVAL ?
		       " (not a regular file or block device)" : NULL);
		os_close(fd);
		return err;
	}
	bytes = os_file_size(fd);
	if (bytes < 0) {
		err = bytes;
		goto out_close;
	}
	*size = (uint64_t)bytes & ~511ULL;
	if (!*size) {
		report(n, path, EINVAL, " (image is empty or shorter than 512 bytes)");
		os_close(fd);
		return -EINVAL;
	}
	err = lock_image(fd, readonly);
	if (err) {
		report(n, path, EBUSY, " (locked by another umk)");
		os_close(fd);
		return err;
	}
	return fd;

out_close:
	report(n, path, -err, NULL);
	os_close(fd);
	return err;
}

void ubd_user_close(int fd)
{
	os_close(fd);
}

int ubd_user_read(int fd, void *buf, size_t len, uint64_t off)
{
	long n = os_pread(fd, buf, len, off);

	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -EIO;
}

int ubd_user_write(int fd, const void *buf, size_t len, uint64_t off)
{
	long n = os_pwrite(fd, buf, len, off);

	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -EIO;
}

int ubd_user_flush(int fd)
{
	return os_fdatasync(fd);
}
