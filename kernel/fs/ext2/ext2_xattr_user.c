/*
 * ext2/ext3/ext4, host side: extended attributes on libext2fs (its
 * ext2fs_xattrs_* handle API: in-inode and EA-block attributes; POSIX ACL
 * values converted between Linux's xattr format and ext4's disk format by
 * the library itself). Callers hold the superblock's s_lock.
 * Semantics: Linux fs/ext4/xattr.c (ext4_xattr_get, ext4_xattr_set,
 * ext4_listxattr).
 */
#include <string.h>
#include "ext2_host.h"

bool ext2_host_has_xattr(const struct ext2_host *h)
{
	return ext2fs_has_feature_xattr(h->fs->super);
}

/* Open and read inode ino's attributes: 0 and *xh, or -errno. */
static int xattrs_open(struct ext2_host *h, uint32_t ino,
		       struct ext2_xattr_handle **xh)
{
	errcode_t err = ext2fs_xattrs_open(h->fs, ino, xh);

	if (err == EXT2_ET_MISSING_EA_FEATURE)
		return -EOPNOTSUPP;
	if (err)
		return ext2_errno(h, "ext2fs_xattrs_open", err);
	err = ext2fs_xattrs_read(*xh);
	if (err) {
		ext2fs_xattrs_close(xh);
		return ext2_errno(h, "ext2fs_xattrs_read", err);
	}
	return 0;
}

ssize_t ext2_host_getxattr(struct ext2_host *h, uint32_t ino,
			   const char *name, void *buf, size_t size)
{
	struct ext2_xattr_handle *xh;
	void *value = NULL;
	size_t len = 0;
	errcode_t eerr;
	ssize_t ret;

	ret = xattrs_open(h, ino, &xh);
	if (ret)
		return ret;
	eerr = ext2fs_xattr_get(xh, name, &value, &len);
	if (eerr == EXT2_ET_EA_KEY_NOT_FOUND)
		ret = -ENODATA;
	else if (eerr)
		ret = ext2_errno(h, "ext2fs_xattr_get", eerr);
	else if (size && len > size)
		ret = -ERANGE;
	else {
		if (size)
			memcpy(buf, value, len);
		ret = len;
	}
	if (value)
		ext2fs_free_mem(&value);
	ext2fs_xattrs_close(&xh);
	return ret;
}

/* Is name present in xh? */
static bool xattr_present(struct ext2_xattr_handle *xh, const char *name)
{
	void *value = NULL;
	size_t len;

	if (ext2fs_xattr_get(xh, name, &value, &len))
		return false;
	ext2fs_free_mem(&value);
	return true;
}

/* ctime of ino = now, after its attributes changed (ext4 does it too). */
static int touch_ctime(struct ext2_host *h, uint32_t ino,
		       const struct ext2_time *now)
{
	struct ext2_ibuf b;
	int err = ext2_iget_raw(h, ino, &b);

	if (err)
		return err;
	ext2_set_times(h, &b, NULL, NULL, now);
	return ext2_iput_raw(h, ino, &b);
}

int ext2_host_setxattr(struct ext2_host *h, uint32_t ino, const char *name,
		       const void *value, size_t size, int flags,
		       const struct ext2_time *now)
{
	struct ext2_xattr_handle *xh;
	errcode_t eerr;
	bool present;
	int err = ext2_want_write(h);

	if (!err)
		err = xattrs_open(h, ino, &xh);
	if (err)
		return err;
	present = xattr_present(xh, name);
	if (present && (flags & EXT2_XATTR_CREATE))
		err = -EEXIST;
	else if (!present && (!value || (flags & EXT2_XATTR_REPLACE)))
		err = -ENODATA;
	if (err)
		goto out_close;
	if (value)
		eerr = ext2fs_xattr_set(xh, name, value, size);
	else
		eerr = ext2fs_xattr_remove(xh, name);
	err = ext2_errno(h, value ? "ext2fs_xattr_set" : "ext2fs_xattr_remove",
			 eerr);
out_close:
	ext2fs_xattrs_close(&xh);
	if (!err)
		err = touch_ctime(h, ino, now);
	return err;
}

/* Names the VFS may see: not system.data (inline data) and the like. */
static bool listable(const char *name)
{
	return !strncmp(name, "user.", 5) || !strncmp(name, "trusted.", 8) ||
	       !strncmp(name, "security.", 9) ||
	       !strcmp(name, "system.posix_acl_access") ||
	       !strcmp(name, "system.posix_acl_default");
}

struct list_ctx {
	char *buf;
	size_t size, len;
	int err;
};

static int list_one(char *name, char *value, size_t value_len, void *data)
{
	struct list_ctx *c = data;
	size_t n = strlen(name) + 1;

	if (!listable(name))
		return 0;
	if (c->size && c->len + n > c->size) {
		c->err = -ERANGE;
		return XATTR_ABORT;
	}
	if (c->size)
		memcpy(c->buf + c->len, name, n);
	c->len += n;
	return 0;
}

ssize_t ext2_host_listxattr(struct ext2_host *h, uint32_t ino, char *buf,
			    size_t size)
{
	struct list_ctx c = { .buf = buf, .size = size };
	struct ext2_xattr_handle *xh;
	errcode_t eerr;
	int err;

	err = xattrs_open(h, ino, &xh);
	if (err)
		return err == -EOPNOTSUPP ? 0 : err;
	eerr = ext2fs_xattrs_iterate(xh, list_one, &c);
	ext2fs_xattrs_close(&xh);
	if (c.err)
		return c.err;
	if (eerr)
		return ext2_errno(h, "ext2fs_xattrs_iterate", eerr);
	return c.len;
}
