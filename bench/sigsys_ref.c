/*
 * sigsys_ref: the physical limit of umk's seccomp mode. A child runs a tight
 * getppid() loop under a seccomp filter (libseccomp) whose only rule traps
 * getppid (SECCOMP_RET_TRAP); its SIGSYS handler answers every call, and
 * does nothing else.
 *
 *   sigsys_ref local ITERS   the handler writes the answer into the frame's
 *                            rax itself: signal delivery and rt_sigreturn
 *                            alone (no second process)
 *   sigsys_ref futex ITERS   the handler posts the call number to the
 *                            parent through a shared page (FUTEX_WAKE on
 *                            the request word) and sleeps until the answer
 *                            is there (FUTEX_WAIT on the reply word); the
 *                            parent sleeps in FUTEX_WAIT, answers and wakes
 *                            it (seccomp mode's floor: a trap, two
 *                            processes, a futex round trip)
 *
 * Neither side spins: umk's kernel thread spins a little before it sleeps
 * (seccomp/seccomp.c), which pays off only when the two sides run on
 * different CPUs.
 *
 * Prints "sigsys-MODE iters=N ns_per_op=X ctxsw_per_call=Y", where the
 * context switches are the host's own count (child and parent, voluntary and
 * involuntary) over the timed calls.
 */
#include <errno.h>
#include <linux/futex.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define WARMUP 100

/* The page the child and the parent share. */
struct channel {
	_Atomic uint32_t req;	/* sequence number of the last call posted */
	_Atomic uint32_t reply;	/* sequence number of the last call answered */
	long nr, ret;		/* the call and its answer */
	double ns;		/* the child's timed loop, per call */
	long child_ctxsw;	/* the child's context switches in that loop */
};

static struct channel *chan;
static bool to_parent;

static void die(const char *what)
{
	fprintf(stderr, "sigsys_ref: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long self_ctxsw(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

/* Shared futexes: the two words live in a MAP_SHARED page of two processes. */
static void futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void futex_wait(_Atomic uint32_t *word, uint32_t old)
{
	syscall(SYS_futex, word, FUTEX_WAIT, old, NULL, NULL, 0);
}

/* Post a call to the parent and sleep until it answered; its answer. */
static long call_parent(long nr)
{
	uint32_t seq = atomic_load(&chan->req) + 1;

	chan->nr = nr;
	atomic_store(&chan->req, seq);
	futex_wake(&chan->req);
	while (atomic_load(&chan->reply) != seq)
		futex_wait(&chan->reply, seq - 1);
	return chan->ret;
}

/* SIGSYS: the trapped call is in the frame's rax; its answer goes there. */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	greg_t *regs = ((ucontext_t *)ctx)->uc_mcontext.gregs;

	(void)sig;
	(void)si;
	regs[REG_RAX] = to_parent ? call_parent(regs[REG_RAX]) : 4242;
}

static void trap_getppid(void)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	int err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		die("sigaction SIGSYS");
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		errno = ENOMEM;
		die("seccomp_init");
	}
	err = seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(getppid), 0);
	if (!err)
		err = seccomp_load(ctx);	/* sets no_new_privs first */
	seccomp_release(ctx);
	if (err) {
		errno = -err;
		die("seccomp filter");
	}
}

/* The traced side: warm up, time ITERS trapped calls, report, leave. */
static void child(long iters)
{
	double start;
	long cs;

	trap_getppid();
	for (long i = 0; i < WARMUP; i++)
		if (syscall(SYS_getppid) != 4242)
			_exit(3);
	cs = self_ctxsw();
	start = now_ns();
	for (long i = 0; i < iters; i++)
		syscall(SYS_getppid);
	chan->ns = (now_ns() - start) / iters;
	chan->child_ctxsw = self_ctxsw() - cs;
	if (to_parent)
		call_parent(-1);		/* done: no trap, a plain post */
	_exit(0);
}

/* The answering side: serve calls until the child posts -1. */
static long parent(long iters)
{
	uint32_t seen = 0, seq;
	long calls = 0, cs = 0;

	for (;;) {
		while ((seq = atomic_load(&chan->req)) == seen)
			futex_wait(&chan->req, seen);
		seen = seq;
		if (chan->nr == -1)
			break;
		if (chan->nr != SYS_getppid) {
			fprintf(stderr, "sigsys_ref: call %ld\n", chan->nr);
			exit(1);
		}
		if (++calls == WARMUP + 1)
			cs = self_ctxsw();
		chan->ret = 4242;
		atomic_store(&chan->reply, seq);
		futex_wake(&chan->reply);
	}
	cs = self_ctxsw() - cs;
	atomic_store(&chan->reply, seen);
	futex_wake(&chan->reply);
	if (calls != WARMUP + iters) {
		fprintf(stderr, "sigsys_ref: saw %ld calls, expected %ld\n",
			calls, WARMUP + iters);
		exit(1);
	}
	return cs;
}

int main(int argc, char **argv)
{
	long iters, parent_cs = 0;
	int status;
	pid_t pid;

	if (argc != 3 || (strcmp(argv[1], "local") && strcmp(argv[1], "futex"))) {
		fprintf(stderr, "usage: sigsys_ref local|futex ITERS\n");
		return 2;
	}
	to_parent = strcmp(argv[1], "futex") == 0;
	iters = atol(argv[2]);
	if (iters <= 0)
		return 2;
	chan = mmap(NULL, sizeof(*chan), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (chan == MAP_FAILED)
		die("mmap");

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child(iters);
	if (to_parent)
		parent_cs = parent(iters);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "sigsys_ref: child status %#x\n", status);
		return 1;
	}
	printf("sigsys-%s iters=%ld ns_per_op=%.1f ctxsw_per_call=%.2f\n",
	       argv[1], iters, chan->ns,
	       (double)(chan->child_ctxsw + parent_cs) / iters);
	return 0;
}
