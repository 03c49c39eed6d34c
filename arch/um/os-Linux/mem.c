/*
 * Kernel heap: kmalloc/kzalloc/kfree on the host's malloc. The kernel thread
 * is the only user, so no locking beyond libc's own. kmalloc_live counts
 * the allocations not freed yet (/proc/umk/stats), so that a test can show
 * that a path leaves nothing behind; the census below says by whom.
 */
#include <umk/kernel.h>
#include <os.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long live;

static void census_add(uintptr_t p, size_t size, unsigned long site);
static void census_del(uintptr_t p);
#define CALLER ((unsigned long)__builtin_return_address(0))

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

void *kmalloc(size_t size)
{
	void *p = counted(malloc(size ? size : 1));

	census_add((uintptr_t)p, size, CALLER);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = counted(calloc(1, size ? size : 1));

	census_add((uintptr_t)p, size, CALLER);
	return p;
}

char *kstrdup(const char *s)
{
	char *p = s ? counted(strdup(s)) : NULL;

	census_add((uintptr_t)p, p ? strlen(p) + 1 : 0, CALLER);
	return p;
}

char *kstrndup(const char *s, size_t n)
{
	char *p = s ? counted(strndup(s, n)) : NULL;

	census_add((uintptr_t)p, p ? strlen(p) + 1 : 0, CALLER);
	return p;
}

void kfree(const void *p)
{
	if (p)
		__atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
	census_del((uintptr_t)p);
	free((void *)p);
}

/* The census follows the block: a failed realloc leaves p, recorded anew. */
void *krealloc(void *p, size_t size)
{
	bool fresh = !p;
	void *q;

	census_del((uintptr_t)p);
	q = realloc(p, size ? size : 1);
	if (!q) {
		census_add((uintptr_t)p, 0, CALLER);
		return NULL;
	}
	census_add((uintptr_t)q, size, CALLER);
	return fresh ? counted(q) : q;
}

/*
 * The allocation census (/proc/umk/kmalloc_census, a debugging aid): while
 * it is on, every allocation made by the functions above is recorded with
 * its caller's address and size until it is freed, so that the live
 * allocations made since it was switched on can be counted by call site.
 * Writing 1 clears it and switches it on, 0 switches it off and clears it.
 * Off (the default) it costs one load per call. Allocations made while it
 * was off are not in it. Records are taken from libc's malloc, not from
 * kmalloc, and number at most the live allocations, which the guest's
 * limits bound already.
 */
struct census_rec {
	struct census_rec *next;	/* in its hash bucket */
	uintptr_t p;			/* the allocation's address */
	unsigned long site;		/* its caller's return address */
	size_t size;			/* bytes asked for */
};

#define CENSUS_BUCKETS 65536
static struct census_rec **census;	/* CENSUS_BUCKETS chains, or NULL */
static int census_on;
static pthread_mutex_t census_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t census_hash(uintptr_t p)
{
	return (p >> 4) * 0x9E3779B97F4A7C15ULL >> 48;
}

/* Drop every record; census_lock held. */
static void census_clear(void)
{
	size_t i;

	if (!census)
		return;
	for (i = 0; i < CENSUS_BUCKETS; i++) {
		while (census[i]) {
			struct census_rec *r = census[i];

			census[i] = r->next;
			free(r);
		}
	}
}

static void census_add(uintptr_t p, size_t size, unsigned long site)
{
	struct census_rec *r;

	if (!p || !__atomic_load_n(&census_on, __ATOMIC_RELAXED))
		return;
	r = malloc(sizeof(*r));
	if (!r)
		return;
	r->p = p;
	r->site = site;
	r->size = size;
	pthread_mutex_lock(&census_lock);
	if (census) {
		size_t h = census_hash(p);

		r->next = census[h];
		census[h] = r;
		r = NULL;
	}
	pthread_mutex_unlock(&census_lock);
	free(r);
}

static void census_del(uintptr_t p)
{
	struct census_rec **pp, *r = NULL;

	if (!p || !__atomic_load_n(&census_on, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&census_lock);
	if (census) {
		for (pp = &census[census_hash(p)]; *pp; pp = &(*pp)->next) {
			if ((*pp)->p == p) {
				r = *pp;
				*pp = r->next;
				break;
			}
		}
	}
	pthread_mutex_unlock(&census_lock);
	free(r);
}

int kmalloc_census_set(bool on)
{
	int err = 0;

	pthread_mutex_lock(&census_lock);
	__atomic_store_n(&census_on, 0, __ATOMIC_RELAXED);
	census_clear();
	if (on && !census)
		census = calloc(CENSUS_BUCKETS, sizeof(*census));
	if (on && !census)
		err = -ENOMEM;
	if (on && census)
		__atomic_store_n(&census_on, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&census_lock);
	return err;
}

struct census_site {
	unsigned long site;
	long count;
	size_t bytes;
};

static int cmp_site_addr(const void *a, const void *b)
{
	const struct census_site *x = a, *y = b;

	return x->site < y->site ? -1 : x->site > y->site;
}

static int cmp_site_count(const void *a, const void *b)
{
	const struct census_site *x = a, *y = b;

	return x->count > y->count ? -1 : x->count < y->count;
}

/* Gather the records into one entry per site, busiest first; *n entries.
 * census_lock held. */
static struct census_site *census_sites(size_t *n)
{
	struct census_site *s = NULL, *t;
	size_t i, cap = 0, used = 0, out = 0;
	struct census_rec *r;

	for (i = 0; census && i < CENSUS_BUCKETS; i++) {
		for (r = census[i]; r; r = r->next) {
			if (used == cap) {
				cap = cap ? 2 * cap : 1024;
				t = realloc(s, cap * sizeof(*s));
				if (!t)
					goto out;
				s = t;
			}
			s[used++] = (struct census_site){ r->site, 1, r->size };
		}
	}
	qsort(s, used, sizeof(*s), cmp_site_addr);
	for (i = 0; i < used; i++) {
		if (out && s[out - 1].site == s[i].site) {
			s[out - 1].count++;
			s[out - 1].bytes += s[i].bytes;
		} else {
			s[out++] = s[i];
		}
	}
	qsort(s, out, sizeof(*s), cmp_site_count);
out:
	*n = out;
	return s;
}

size_t kmalloc_census_text(char *buf, size_t cap)
{
	struct census_site *s;
	size_t n, i, len = 0;

	pthread_mutex_lock(&census_lock);
	len = snprintf(buf, cap, "census %s\n", census_on ? "on" : "off");
	s = census_sites(&n);
	pthread_mutex_unlock(&census_lock);
	for (i = 0; i < n && len < cap; i++) {
		unsigned long off = 0, size;
		const char *name = os_ksym_lookup(s[i].site, &off, &size);

		len += snprintf(buf + len, cap - len, "%8ld %10zu %s+%#lx\n",
				s[i].count, s[i].bytes, name ? name : "?", off);
	}
	free(s);
	return len < cap ? len : cap;
}
