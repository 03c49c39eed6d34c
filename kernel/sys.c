/*
 * Miscellaneous process system calls: ids and credentials, process groups
 * and sessions, resource limits, uname, sysinfo, prctl, reboot, getrandom.
 * Semantics: Linux kernel/sys.c and the man pages of each call.
 */
#include <umk/sched.h>
#include <umk/init.h>
#include <umk/syscalls.h>
#include <umk/utsname.h>
#include <umk/mm.h>
#include <umk/fs.h>
#include <umk/capability.h>
#include <os.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <linux/reboot.h>
#include <sys/random.h>
#include <sys/uio.h>
#ifndef GRND_INSECURE
#define GRND_INSECURE 4
#endif

#define TIMER_SLACK_DEFAULT_NS 50000	/* Linux's default_timer_slack_ns */

struct utsname init_uts = {
	.sysname = "Linux",
	.nodename = "(none)",
	.release = UMK_RELEASE,
	.version = "#1 SMP PREEMPT_DYNAMIC umk " UMK_VERSION_STRING,
	.machine = "x86_64",
	.domainname = "(none)",
};

SYSCALL_DEFINE0(getpid) { return current->tgid; }
SYSCALL_DEFINE0(gettid) { return current->pid; }

SYSCALL_DEFINE0(getppid)
{
	struct task *p = current->group_leader->real_parent;

	return p ? p->tgid : 0;
}

SYSCALL_DEFINE0(getuid) { return current->cred->uid; }
SYSCALL_DEFINE0(geteuid) { return current->cred->euid; }
SYSCALL_DEFINE0(getgid) { return current->cred->gid; }
SYSCALL_DEFINE0(getegid) { return current->cred->egid; }

SYSCALL_DEFINE3(getresuid, struct uptr, r, struct uptr, e, struct uptr, s)
{
	const struct cred *c = current->cred;

	if (copy_to_user(r, &c->uid, 4) || copy_to_user(e, &c->euid, 4) ||
	    copy_to_user(s, &c->suid, 4))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresgid, struct uptr, r, struct uptr, e, struct uptr, s)
{
	const struct cred *c = current->cred;

	if (copy_to_user(r, &c->gid, 4) || copy_to_user(e, &c->egid, 4) ||
	    copy_to_user(s, &c->sgid, 4))
		return -EFAULT;
	return 0;
}

/* setresuid(2): -1 keeps a field; unprivileged callers may only use
 * their current real, effective or saved ids. */
SYSCALL_DEFINE3(setresuid, uid_t, r, uid_t, e, uid_t, s)
{
	const struct cred *old = current->cred;
	struct cred *new;

	if (!has_capability(old, CAP_SETUID)) {
		uid_t ok[3] = { old->uid, old->euid, old->suid };
		uid_t want[3] = { r, e, s };

		for (int i = 0; i < 3; i++)
			if (want[i] != (uid_t)-1 && want[i] != ok[0] &&
			    want[i] != ok[1] && want[i] != ok[2])
				return -EPERM;
	}
	new = prepare_creds(old);
	if (!new)
		return -ENOMEM;
	if (r != (uid_t)-1)
		new->uid = r;
	if (e != (uid_t)-1)
		new->euid = e;
	if (s != (uid_t)-1)
		new->suid = s;
	new->fsuid = new->euid;
	commit_creds(new);
	return 0;
}

SYSCALL_DEFINE3(setresgid, gid_t, r, gid_t, e, gid_t, s)
{
	const struct cred *old = current->cred;
	struct cred *new;

	if (!has_capability(old, CAP_SETGID)) {
		gid_t ok[3] = { old->gid, old->egid, old->sgid };
		gid_t want[3] = { r, e, s };

		for (int i = 0; i < 3; i++)
			if (want[i] != (gid_t)-1 && want[i] != ok[0] &&
			    want[i] != ok[1] && want[i] != ok[2])
				return -EPERM;
	}
	new = prepare_creds(old);
	if (!new)
		return -ENOMEM;
	if (r != (gid_t)-1)
		new->gid = r;
	if (e != (gid_t)-1)
		new->egid = e;
	if (s != (gid_t)-1)
		new->sgid = s;
	new->fsgid = new->egid;
	commit_creds(new);
	return 0;
}

