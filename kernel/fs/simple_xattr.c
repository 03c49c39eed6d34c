/*
 * Extended attributes kept in memory, for filesystems without a disk
 * (tmpfs and devtmpfs): one sorted list per inode, every byte charged to
 * the mount's attribute space so that a guest cannot grow umk's heap
 * without bound. Model: Linux fs/xattr.c simple_xattr_*, mm/shmem.c
 * shmem_xattr_handler_set (its ispace accounting).
 */
#include <umk/xattr.h>
#include <string.h>

struct simple_xattr {
	struct list_head list;		/* in simple_xattrs.list, by name */
	char *name;
	size_t size;
	char value[];
};

static bool is_acl(const char *name)
{
	return !strncmp(name, "system.posix_acl_", 17);
}

/* The list's order: ACLs first (as Linux lists them), then by name. */
static int xattr_cmp(const char *a, const char *b)
{
	if (is_acl(a) != is_acl(b))
		return is_acl(a) ? -1 : 1;
	return strcmp(a, b);
}

static size_t xattr_space(const char *name, size_t size)
{
	return is_acl(name) ? 0 : 40 + strlen(name) + size;
}

static struct simple_xattr *find(struct simple_xattrs *x, const char *name)
{
	struct simple_xattr *xa;

	list_for_each_entry(xa, &x->list, list) {
		if (!strcmp(xa->name, name))
			return xa;
	}
	return NULL;
}

ssize_t simple_xattr_get(struct simple_xattrs *x, const char *name,
			 void *value, size_t size)
{
	struct simple_xattr *xa = find(x, name);

	if (!xa)
		return -ENODATA;
	if (size) {
		if (size < xa->size)
			return -ERANGE;
		memcpy(value, xa->value, xa->size);
	}
	return xa->size;
}

ssize_t simple_xattr_list(struct simple_xattrs *x, char *list, size_t size)
{
	struct simple_xattr *xa;
	size_t len = 0;

	list_for_each_entry(xa, &x->list, list) {
		size_t n = strlen(xa->name) + 1;

		if (size) {
			if (len + n > size)
				return -ERANGE;
			memcpy(list + len, xa->name, n);
		}
		len += n;
	}
	return len;
}

static void free_one(struct simple_xattr *xa, uint64_t *ispace)
{
	*ispace += xattr_space(xa->name, xa->size);
	list_del_init(&xa->list);
	kfree(xa->name);
	kfree(xa);
}

int simple_xattr_set(struct simple_xattrs *x, const char *name,
		     const void *value, size_t size, int flags,
		     uint64_t *ispace)
{
	struct simple_xattr *old = find(x, name), *xa, *pos;
	size_t need;

	if (old && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!old && (!value || (flags & XATTR_REPLACE)))
		return -ENODATA;
	if (!value) {
		free_one(old, ispace);
		return 0;
	}
	need = xattr_space(name, size);
	if (need > *ispace + (old ? xattr_space(old->name, old->size) : 0))
		return -ENOSPC;
	xa = kmalloc(sizeof(*xa) + size);
	if (!xa)
		return -ENOMEM;
	xa->name = kstrdup(name);
	if (!xa->name) {
		kfree(xa);
		return -ENOMEM;
	}
	xa->size = size;
	memcpy(xa->value, value, size);
	if (old)
		free_one(old, ispace);
	*ispace -= need;
	list_for_each_entry(pos, &x->list, list) {
		if (xattr_cmp(name, pos->name) < 0)
			break;
	}
	list_add_tail(&xa->list, &pos->list);
	return 0;
}

void simple_xattrs_free(struct simple_xattrs *x, uint64_t *ispace)
{
	struct simple_xattr *xa, *n;

	list_for_each_entry_safe(xa, n, &x->list, list)
		free_one(xa, ispace);
}
