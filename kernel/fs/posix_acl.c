/*
 * POSIX access control lists (acl(5)) on filesystems that hold
 * XATTR_NS_POSIX_ACL: the xattr format parsed and validated, the access
 * check of inode_permission for callers in the group class, the mode an
 * access ACL implies, chmod rewriting the ACL, and inheritance of a
 * directory's default ACL by new inodes. Filesystems store the two ACLs
 * as xattr blobs; the parsed access ACL is cached in the inode.
 * Model: Linux fs/posix_acl.c (posix_acl_valid, posix_acl_permission,
 * posix_acl_equiv_mode, __posix_acl_chmod, posix_acl_create_masq).
 */
#include <umk/fs.h>
#include <umk/xattr.h>
#include <string.h>
#include "internal.h"

#define ACL_PERMS 7

struct acl_xattr_entry {
	uint16_t e_tag, e_perm;
	uint32_t e_id;
};

static bool fs_has_acl(const struct inode *inode)
{
	return inode->i_sb && (inode->i_sb->s_xattr & XATTR_NS_POSIX_ACL);
}

static struct posix_acl *posix_acl_alloc(unsigned int count)
{
	struct posix_acl *acl = kzalloc(sizeof(*acl) +
					count * sizeof(acl->a_entries[0]));

	if (acl)
		acl->a_count = count;
	return acl;
}

static struct posix_acl *posix_acl_clone(const struct posix_acl *acl)
{
	struct posix_acl *c = posix_acl_alloc(acl->a_count);

	if (c)
		memcpy(c->a_entries, acl->a_entries,
		       acl->a_count * sizeof(acl->a_entries[0]));
	return c;
}

/* Linux posix_acl_valid: entries in tag order, each class once, a mask
 * when there are named entries, only rwx bits. 0 or -EINVAL. */
static int posix_acl_valid(const struct posix_acl *acl)
{
	int state = ACL_USER_OBJ;
	bool needs_mask = false;

	for (unsigned int i = 0; i < acl->a_count; i++) {
		const struct posix_acl_entry *pa = &acl->a_entries[i];

		if (pa->e_perm & ~ACL_PERMS)
			return -EINVAL;
		switch (pa->e_tag) {
		case ACL_USER_OBJ:
			if (state != ACL_USER_OBJ)
				return -EINVAL;
			state = ACL_USER;
			break;
		case ACL_USER:
			if (state != ACL_USER)
				return -EINVAL;
			needs_mask = true;
			break;
		case ACL_GROUP_OBJ:
			if (state != ACL_USER)
				return -EINVAL;
			state = ACL_GROUP;
			break;
		case ACL_GROUP:
			if (state != ACL_GROUP)
				return -EINVAL;
			needs_mask = true;
			break;
		case ACL_MASK:
			if (state != ACL_GROUP)
				return -EINVAL;
			state = ACL_OTHER;
			break;
		case ACL_OTHER:
			if (state != ACL_OTHER &&
			    !(state == ACL_GROUP && !needs_mask))
				return -EINVAL;
			state = 0;
			break;
		default:
			return -EINVAL;
		}
	}
	return state == 0 ? 0 : -EINVAL;
}

int posix_acl_from_xattr(const void *value, size_t size,
			 struct posix_acl **res)
{
	const struct acl_xattr_entry *e;
	struct posix_acl *acl;
	uint32_t version;
	size_t count;
	int err;