/* setuid(2): root sets all three; others only the effective id. */
SYSCALL_DEFINE1(setuid, uid_t, uid)
{
	const struct cred *old = current->cred;

	if (has_capability(old, CAP_SETUID))
		return sys_setresuid(uid, uid, uid);
	if (uid != old->uid && uid != old->suid)
		return -EPERM;
	return sys_setresuid(-1, uid, -1);
}

SYSCALL_DEFINE1(setgid, gid_t, gid)
{
	const struct cred *old = current->cred;

	if (has_capability(old, CAP_SETGID))
		return sys_setresgid(gid, gid, gid);
	if (gid != old->gid && gid != old->sgid)
		return -EPERM;
	return sys_setresgid(-1, gid, -1);
}

/* setreuid(2): the saved id follows the new effective id when the real id
 * is set or the effective id differs from the old real id. */
SYSCALL_DEFINE2(setreuid, uid_t, r, uid_t, e)
{
	const struct cred *old = current->cred;
	uid_t s = -1;
	struct cred *n;

	if (!has_capability(old, CAP_SETUID)) {
		if (r != (uid_t)-1 && r != old->uid && r != old->euid)
			return -EPERM;
		if (e != (uid_t)-1 && e != old->uid && e != old->euid &&
		    e != old->suid)
			return -EPERM;
	}
	if (r != (uid_t)-1 || (e != (uid_t)-1 && e != old->uid))
		s = e != (uid_t)-1 ? e : old->euid;
	n = prepare_creds(old);
	if (!n)
		return -ENOMEM;
	if (r != (uid_t)-1)
		n->uid = r;
	if (e != (uid_t)-1)
		n->euid = e;
	if (s != (uid_t)-1)
		n->suid = s;
	n->fsuid = n->euid;
	commit_creds(n);
	return 0;
}

SYSCALL_DEFINE2(setregid, gid_t, r, gid_t, e)
{
	const struct cred *old = current->cred;
	gid_t s = -1;
	struct cred *n;

	if (!has_capability(old, CAP_SETGID)) {
		if (r != (gid_t)-1 && r != old->gid && r != old->egid)
			return -EPERM;
		if (e != (gid_t)-1 && e != old->gid && e != old->egid &&
		    e != old->sgid)
			return -EPERM;
	}
	if (r != (gid_t)-1 || (e != (gid_t)-1 && e != old->gid))
		s = e != (gid_t)-1 ? e : old->egid;
	n = prepare_creds(old);
	if (!n)
		return -ENOMEM;
	if (r != (gid_t)-1)
		n->gid = r;
	if (e != (gid_t)-1)
		n->egid = e;
	if (s != (gid_t)-1)
		n->sgid = s;
	n->fsgid = n->egid;
	commit_creds(n);
	return 0;
}

SYSCALL_DEFINE1(setfsuid, uid_t, uid)
{
	const struct cred *old = current->cred;
	uid_t prev = old->fsuid;
	struct cred *n;

	if (uid == (uid_t)-1)
		return prev;
	if (!has_capability(old, CAP_SETUID) && uid != old->uid && uid != old->euid &&
	    uid != old->suid && uid != old->fsuid)
		return prev;
	n = prepare_creds(old);
	if (n) {
		n->fsuid = uid;
		commit_creds(n);
	}
	return prev;
}

SYSCALL_DEFINE1(setfsgid, gid_t, gid)
{
	const struct cred *old = current->cred;
	gid_t prev = old->fsgid;
	struct cred *n;

	if (gid == (gid_t)-1)
		return prev;
	if (!has_capability(old, CAP_SETGID) && gid != old->gid && gid != old->egid &&
	    gid != old->sgid && gid != old->fsgid)
		return prev;
	n = prepare_creds(old);
	if (n) {
		n->fsgid = gid;
		commit_creds(n);
	}
	return prev;
}

