/*
 * Extended attributes and POSIX ACLs. The VFS (kernel/fs/xattr.c) checks
 * names, namespaces, permissions and sizes; a filesystem stores name/value
 * blobs through three inode operations (fs.h) and says which namespaces
 * it holds in sb->s_xattr. POSIX ACLs (kernel/fs/posix_acl.c) are the
 * values of system.posix_acl_access / system.posix_acl_default in Linux's
 * xattr format; the VFS parses them for permission checks, chmod and new
 * inodes. Semantics: Linux fs/xattr.c, fs/posix_acl.c, xattr(7), acl(5).
 */
#ifndef UMK_XATTR_H
#define UMK_XATTR_H

#include <umk/fs.h>

#define XATTR_CREATE	0x1	/* set: fail with -EEXIST if present */
#define XATTR_REPLACE	0x2	/* set: fail with -ENODATA if absent */
#define XATTR_NAME_MAX	255	/* bytes of a name, prefix included */
#define XATTR_SIZE_MAX	65536	/* bytes of one value */
#define XATTR_LIST_MAX	65536	/* bytes of a listxattr result */

/* Namespaces a filesystem holds (sb->s_xattr bits). */
#define XATTR_NS_USER		0x1	/* "user." */
#define XATTR_NS_TRUSTED	0x2	/* "trusted." */
#define XATTR_NS_SECURITY	0x4	/* "security." */
#define XATTR_NS_POSIX_ACL	0x8	/* system.posix_acl_{access,default} */
#define XATTR_NS_ALL		0xf

#define XATTR_NAME_ACL_ACCESS	"system.posix_acl_access"
#define XATTR_NAME_ACL_DEFAULT	"system.posix_acl_default"

/* acl(5) entry tags and the xattr format's version. */
#define ACL_USER_OBJ	0x01
#define ACL_USER	0x02
#define ACL_GROUP_OBJ	0x04
#define ACL_GROUP	0x08
#define ACL_MASK	0x10
#define ACL_OTHER	0x20
#define ACL_UNDEFINED_ID ((uint32_t)-1)
#define POSIX_ACL_XATTR_VERSION 2
#define POSIX_ACL_MAX_ENTRIES	1024	/* more cannot fit XATTR_SIZE_MAX */

struct posix_acl_entry {
	uint16_t e_tag;
	uint16_t e_perm;		/* 4 read, 2 write, 1 execute */
	uint32_t e_id;			/* uid / gid for ACL_USER / ACL_GROUP */
};

/* A parsed ACL, entries in canonical order (posix_acl_valid). */
struct posix_acl {
	unsigned int a_count;
	struct posix_acl_entry a_entries[];
};

/* --- posix_acl.c --- */

/*
 * Parse an ACL in Linux's xattr format (header version 2, then 8-byte
 * entries). *res gets a kmalloc'ed ACL, or NULL for an empty value.
 * -EINVAL (bad size, bad tag, perm bits, order or missing entries as
 * posix_acl_valid), -EOPNOTSUPP (version), -ENOMEM.
 */
int posix_acl_from_xattr(const void *value, size_t size,
			 struct posix_acl **res);
/* Bytes acl takes in xattr format; with buf (of that size) write it,
 * ids of the *_OBJ, MASK and OTHER entries as ACL_UNDEFINED_ID. */
size_t posix_acl_to_xattr(const struct posix_acl *acl, void *buf);
/*
 * The ACL check of inode_permission for a caller that is not the owner
 * and when the inode's group class bits are not 0 (Linux
 * acl_permission_check): 0 (granted), -EACCES, or -EAGAIN when the inode
 * has no access ACL (the caller then uses the mode bits). mask MAY_*.
 */
int check_acl(struct inode *inode, int mask);
/*
 * Store (acl) or remove (NULL) the access (access) or default ACL of
 * dentry's inode
 * after the caller's checks; an access ACL equivalent to the mode bits is
 * removed instead, and the mode follows the ACL (Linux
 * posix_acl_update_mode, set-group-ID dropped for a caller outside the
 * group). 0 or -errno of the filesystem.
 */
int posix_acl_set(struct dentry *dentry, bool access, struct posix_acl *acl);
/* Forget the cached access ACL of inode (it changed, or inode dies). */
void forget_cached_acl(struct inode *inode);
/*
 * After a chmod of inode: rewrite its access ACL's USER_OBJ, MASK (or
 * GROUP_OBJ without a mask) and OTHER entries from the new mode, as Linux
 * posix_acl_chmod. 0 or -errno.
 */
int posix_acl_chmod(struct inode *inode);
/*
 * Before creating an inode of *mode in dir: with a default ACL on dir,
 * the new mode comes from it (not the umask) and *acl / *dacl get the
 * ACLs to store on the new inode (kfree them); without one, *mode loses
 * the umask bits and both are NULL. Linux posix_acl_create. 0 or -ENOMEM.
 */
int posix_acl_create(struct inode *dir, mode_t *mode, struct posix_acl **acl,
		     struct posix_acl **dacl);
/* Store the ACLs posix_acl_create gave on the new inode, then free them. */
void posix_acl_init_new(struct inode *inode, struct posix_acl *acl,
			struct posix_acl *dacl);

/* --- simple_xattr.c: attributes kept in memory (tmpfs) --- */

/* The attributes of one inode, sorted by name; ACL names first. */
struct simple_xattrs {
	struct list_head list;
};
static inline void simple_xattrs_init(struct simple_xattrs *x)
{
	INIT_LIST_HEAD(&x->list);
}
/* As inode_operations getxattr and listxattr. */
ssize_t simple_xattr_get(struct simple_xattrs *x, const char *name,
			 void *value, size_t size);
ssize_t simple_xattr_list(struct simple_xattrs *x, char *list, size_t size);
/*
 * As inode_operations setxattr. *ispace is the space left for attributes
 * that are not ACLs: each costs 40 + name length + value size (Linux
 * simple_xattr_space), -ENOSPC when it would go below 0; freed space goes
 * back to it.
 */
int simple_xattr_set(struct simple_xattrs *x, const char *name,
		     const void *value, size_t size, int flags,
		     uint64_t *ispace);
/* Free every attribute, giving the space back to *ispace. */
void simple_xattrs_free(struct simple_xattrs *x, uint64_t *ispace);

/* --- xattr.c --- */

/* Kernel-side getxattr/setxattr of a full name on inode, without the
 * permission checks (the caller made them). As the inode operations. */
ssize_t vfs_getxattr_raw(struct inode *inode, const char *name, void *value,
			 size_t size);
int vfs_setxattr_raw(struct inode *inode, const char *name, const void *value,
		     size_t size, int flags);

#endif