	*res = NULL;
	if (!value)
		return 0;
	if (size < sizeof(version))
		return -EINVAL;
	memcpy(&version, value, sizeof(version));
	if (version != POSIX_ACL_XATTR_VERSION)
		return -EOPNOTSUPP;
	if ((size - sizeof(version)) % sizeof(*e))
		return -EINVAL;
	count = (size - sizeof(version)) / sizeof(*e);
	if (!count)
		return 0;
	if (count > POSIX_ACL_MAX_ENTRIES)
		return -EINVAL;
	acl = posix_acl_alloc(count);
	if (!acl)
		return -ENOMEM;
	e = (const struct acl_xattr_entry *)((const char *)value +
					     sizeof(version));
	for (size_t i = 0; i < count; i++) {
		struct acl_xattr_entry x;

		memcpy(&x, &e[i], sizeof(x));
		acl->a_entries[i].e_tag = x.e_tag;
		acl->a_entries[i].e_perm = x.e_perm;
		acl->a_entries[i].e_id = ACL_UNDEFINED_ID;
		if (x.e_tag == ACL_USER || x.e_tag == ACL_GROUP) {
			if (x.e_id == ACL_UNDEFINED_ID)
				goto invalid;
			acl->a_entries[i].e_id = x.e_id;
		}
	}
	err = posix_acl_valid(acl);
	if (err)
		goto invalid;
	*res = acl;
	return 0;

invalid:
	kfree(acl);
	return -EINVAL;
}

size_t posix_acl_to_xattr(const struct posix_acl *acl, void *buf)
{
	size_t size = 4 + acl->a_count * sizeof(struct acl_xattr_entry);
	uint32_t version = POSIX_ACL_XATTR_VERSION;
	char *p = buf;

	if (!buf)
		return size;
	memcpy(p, &version, 4);
	p += 4;
	for (unsigned int i = 0; i < acl->a_count; i++) {
		struct acl_xattr_entry x = {
			.e_tag = acl->a_entries[i].e_tag,
			.e_perm = acl->a_entries[i].e_perm,
			.e_id = acl->a_entries[i].e_id,
		};

		memcpy(p, &x, sizeof(x));
		p += sizeof(x);
	}
	return size;
}

/* The stored ACL name of inode, parsed: 0 and *res (NULL: none), -errno. */
static int read_acl(struct inode *inode, const char *name,
		    struct posix_acl **res)
{
	ssize_t len;
	char *raw;
	int err;

	*res = NULL;
	len = vfs_getxattr_raw(inode, name, NULL, 0);
	if (len == -ENODATA)
		return 0;
	if (len < 0)
		return len;
	if (len > XATTR_SIZE_MAX)
		return -EIO;
	raw = kmalloc(len ? len : 1);
	if (!raw)
		return -ENOMEM;
	len = vfs_getxattr_raw(inode, name, raw, len);
	err = len < 0 ? (int)len : posix_acl_from_xattr(raw, len, res);
	kfree(raw);
	return err == -ENODATA ? 0 : err;
}

void forget_cached_acl(struct inode *inode)
{
	kfree(inode->i_acl);
	inode->i_acl = NULL;
	inode->i_acl_cached = false;
}

/* inode's access ACL, from the cache (not a copy): 0 and *res, -errno. */
static int get_access_acl(struct inode *inode, struct posix_acl **res)
{
	int err;

	if (!inode->i_acl_cached) {
		err = read_acl(inode, XATTR_NAME_ACL_ACCESS, &inode->i_acl);
		if (err)
			return err;
		inode->i_acl_cached = true;
	}
	*res = inode->i_acl;
	return 0;
}

/* Linux posix_acl_permission, with the owner already ruled out. */
static int acl_permission(struct inode *inode, const struct posix_acl *acl,
			  int want)
{
	const struct cred *cred = current->cred;
	const struct posix_acl_entry *pa, *end = acl->a_entries + acl->a_count;
	bool found = false;

	for (pa = acl->a_entries; pa < end; pa++) {
		switch (pa->e_tag) {
		case ACL_USER_OBJ:
			if (cred->fsuid == inode->i_uid)
				goto check_perm;
			break;
		case ACL_USER:
			if (pa->e_id == cred->fsuid)
				goto mask;
			break;
		case ACL_GROUP_OBJ:
		case ACL_GROUP: {
			gid_t g = pa->e_tag == ACL_GROUP ? pa->e_id :
							   inode->i_gid;

			if (in_group_p(cred, g)) {
				found = true;
				if ((pa->e_perm & want) == want)
					goto mask;
			}
			break;
		}
		case ACL_MASK:
			break;
		case ACL_OTHER:
			if (found)
				return -EACCES;
			goto check_perm;
		default:
			return -EIO;
		}
	}
	return -EIO;

mask:
	for (const struct posix_acl_entry *m = pa + 1; m < end; m++) {
		if (m->e_tag == ACL_MASK)
			return (m->e_perm & pa->e_perm & want) == want ?
			       0 : -EACCES;
	}
check_perm:
	return (pa->e_perm & want) == want ? 0 : -EACCES;
}