SYSCALL_DEFINE2(getgroups, int, size, struct uptr, list)
{
	const struct cred *c = current->cred;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if (size < c->ngroups)
		return -EINVAL;
	if (copy_to_user(list, c->groups, c->ngroups * sizeof(gid_t)))
		return -EFAULT;
	return c->ngroups;
}

SYSCALL_DEFINE2(setgroups, int, size, struct uptr, list)
{
	struct cred *n;

	if (!has_capability(current->cred, CAP_SETGID))
		return -EPERM;
	if (size < 0 || size > NGROUPS_MAX_GUEST)
		return -EINVAL;
	n = prepare_creds(current->cred);
	if (!n)
		return -ENOMEM;
	if (copy_from_user(n->groups, list, size * sizeof(gid_t))) {
		put_cred(n);
		return -EFAULT;
	}
	n->ngroups = size;
	commit_creds(n);
	return 0;
}

static bool session_has_pgrp(pid_t session, pid_t pgrp)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (thread_group_leader(t) && !t->zombie &&
		    t->signal->pgrp == pgrp && t->signal->session == session)
			return true;
	return false;
}

/* setpgid(2): -ESRCH not us or our child, -EACCES child has exec'd,
 * -EPERM other session / session leader / no such group there. */
SYSCALL_DEFINE2(setpgid, pid_t, pid, pid_t, pgid)
{
	struct task *me = current->group_leader, *p;

	if (pgid < 0)
		return -EINVAL;
	if (!pid)
		pid = me->tgid;
	if (!pgid)
		pgid = pid;
	p = find_task_by_pid(pid);
	if (!p || p->tgid != pid)
		return -ESRCH;
	p = p->group_leader;
	if (p != me) {
		if (p->real_parent != me)
			return -ESRCH;
		if (p->signal->session != me->signal->session)
			return -EPERM;
		if (p->did_exec)
			return -EACCES;
	}
	if (p->signal->session == p->tgid)
		return -EPERM;
	if (pgid != pid && !session_has_pgrp(me->signal->session, pgid))
		return -EPERM;
	p->signal->pgrp = pgid;
	return 0;
}

SYSCALL_DEFINE1(getpgid, pid_t, pid)
{
	struct task *p = pid ? find_task_by_pid(pid) : current;

	if (!p)
		return -ESRCH;
	return p->signal->pgrp;
}

SYSCALL_DEFINE0(getpgrp) { return current->signal->pgrp; }

SYSCALL_DEFINE1(getsid, pid_t, pid)
{
	struct task *p = pid ? find_task_by_pid(pid) : current;

	if (!p)
		return -ESRCH;
	return p->signal->session;
}

SYSCALL_DEFINE0(setsid)
{
	struct task *me = current->group_leader;
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (!t->zombie && t->signal->pgrp == me->tgid)
			return -EPERM;
	me->signal->session = me->tgid;
	me->signal->pgrp = me->tgid;
	me->signal->tty = NULL;
	return me->tgid;
}

static int check_rlimit(int resource, const struct rlimit *r)
{
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (r && r->rlim_cur > r->rlim_max)
		return -EINVAL;
	return 0;
}

