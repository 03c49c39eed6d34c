/*
 * Kernel heap: kmalloc/kzalloc/kfree on the host's malloc. The kernel thread
 * is the only user, so no locking beyond libc's own. kmalloc_live counts
 * the allocations not freed yet (/proc/umk/stats), so that a test can show
 * that a path leaves nothing behind.
 */
#include <umk/kernel.h>
#include <stdlib.h>
#include <string.h>

static long live;

static void *counted(void *p)
{
	if (p)
		__atomic_fetch_add(&live, 1, __ATOMIC_RELAXED);
	return p;
}

long kmalloc_live(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}

void *kmalloc(size_t size) { return counted(malloc(size ? size : 1)); }
void *kzalloc(size_t size) { return counted(calloc(1, size ? size : 1)); }
char *kstrdup(const char *s) { return s ? counted(strdup(s)) : NULL; }
char *kstrndup(const char *s, size_t n) { return s ? counted(strndup(s, n)) : NULL; }

void kfree(const void *p)
{
	if (p)
		__atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
	free((void *)p);
}

void *krealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	return p ? q : counted(q);
}
