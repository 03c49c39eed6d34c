/*
 * The wall between the ubd driver's kernel side (ubd_kern.c) and its host
 * side (ubd_user.c): opening, checking and doing I/O on the host image
 * files. Every function returns a value or -errno. Model: UML
 * arch/um/drivers/ubd_user.c.
 */
#ifndef UBD_USER_H
#define UBD_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Open the host image path of device n (read-only when readonly), check it
 * is a non-empty regular file or block device, take UML's lock on it
 * (shared for read-only, exclusive otherwise) and return the fd, with its
 * size in bytes (rounded down to 512) in *size. Nothing is written.
 * On failure one line "umk: ubdN: cannot open PATH: REASON" goes to stderr
 * and the result is -errno: -ENOENT, -EACCES/-EROFS (a read-only file
 * opened read-write: never downgraded), -EISDIR, -EINVAL (not a file or
 * block device, or empty), -EBUSY (locked by another umk), ...
 */
int ubd_user_open(int n, const char *path, bool readonly, uint64_t *size);
/* Close an fd from ubd_user_open (drops the lock). */
void ubd_user_close(int fd);
/* Move exactly len bytes at byte offset off. 0, or -errno; a host file
 * that ends early is -EIO. */
int ubd_user_read(int fd, void *buf, size_t len, uint64_t off);
int ubd_user_write(int fd, const void *buf, size_t len, uint64_t off);
/* fdatasync the host file: 0 or -errno. */
int ubd_user_flush(int fd);

#endif
