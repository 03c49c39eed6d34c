/*
 * /proc/PID/stat, status and statm: a process's state, ids, times, memory
 * and signal sets in the exact text layout of Linux 6.1 fs/proc/array.c,
 * which ps, top and friends parse by position. Memory sizes come from the
 * host's accounting of the guest's host process (/proc/HOSTPID/statm).
 */
#include <umk/fs.h>
#include <umk/tty.h>
#include <os.h>
#include <stub.h>
#include <mode.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "internal.h"

#define FULL_CAPS	0x000001ffffffffffULL	/* CAP_LAST_CAP 40 */
#define SIGSET_STATS	0x7fffffffUL		/* stat's obsolete sets */

/* /proc/HOSTPID/statm of the host process, in pages. */
struct host_statm {
	unsigned long size, resident, shared, text, lib, data, dt;
};

/* The host's statm for t's address space, without the stub's pages.
 * False when there is none (zombie, not yet running, host error). */
static bool host_statm(struct task *t, struct host_statm *s)
{
	const unsigned long stub_pages = um_mode->stub_vm_bytes / PAGE_SIZE;
	char path[64], buf[256];
	long n;

	memset(s, 0, sizeof(*s));
	if (!t->mm || t->mm->host_pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/statm", t->mm->host_pid);
	n = os_read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu", &s->size, &s->resident,
		   &s->shared, &s->text, &s->lib, &s->data, &s->dt) != 7)
		return false;
	s->size = s->size > stub_pages ? s->size - stub_pages : 0;
	return true;
}

char proc_task_state(const struct task *t)
{
	switch (t->state) {
	case TASK_WAIT_HOST:
		/* A futex waiter sleeps in the host: S as soon as the host
		 * says its thread sleeps, so a waker that saw S finds it
		 * queued. */
		if (t->host_sleep && t->host_tid > 0 &&
		    os_host_thread_state(t->host_tid) == 'S')
			return 'S';
		return 'R';
	case TASK_RUNNING:
		return 'R';
	case TASK_INTERRUPTIBLE:
		return 'S';
	case TASK_UNINTERRUPTIBLE:
		return 'D';
	case TASK_STOPPED:
		return 'T';
	case TASK_TRACED:
		return 't';
	case TASK_DEAD:
	default:
		return 'Z';
	}
}

static const char *state_name(char state)
{
	switch (state) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 't': return "t (tracing stop)";
	default: return "Z (zombie)";
	}
}

/* utime and stime (ns) from a host stat file; false if unreadable. */
static bool host_times(const char *path, uint64_t *utime, uint64_t *stime)
{
	unsigned long long u, s;
	char buf[1024], *p;
	long n;

	n = os_read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%llu %llu", &u, &s) != 2)
		return false;
	*utime = u * NSEC_PER_TICK;
	*stime = s * NSEC_PER_TICK;
	return true;
}

/*
 * CPU time as the host measured it (the guest's code runs in host
 * processes, one per guest process), falling back to the kernel's own
 * counters when the host process is gone (zombies).
 */
void proc_task_times(struct task *t, bool whole, uint64_t *utime,
		     uint64_t *stime)
{
	struct task *p;
	char path[64];

	if (whole && t->mm && t->mm->host_pid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/stat", t->mm->host_pid);
		if (host_times(path, utime, stime))
			return;
	} else if (!whole && t->host_tid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat",
			 t->host_tid, t->host_tid);
		if (host_times(path, utime, stime))
			return;
	}
	*utime = t->utime_ns;
	*stime = t->stime_ns;
	if (!whole)
		return;
	*utime = *stime = 0;
	if (t->signal) {
		*utime = t->signal->utime_ns;
		*stime = t->signal->stime_ns;
	}
	list_for_each_entry(p, &task_list, tasks) {
		if (p->tgid == t->tgid && !p->exit_reaped) {
			*utime += p->utime_ns;
			*stime += p->stime_ns;
		}
	}
}

static pid_t task_ppid(const struct task *t)
{
	const struct task *leader = t->group_leader ? t->group_leader : t;

	return leader->real_parent ? leader->real_parent->tgid : 0;
}

/* The action of sig (1..64): action[sig - 1], as kernel/signal.c. */
static const struct k_sigaction *sig_action(const struct sighand_struct *sh,
					    int sig)
{
	return &sh->action[sig - 1];
}