int check_acl(struct inode *inode, int mask)
{
	struct posix_acl *acl;

	if (!fs_has_acl(inode) || !current)
		return -EAGAIN;
	if (get_access_acl(inode, &acl) || !acl)
		return -EAGAIN;
	return acl_permission(inode, acl, mask & (MAY_READ | MAY_WRITE |
						   MAY_EXEC));
}

/* Linux posix_acl_equiv_mode: fold acl into *mode's permission bits;
 * true when the ACL says more than the mode can (named entries, mask). */
static bool posix_acl_equiv_mode(const struct posix_acl *acl, mode_t *mode)
{
	mode_t m = 0;
	bool not_equiv = false;

	for (unsigned int i = 0; i < acl->a_count; i++) {
		const struct posix_acl_entry *pa = &acl->a_entries[i];

		switch (pa->e_tag) {
		case ACL_USER_OBJ:
			m |= (pa->e_perm & ACL_PERMS) << 6;
			break;
		case ACL_GROUP_OBJ:
			m |= (pa->e_perm & ACL_PERMS) << 3;
			break;
		case ACL_OTHER:
			m |= pa->e_perm & ACL_PERMS;
			break;
		case ACL_MASK:
			m = (m & ~S_IRWXG) | ((pa->e_perm & ACL_PERMS) << 3);
			not_equiv = true;
			break;
		default:
			not_equiv = true;
			break;
		}
	}
	*mode = (*mode & ~0777) | m;
	return not_equiv;
}

/* Store acl as name on inode, or remove name (acl NULL; absent is fine). */
static int write_acl(struct inode *inode, const char *name,
		     const struct posix_acl *acl)
{
	size_t len;
	void *buf;
	int err;

	if (!acl) {
		err = vfs_setxattr_raw(inode, name, NULL, 0, 0);
		return err == -ENODATA ? 0 : err;
	}
	len = posix_acl_to_xattr(acl, NULL);
	buf = kmalloc(len);
	if (!buf)
		return -ENOMEM;
	posix_acl_to_xattr(acl, buf);
	err = vfs_setxattr_raw(inode, name, buf, len, 0);
	kfree(buf);
	return err;
}

int posix_acl_set(struct dentry *dentry, bool access, struct posix_acl *acl)
{
	struct inode *inode = dentry->d_inode;
	struct iattr attr = { .ia_valid = ATTR_MODE, .ia_mode = inode->i_mode };
	int err;

	if (!access)
		return write_acl(inode, XATTR_NAME_ACL_DEFAULT, acl);
	if (acl) {
		if (!posix_acl_equiv_mode(acl, &attr.ia_mode))
			acl = NULL;
		if (!in_group_p(current->cred, inode->i_gid) && !fs_capable())
			attr.ia_mode &= ~S_ISGID;
	}
	forget_cached_acl(inode);
	err = write_acl(inode, XATTR_NAME_ACL_ACCESS, acl);
	if (!err && attr.ia_mode != inode->i_mode)
		err = notify_change(dentry, &attr);
	return err;
}