SYSCALL_DEFINE4(prlimit64, pid_t, pid, int, resource, struct uptr, new_rlim, struct uptr, old_rlim)
{
	struct task *t = pid ? find_task_by_pid(pid) : current;
	struct rlimit new, *cur;
	int err;

	if (!t)
		return -ESRCH;
	err = check_rlimit(resource, NULL);
	if (err)
		return err;
	if (!uptr_null(new_rlim)) {
		if (copy_from_user(&new, new_rlim, sizeof(new)))
			return -EFAULT;
		err = check_rlimit(resource, &new);
		if (err)
			return err;
	}
	cur = &t->signal->rlim[resource];
	if (!uptr_null(old_rlim) && copy_to_user(old_rlim, cur, sizeof(*cur)))
		return -EFAULT;
	if (!uptr_null(new_rlim)) {
		if (new.rlim_max > cur->rlim_max && !has_capability(current->cred, CAP_SYS_RESOURCE))
			return -EPERM;
		if (resource == RLIMIT_NOFILE && new.rlim_max > 1048576)
			return -EPERM;
		*cur = new;
		/* The host grows the guest's stack: it needs the limit. */
		if (resource == RLIMIT_STACK && t->mm && t->mm->host_pid > 0)
			os_prlimit(t->mm->host_pid, RLIMIT_STACK, new.rlim_cur);
	}
	return 0;
}

SYSCALL_DEFINE2(getrlimit, int, resource, struct uptr, r)
{
	return sys_prlimit64(0, resource, UPTR(0), r);
}

SYSCALL_DEFINE2(setrlimit, int, resource, struct uptr, r)
{
	return sys_prlimit64(0, resource, r, UPTR(0));
}

static void ns_to_timeval(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = ns / 1000000000;
	tv->tv_usec = (ns % 1000000000) / 1000;
}

/* CPU time of t's process: its live host threads, and what its threads
 * that are gone left in signal (kernel/exit.c). */
static void process_times(struct task *t, uint64_t *ut, uint64_t *st)
{
	os_task_times(t->mm->host_pid, false, ut, st);
	*ut += t->signal->utime_ns;
	*st += t->signal->stime_ns;
}

SYSCALL_DEFINE2(getrusage, int, who, struct uptr, ru)
{
	struct rusage r;

	uint64_t ut = 0, st = 0;

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	if (who == RUSAGE_CHILDREN) {
		ut = current->signal->cutime_ns;
		st = current->signal->cstime_ns;
	} else if (who == RUSAGE_THREAD) {
		os_task_times(current->host_tid, true, &ut, &st);
	} else {
		process_times(current, &ut, &st);
	}
	ns_to_timeval(ut, &r.ru_utime);
	ns_to_timeval(st, &r.ru_stime);
	return copy_to_user(ru, &r, sizeof(r)) ? -EFAULT : 0;
}

SYSCALL_DEFINE1(times, struct uptr, buf)
{
	struct tms t = { 0 };
	uint64_t ut = 0, st = 0;

	process_times(current, &ut, &st);
	t.tms_utime = ut / 10000000;
	t.tms_stime = st / 10000000;
	t.tms_cutime = current->signal->cutime_ns / 10000000;
	t.tms_cstime = current->signal->cstime_ns / 10000000;

	if (!uptr_null(buf) && copy_to_user(buf, &t, sizeof(t)))
		return -EFAULT;
	return ktime_get_ns() / 10000000 + 1;	/* clock ticks since boot */
}

SYSCALL_DEFINE1(uname, struct uptr, name)
{
	return copy_to_user(name, &init_uts, sizeof(init_uts)) ? -EFAULT : 0;
}

static long set_uts_field(char *field, struct uptr name, int len)
{
	char buf[65];

	if (!capable(current->cred))
		return -EPERM;
	if (len < 0 || len > 64)
		return -EINVAL;
	if (copy_from_user(buf, name, len))
		return -EFAULT;
	buf[len] = 0;
	memcpy(field, buf, len + 1);
	return 0;
}

SYSCALL_DEFINE2(sethostname, struct uptr, name, int, len)
{
	return set_uts_field(init_uts.nodename, name, len);
}

SYSCALL_DEFINE2(setdomainname, struct uptr, name, int, len)
{
	return set_uts_field(init_uts.domainname, name, len);
}

SYSCALL_DEFINE1(sysinfo, struct uptr, info)
{
	struct sysinfo si;
	int procs = 0;
	struct task *t;

	memset(&si, 0, sizeof(si));
	list_for_each_entry(t, &task_list, tasks)
		procs++;
	si.uptime = ktime_get_ns() / 1000000000;
	si.totalram = totalram_bytes;
	si.freeram = totalram_bytes - min(guest_ram_used(), totalram_bytes);
	si.procs = procs;
	si.mem_unit = 1;
	return copy_to_user(info, &si, sizeof(si)) ? -EFAULT : 0;
}

