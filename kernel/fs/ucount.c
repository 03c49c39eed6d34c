/*
 * Per-user object counts (Linux kernel/ucount.c, without namespaces): a
 * short list of the uids that own something, freed as counts reach 0.
 */
#include <umk/ucount.h>

struct ucounts {
	struct ucounts *next;
	uid_t uid;
	long count[UCOUNT_COUNTS];
};

static struct ucounts *ucounts_list;
static long total[UCOUNT_COUNTS];

static struct ucounts **find_ucounts(uid_t uid)
{
	struct ucounts **p;

	for (p = &ucounts_list; *p; p = &(*p)->next)
		if ((*p)->uid == uid)
			break;
	return p;
}

bool inc_ucount(uid_t uid, enum ucount_type type, long max)
{
	struct ucounts **p = find_ucounts(uid), *uc = *p;

	if (total[type] >= 4 * max)
		return false;
	if (!uc) {
		uc = kzalloc(sizeof(*uc));
		if (!uc)
			return false;
		uc->uid = uid;
		*p = uc;
	}
	if (uc->count[type] >= max)
		return false;
	uc->count[type]++;
	total[type]++;
	return true;
}

void dec_ucount(uid_t uid, enum ucount_type type)
{
	struct ucounts **p = find_ucounts(uid), *uc = *p;

	if (!uc)
		return;
	uc->count[type]--;
	total[type]--;
	for (int i = 0; i < UCOUNT_COUNTS; i++)
		if (uc->count[i])
			return;
	*p = uc->next;
	kfree(uc);
}