static void collect_sigign_sigcatch(const struct task *t, uint64_t *ign,
				    uint64_t *catch)
{
	int sig;

	*ign = *catch = 0;
	if (!t->sighand)
		return;
	for (sig = 1; sig <= KSIGNAL_MAX; sig++) {
		unsigned long h = sig_action(t->sighand, sig)->handler;

		if (h == 1)
			*ign |= sigmask(sig);
		else if (h > 1)
			*catch |= sigmask(sig);
	}
}

/* tty_nr: the controlling terminal's device number as Linux's
 * new_encode_dev(tty_devnum(tty)), 0 without one. A pty slave is
 * (136, n); the console, which has no number of its own, is /dev/console
 * (5, 1). */
static unsigned int task_tty_nr(const struct task *t)
{
	const struct tty_struct *tty = t->signal ? t->signal->tty : NULL;
	dev_t dev;

	if (!tty)
		return 0;
	dev = tty->dev ? tty->dev : makedev(TTYAUX_MAJOR, 1);
	return (minor(dev) & 0xff) | (major(dev) << 8) |
	       ((minor(dev) & ~0xffu) << 12);
}

static unsigned long ns_to_ticks(uint64_t ns)
{
	return ns / NSEC_PER_TICK;
}

/*
 * /proc/PID/stat (Linux do_task_stat): 52 fields on one line. The whole
 * thread group's times for /proc/PID, the thread's own for task/TID.
 * Fields umk does not track (faults, nice, policy, ...) are 0 as on an
 * idle Linux; code/stack addresses need ptrace-like access.
 */
int proc_pid_stat(struct seq_buf *m, struct proc_inode *pi, struct task *t)
{
	struct signal_struct *sig = t->signal;
	bool permitted = proc_may_access(t);
	struct mm_struct *mm = t->mm;
	uint64_t utime, stime, ign, catch;
	struct host_statm st;
	unsigned long rsslim = RLIM_INFINITY;
	uint64_t start_ns;

	proc_task_times(t, !pi->thread, &utime, &stime);
	collect_sigign_sigcatch(t, &ign, &catch);
	host_statm(t, &st);
	if (sig)
		rsslim = sig->rlim[RLIMIT_RSS].rlim_cur;
	start_ns = t->start_time_ns;
	seq_printf(m, "%d (%.*s) %c %d %d %d %u %d 0 0 0 0 0 %lu %lu 0 0 20 0 %d 0 %lu",
		   t->pid, (int)sizeof(t->comm), t->comm, proc_task_state(t),
		   task_ppid(t), sig ? sig->pgrp : 0, sig ? sig->session : 0,
		   task_tty_nr(t),
		   sig && sig->tty ? sig->tty->pgrp : -1,
		   ns_to_ticks(utime), ns_to_ticks(stime),
		   sig ? sig->count : 1, ns_to_ticks(start_ns));
	seq_printf(m, " %lu %lu %lu %lu %lu %lu 0 0",
		   st.size * PAGE_SIZE, st.resident, rsslim,
		   mm ? (permitted ? mm->start_code : 1) : 0,
		   mm ? (permitted ? mm->end_code : 1) : 0,
		   mm && permitted ? mm->start_stack : 0);
	seq_printf(m, " %llu %llu %llu %llu 0 0 0 %d 0 0 0 0 0 0",
		   (unsigned long long)(t->pending.signal & SIGSET_STATS),
		   (unsigned long long)(t->blocked & SIGSET_STATS),
		   (unsigned long long)(ign & SIGSET_STATS),
		   (unsigned long long)(catch & SIGSET_STATS),
		   t->exit_signal);
	if (mm && permitted)
		seq_printf(m, " %lu %lu %lu %lu %lu %lu %lu", mm->start_data,
			   mm->end_data, mm->start_brk, mm->arg_start,
			   mm->arg_end, mm->env_start, mm->env_end);
	else
		seq_puts(m, " 0 0 0 0 0 0 0");
	seq_printf(m, " %d\n", permitted ? t->exit_code : 0);
	return 0;
}

static void put_kb(struct seq_buf *m, const char *name, unsigned long pages)
{
	seq_printf(m, "%s\t%8lu kB\n", name, pages * (PAGE_SIZE / 1024));
}

