/*
 * The guest's memory (mem=) and what happens beyond it, as Linux with
 * overcommit_memory=0 and no swap (mm/util.c __vm_enough_memory,
 * mm/oom_kill.c):
 *  - a single mapping or brk larger than all of memory is refused with
 *    ENOMEM (the overcommit heuristic); RLIMIT_AS bounds a process's
 *    address space;
 *  - the kernel accounts every guest page that costs the host memory:
 *    the anonymous and shared pages of every guest process (private
 *    copies of file pages included; pages shared after a fork split among
 *    the processes, so each counts once), the page caches of mapped
 *    files and tmpfs, and System V shared memory segments whether
 *    attached or not (Linux counts them as Shmem). The processes' part
 *    and the segments' come from the host's own accounting, read at a
 *    bounded rate; when the total passes mem=, the
 *    OOM killer picks the process that holds the most (never init), kills
 *    it with SIGKILL and logs "Out of memory: Killed process N (comm)".
 * A page of a mapped file's cache or of an attached segment is counted
 * there and in the processes that map it, so the count can only err on
 * the side of the host.
 */
#include <umk/sched.h>
#include <umk/mm.h>
#include <umk/oom.h>
#include <umk/filemap.h>
#include <umk/resource.h>
#include <umk/ipc.h>
#include <umk/signal_internal.h>
#include <umk/timer.h>
#include <stub.h>
#include <os.h>
#include "fs/tmpfs.h"

#define POLL_MIN_NS	(10 * 1000000ULL)	/* 100 scans a second at most */
#define POLL_MAX_NS	(250 * 1000000ULL)
#define POLL_COST_SHARE	20	/* a scan takes at most 1/20 of the time */
#define VICTIM_GRACE_NS	(2000 * 1000000ULL)	/* then pick another */

uint64_t totalram_bytes = 256ULL << 20;

static struct timer_list oom_timer;
bool oom_timer_idle;			/* no scan armed: no guest code runs */
static uint64_t scan_gen;
static uint64_t procs_bytes;		/* guest processes, at the last scan */
static uint64_t shm_bytes;		/* SysV segments, at the last scan */
static pid_t victim_tgid;		/* being killed, until it is gone */
static uint64_t victim_since;

/* The host thread through which t's process is read. */
static int task_host_tid(struct task *t)
{
	return t->host_tid > 0 ? t->host_tid : t->mm->host_pid;
}

/* Memory was past three quarters of mem= at the last scan. */
static bool near_limit(void)
{
	return (procs_bytes + kernel_mem_bytes()) / 3 > totalram_bytes / 4;
}

/*
 * One pass over the address spaces (each counted once, whichever of its
 * tasks is alive): what the host holds for them into procs_bytes, what the
 * SysV segments hold into shm_bytes; the largest killable process by
 * resident size, as Linux's oom_badness (not init, not already dying),
 * into *victim. The host's resident counters (/proc/PID/status) come
 * first: they count a page shared after fork in every process that shares
 * it, an upper bound. Only when that bound comes within a quarter of
 * mem= is the proportional share read (smaps_rollup, each shared page
 * counted once in all), whose walk of the page tables cost a compile near
 * a millisecond a scan.
 */
static void scan_processes(struct task **victim)
{
	uint64_t best = 0, sum = 0, pss, rss;
	struct os_mem_usage u;
	bool exact = false;
	struct task *t;

again:
	scan_gen++;
	*victim = NULL;
	list_for_each_entry(t, &task_list, tasks) {
		if (!task_alive(t) || !t->mm || t->mm->oom_scan == scan_gen)
			continue;
		t->mm->oom_scan = scan_gen;
		if (task_host_tid(t) <= 0)
			continue;
		if (exact) {
			if (os_process_pss(task_host_tid(t), &pss, &rss) < 0)
				continue;
		} else {
			if (os_process_mem(task_host_tid(t), &u) < 0)
				continue;
			pss = u.anon + u.shmem;
			rss = u.anon + u.file + u.shmem;
		}
		sum += pss;
		if (t->tgid == 1 || t->signal->group_exit || rss <= best)
			continue;
		best = rss;
		*victim = t;
	}
	shm_bytes = shm_resident_bytes();
	procs_bytes = sum;
	if (!exact && near_limit()) {
		exact = true;
		sum = best = 0;
		goto again;
	}
}

uint64_t kernel_mem_bytes(void)
{
	return tmpfs_shmem_pages() * PAGE_SIZE + filemap_cache_bytes() +
	       shm_bytes;
}

