/*
 * The registry of filesystem types (mount -t, /proc/filesystems), in
 * registration order. Model: Linux fs/filesystems.c.
 */
#include <umk/fs.h>
#include <string.h>
#include <stdio.h>
#include "internal.h"

static struct file_system_type *file_systems;

/* Add fs at the end of the list; -EBUSY if its name is taken. */
int register_filesystem(struct file_system_type *fs)
{
	struct file_system_type **p;

	for (p = &file_systems; *p; p = &(*p)->next) {
		if (strcmp((*p)->name, fs->name) == 0)
			return -EBUSY;
	}
	fs->next = NULL;
	*p = fs;
	return 0;
}

struct file_system_type *get_fs_type(const char *name)
{
	struct file_system_type *fs;

	for (fs = file_systems; fs; fs = fs->next) {
		if (strcmp(fs->name, name) == 0)
			return fs;
	}
	return NULL;
}

/* "nodev\tproc\n" for filesystems without a device, "\text4\n" for the
 * others; truncated to len. Returns the length written. */
size_t list_filesystems(char *buf, size_t len)
{
	struct file_system_type *fs;
	size_t used = 0;

	for (fs = file_systems; fs && used < len; fs = fs->next) {
		const char *nodev =
			(fs->fs_flags & FS_REQUIRES_DEV) ? "" : "nodev";
		int n = snprintf(buf + used, len - used, "%s\t%s\n", nodev,
				 fs->name);

		if (n < 0)
			break;
		if ((size_t)n >= len - used) {
			used = len - 1;
			break;
		}
		used += n;
	}
	return used;
}