SYSCALL_DEFINE5(prctl, int, option, unsigned long, a2, unsigned long, a3, unsigned long, a4, unsigned long, a5)
{
	char name[16];

	switch (option) {
	case PR_SET_NAME:
		if (strncpy_from_user(name, UPTR(a2), sizeof(name)) < 0) {
			if (copy_from_user(name, UPTR(a2), sizeof(name) - 1))
				return -EFAULT;
		}
		name[15] = 0;
		strcpy(current->comm, name);
		return 0;
	case PR_GET_NAME:
		return copy_to_user(UPTR(a2), current->comm, 16) ? -EFAULT : 0;
	case PR_SET_PDEATHSIG:
		if (a2 > KSIGNAL_MAX)
			return -EINVAL;
		current->pdeath_signal = a2;
		return 0;
	case PR_GET_PDEATHSIG:
		return copy_to_user(UPTR(a2), &current->pdeath_signal, 4) ?
		       -EFAULT : 0;
	case PR_GET_DUMPABLE:
		return !current->mm->not_dumpable;
	case PR_SET_DUMPABLE:
		if (a2 > 1)
			return -EINVAL;
		current->mm->not_dumpable = !a2;
		return 0;
	case PR_SET_CHILD_SUBREAPER:
		current->signal->is_child_subreaper = a2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v = current->signal->is_child_subreaper;

		return copy_to_user(UPTR(a2), &v, sizeof(v)) ? -EFAULT : 0;
	}
	case PR_SET_TIMERSLACK:
		current->timer_slack_ns = a2 ? a2 :
					  current->default_timer_slack_ns;
		return 0;
	case PR_GET_TIMERSLACK:
		return current->timer_slack_ns ? (long)current->timer_slack_ns :
		       TIMER_SLACK_DEFAULT_NS;
	default:
		return cap_prctl(option, a2, a3, a4, a5);
	}
}

SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (which == PRIO_PROCESS && who && !find_task_by_pid(who))
		return -ESRCH;
	return 20 - current->nice;	/* the syscall's biased form */
}

SYSCALL_DEFINE3(setpriority, int, which, int, who, int, niceval)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (which == PRIO_PROCESS && who && !find_task_by_pid(who))
		return -ESRCH;
	niceval = max(-20, min(19, niceval));
	if (niceval < current->nice && !has_capability(current->cred, CAP_SYS_NICE))
		return -EACCES;
	current->nice = niceval;
	return 0;
}

SYSCALL_DEFINE0(sched_yield)
{
	schedule_yield();
	return 0;
}

SYSCALL_DEFINE1(sched_getscheduler, pid_t, pid)
{
	if (pid < 0)
		return -EINVAL;
	if (pid && !find_task_by_pid(pid))
		return -ESRCH;
	return SCHED_OTHER;
}