uint64_t guest_ram_used(void)
{
	struct task *v;

	scan_processes(&v);
	return procs_bytes;
}


/* Is the process of tgid still there (not yet a zombie)? */
static bool victim_alive(pid_t tgid)
{
	struct task *t = find_task_by_pid(tgid);

	return t && t->tgid == tgid && task_alive(t) && t->signal->count > 0;
}

static void oom_kill_process(struct task *v)
{
	struct os_mem_usage mu, *u = &mu;

	os_process_mem(task_host_tid(v), u);
	printk(KERN_ERR "Out of memory: Killed process %d (%.16s) "
	       "total-vm:%llukB, anon-rss:%llukB, file-rss:%llukB, "
	       "shmem-rss:%llukB, UID:%u pgtables:0kB oom_score_adj:0\n",
	       v->tgid, v->group_leader->comm,
	       (unsigned long long)(u->vm >> 10),
	       (unsigned long long)(u->anon >> 10),
	       (unsigned long long)(u->file >> 10),
	       (unsigned long long)(u->shmem >> 10), v->cred->uid);
	victim_tgid = v->tgid;
	victim_since = ktime_get_ns();
	force_sigkill(v);
}

void out_of_memory(void)
{
	struct task *v;
	bool recent = victim_tgid &&
		      ktime_get_ns() - victim_since < VICTIM_GRACE_NS;

	if (recent && victim_alive(victim_tgid))
		return;		/* its memory is on the way back */
	if (!recent)
		victim_tgid = 0;
	scan_processes(&v);
	if (procs_bytes + kernel_mem_bytes() <= totalram_bytes)
		return;
	if (!v) {
		/* Only init, or only the kernel's own pages, are left. A
		 * victim that just died may still hold its pages in the host
		 * for a moment (the host frees them after the kill): not a
		 * deadlock yet. */
		if (procs_bytes > totalram_bytes && !recent)
			panic("System is deadlocked on memory");
		return;
	}
	oom_kill_process(v);
}

/*
 * The periodic check. A scan reads every process's smaps_rollup, which
 * costs the host a walk of its page tables: the next one comes after 20
 * times what this one took (10 ms to 250 ms; 10 ms once memory is past
 * three quarters of mem=). Only guest code makes a
 * process's memory grow unseen; while none runs (every task asleep in the
 * kernel) no scan is armed, and the next guest run arms one.
 */
static void oom_poll(struct timer_list *timer)
{
	uint64_t start = ktime_get_ns(), every;

	out_of_memory();
	if (nr_host_waiting == 0) {
		oom_timer_idle = true;
		return;
	}
	every = (ktime_get_ns() - start) * POLL_COST_SHARE;
	every = every < POLL_MIN_NS || near_limit() ? POLL_MIN_NS :
		every > POLL_MAX_NS ? POLL_MAX_NS : every;
	timer->expires = ktime_get_ns() + every;
	add_timer(timer);
}

void oom_guest_resumed_slow(void)
{
	oom_timer_idle = false;
	oom_timer.expires = ktime_get_ns() + POLL_MIN_NS;
	add_timer(&oom_timer);
}

void oom_init(void)
{
	oom_timer.fn = oom_poll;
	oom_timer.expires = ktime_get_ns() + POLL_MIN_NS;
	add_timer(&oom_timer);
}

bool kernel_mem_charge(uint64_t bytes)
{
	if (procs_bytes + kernel_mem_bytes() + bytes <= totalram_bytes)
		return true;
	out_of_memory();
	return procs_bytes + kernel_mem_bytes() + bytes <= totalram_bytes;
}

int vm_enough_memory(uint64_t bytes)
{
	/* OVERCOMMIT_GUESS: more than all of memory (no swap) at once. */
	if (bytes > totalram_bytes)
		return -ENOMEM;
	/* Near the limit, a process that asks for more is a reason to look
	 * now rather than at the next tick: what it touched since the last
	 * scan is counted before it grows again. */
	if (near_limit())
		out_of_memory();
	return 0;
}

int may_expand_vm(uint64_t bytes)
{
	rlim_t limit = rlimit(RLIMIT_AS);
	struct os_mem_usage u;
	uint64_t vm;

	if (limit == RLIM_INFINITY || !current->mm)
		return 0;
	if (os_process_mem(current->host_tid, &u) < 0)
		return 0;
	/* The stub's pages are not the guest's. */
	vm = u.vm > STUB_END - STUB_START ? u.vm - (STUB_END - STUB_START) : 0;
	return vm + bytes > limit ? -ENOMEM : 0;
}