int posix_acl_chmod(struct inode *inode)
{
	struct posix_acl_entry *group_obj = NULL, *mask_obj = NULL;
	struct posix_acl *cached, *acl;
	mode_t mode = inode->i_mode;
	int err;

	if (!fs_has_acl(inode) || S_ISLNK(mode))
		return 0;
	err = get_access_acl(inode, &cached);
	if (err || !cached)
		return err;
	acl = posix_acl_clone(cached);
	if (!acl)
		return -ENOMEM;
	for (unsigned int i = 0; i < acl->a_count; i++) {
		struct posix_acl_entry *pa = &acl->a_entries[i];

		switch (pa->e_tag) {
		case ACL_USER_OBJ:
			pa->e_perm = (mode & S_IRWXU) >> 6;
			break;
		case ACL_GROUP_OBJ:
			group_obj = pa;
			break;
		case ACL_MASK:
			mask_obj = pa;
			break;
		case ACL_OTHER:
			pa->e_perm = mode & S_IRWXO;
			break;
		}
	}
	if (mask_obj)
		mask_obj->e_perm = (mode & S_IRWXG) >> 3;
	else if (group_obj)
		group_obj->e_perm = (mode & S_IRWXG) >> 3;
	forget_cached_acl(inode);
	err = write_acl(inode, XATTR_NAME_ACL_ACCESS, acl);
	kfree(acl);
	return err;
}

/* Linux posix_acl_create_masq: cut acl down to *mode and *mode down to
 * acl; true when acl says more than the mode. */
static bool posix_acl_create_masq(struct posix_acl *acl, mode_t *mode_p)
{
	struct posix_acl_entry *group_obj = NULL, *mask_obj = NULL;
	mode_t mode = *mode_p;
	bool not_equiv = false;

	for (unsigned int i = 0; i < acl->a_count; i++) {
		struct posix_acl_entry *pa = &acl->a_entries[i];

		switch (pa->e_tag) {
		case ACL_USER_OBJ:
			pa->e_perm &= (mode >> 6) | ~ACL_PERMS;
			mode &= (pa->e_perm << 6) | ~S_IRWXU;
			break;
		case ACL_USER:
		case ACL_GROUP:
			not_equiv = true;
			break;
		case ACL_GROUP_OBJ:
			group_obj = pa;
			break;
		case ACL_OTHER:
			pa->e_perm &= mode | ~ACL_PERMS;
			mode &= pa->e_perm | ~S_IRWXO;
			break;
		case ACL_MASK:
			mask_obj = pa;
			not_equiv = true;
			break;
		}
	}
	if (mask_obj) {
		mask_obj->e_perm &= (mode >> 3) | ~ACL_PERMS;
		mode &= (mask_obj->e_perm << 3) | ~S_IRWXG;
	} else if (group_obj) {
		group_obj->e_perm &= (mode >> 3) | ~ACL_PERMS;
		mode &= (group_obj->e_perm << 3) | ~S_IRWXG;
	}
	*mode_p = (*mode_p & ~0777) | (mode & 0777);
	return not_equiv;
}

int posix_acl_create(struct inode *dir, mode_t *mode, struct posix_acl **acl,
		     struct posix_acl **dacl)
{
	struct posix_acl *p, *clone;
	int err;

	*acl = *dacl = NULL;
	if (S_ISLNK(*mode))
		return 0;
	p = NULL;
	if (fs_has_acl(dir)) {
		err = read_acl(dir, XATTR_NAME_ACL_DEFAULT, &p);
		if (err == -ENOMEM)
			return err;
	}
	if (!p) {
		*mode &= ~current->fs->umask;
		return 0;
	}
	clone = posix_acl_clone(p);
	if (!clone) {
		kfree(p);
		return -ENOMEM;
	}
	if (posix_acl_create_masq(clone, mode))
		*acl = clone;
	else
		kfree(clone);
	if (S_ISDIR(*mode))
		*dacl = p;
	else
		kfree(p);
	return 0;
}

void posix_acl_init_new(struct inode *inode, struct posix_acl *acl,
			struct posix_acl *dacl)
{
	if (inode && dacl)
		write_acl(inode, XATTR_NAME_ACL_DEFAULT, dacl);
	if (inode && acl) {
		forget_cached_acl(inode);
		write_acl(inode, XATTR_NAME_ACL_ACCESS, acl);
	}
	kfree(acl);
	kfree(dacl);
}