SYSCALL_DEFINE2(sched_getparam, pid_t, pid, struct uptr, param)
{
	struct sched_param p = { 0 };

	if (pid < 0 || uptr_null(param))
		return -EINVAL;
	if (pid && !find_task_by_pid(pid))
		return -ESRCH;
	return copy_to_user(param, &p, sizeof(p)) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(sched_setscheduler, pid_t, pid, int, policy, struct uptr, param)
{
	struct sched_param p;

	if (pid < 0 || uptr_null(param))
		return -EINVAL;
	if (copy_from_user(&p, param, sizeof(p)))
		return -EFAULT;
	if (pid && !find_task_by_pid(pid))
		return -ESRCH;
	policy &= ~SCHED_RESET_ON_FORK;
	switch (policy) {
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE:
		return p.sched_priority ? -EINVAL : 0;
	case SCHED_FIFO: case SCHED_RR:
		if (p.sched_priority < 1 || p.sched_priority > 99)
			return -EINVAL;
		return -EPERM;	/* no real-time scheduling of host threads */
	default:
		return -EINVAL;
	}
}

/* Every task's policy is SCHED_OTHER: the same checks as setscheduler. */
SYSCALL_DEFINE2(sched_setparam, pid_t, pid, struct uptr, param)
{
	return sys_sched_setscheduler(pid, SCHED_OTHER, param);
}

SYSCALL_DEFINE1(sched_get_priority_max, int, policy)
{
	switch (policy) {
	case SCHED_FIFO: case SCHED_RR: return 99;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
	default: return -EINVAL;
	}
}

SYSCALL_DEFINE1(sched_get_priority_min, int, policy)
{
	switch (policy) {
	case SCHED_FIFO: case SCHED_RR: return 1;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
	default: return -EINVAL;
	}
}

SYSCALL_DEFINE3(sched_setaffinity, pid_t, pid, unsigned int, len, struct uptr, mask)
{
	unsigned long m = 0;

	if (pid && !find_task_by_pid(pid))
		return -ESRCH;
	if (len < 1)
		return -EINVAL;
	if (copy_from_user(&m, mask, min(len, (unsigned int)sizeof(m))))
		return -EFAULT;
	return (m & 1) ? 0 : -EINVAL;
}

SYSCALL_DEFINE3(sched_getaffinity, pid_t, pid, unsigned int, len, struct uptr, mask)
{
	unsigned long m = 1;

	if (pid && !find_task_by_pid(pid))
		return -ESRCH;
	if (len < sizeof(m) || (len & (sizeof(m) - 1)))
		return -EINVAL;
	if (clear_user(mask, len) || copy_to_user(mask, &m, sizeof(m)))
		return -EFAULT;
	return sizeof(m);
}

SYSCALL_DEFINE3(getcpu, struct uptr, cpu, struct uptr, node, struct uptr, unused)
{
	unsigned int zero = 0;

	if (!uptr_null(cpu) && copy_to_user(cpu, &zero, 4))
		return -EFAULT;
	if (!uptr_null(node) && copy_to_user(node, &zero, 4))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getrandom, struct uptr, buf, size_t, count, unsigned int, flags)
{
	char tmp[256];
	size_t done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	count = min(count, (size_t)INT32_MAX);
	while (done < count) {
		size_t chunk = min(count - done, sizeof(tmp));

		if (os_getrandom(tmp, chunk) < 0)
			return done ? (long)done : -EIO;
		if (copy_to_user(uptr_add(buf, done), tmp, chunk))
			return done ? (long)done : -EFAULT;
		done += chunk;
	}
	return done;
}

/* Ctrl-Alt-Del restarts (reboot(2) CAD_ON, the default) or is SIGINT to
 * init (CAD_OFF), as Linux kernel/reboot.c. */
static bool C_A_D = true;

void ctrl_alt_del(void)
{
	siginfo_t info = { .si_signo = SIGINT, .si_code = SI_KERNEL };

	if (C_A_D)
		machine_restart_or_halt(LINUX_REBOOT_CMD_RESTART);
	if (init_task && task_alive(init_task))
		send_sig_info(SIGINT, &info, init_task, true);
}

SYSCALL_DEFINE4(reboot, int, magic1, int, magic2, unsigned int, cmd, struct uptr, arg)
{
	if (magic1 != (int)LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	if (!has_capability(current->cred, CAP_SYS_BOOT))
		return -EPERM;
	switch (cmd) {
	case LINUX_REBOOT_CMD_CAD_ON:
		C_A_D = true;
		return 0;
	case LINUX_REBOOT_CMD_CAD_OFF:
		C_A_D = false;
		return 0;
	case LINUX_REBOOT_CMD_RESTART:
	case LINUX_REBOOT_CMD_RESTART2:
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_POWER_OFF:
		machine_restart_or_halt(cmd);
	default:
		return -EINVAL;
	}
}