static void task_mem(struct seq_buf *m, struct task *t)
{
	struct host_statm st;

	if (!host_statm(t, &st))
		return;
	put_kb(m, "VmPeak:", st.size);
	put_kb(m, "VmSize:", st.size);
	put_kb(m, "VmLck:", 0);
	put_kb(m, "VmPin:", 0);
	put_kb(m, "VmHWM:", st.resident);
	put_kb(m, "VmRSS:", st.resident);
	put_kb(m, "RssAnon:", st.resident - min(st.shared, st.resident));
	put_kb(m, "RssFile:", min(st.shared, st.resident));
	put_kb(m, "RssShmem:", 0);
	put_kb(m, "VmData:", st.data);
	put_kb(m, "VmStk:", 0);
	put_kb(m, "VmExe:", st.text);
	put_kb(m, "VmLib:", st.lib);
	put_kb(m, "VmPTE:", 0);
	put_kb(m, "VmSwap:", 0);
	seq_puts(m, "HugetlbPages:\t       0 kB\n");
}

static void put_ids(struct seq_buf *m, const char *name, unsigned int a,
		    unsigned int b, unsigned int c, unsigned int d)
{
	seq_printf(m, "%s\t%u\t%u\t%u\t%u\n", name, a, b, c, d);
}

/*
 * /proc/PID/status (Linux proc_pid_status): name, state, ids, memory,
 * signal sets (16 hex digits, bit sig-1), capabilities (full for euid 0,
 * as root holds every capability in umk).
 */
int proc_pid_status(struct seq_buf *m, struct proc_inode *pi, struct task *t)
{
	const struct cred *c = t->cred;
	struct signal_struct *sig = t->signal;
	uint64_t ign, catch, caps;
	char state = proc_task_state(t);
	int i;

	seq_printf(m, "Name:\t%.*s\n", (int)sizeof(t->comm), t->comm);
	if (t->fs)
		seq_printf(m, "Umask:\t%04o\n", t->fs->umask);
	seq_printf(m, "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		   "TracerPid:\t%d\n", state_name(state), t->tgid, t->pid,
		   task_ppid(t), t->ptrace && t->parent ? t->parent->tgid : 0);
	if (c) {
		put_ids(m, "Uid:", c->uid, c->euid, c->suid, c->fsuid);
		put_ids(m, "Gid:", c->gid, c->egid, c->sgid, c->fsgid);
	}
	seq_printf(m, "FDSize:\t%d\nGroups:\t", t->files ? t->files->max_fds : 0);
	for (i = 0; c && i < c->ngroups; i++)
		seq_printf(m, i ? " %u" : "%u", c->groups[i]);
	seq_printf(m, " \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		   t->tgid, t->pid, sig ? sig->pgrp : 0, sig ? sig->session : 0);
	task_mem(m, t);
	collect_sigign_sigcatch(t, &ign, &catch);
	seq_printf(m, "Threads:\t%d\nSigQ:\t0/%lu\n", sig ? sig->count : 1,
		   sig ? (unsigned long)sig->rlim[RLIMIT_SIGPENDING].rlim_cur
		       : 0UL);
	seq_printf(m, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n"
		   "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		   (unsigned long long)t->pending.signal,
		   (unsigned long long)(sig ? sig->shared_pending.signal : 0),
		   (unsigned long long)t->blocked,
		   (unsigned long long)ign, (unsigned long long)catch);
	caps = c && c->euid == 0 ? FULL_CAPS : 0;
	seq_printf(m, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n"
		   "CapBnd:\t%016llx\nCapAmb:\t%016llx\n", 0ULL,
		   (unsigned long long)caps, (unsigned long long)caps,
		   FULL_CAPS, 0ULL);
	seq_puts(m, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
		 "Speculation_Store_Bypass:\tthread vulnerable\n"
		 "SpeculationIndirectBranch:\tconditional enabled\n"
		 "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n"
		 "Mems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n"
		 "voluntary_ctxt_switches:\t0\n"
		 "nonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

/* /proc/PID/statm (Linux proc_pid_statm): pages. */
int proc_pid_statm(struct seq_buf *m, struct proc_inode *pi, struct task *t)
{
	struct host_statm st;

	host_statm(t, &st);
	seq_printf(m, "%lu %lu %lu %lu 0 %lu 0\n", st.size, st.resident,
		   st.shared, st.text, st.data);
	return 0;
}
