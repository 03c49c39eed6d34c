/*
 * A guest tracer against the stub: PEEK/POKE, process_vm_readv/writev and
 * /proc/PID/mem on every stub page of its tracee, debug registers on stub
 * addresses, and the tracee's registers pointed at the stub's syscall
 * instruction (with CONT and with single steps) or switched to 32-bit code
 * making an int $0x80 call. Nothing reaches the stub's pages, the stub's
 * instructions only make ordinary guest calls (served in the guest's VFS,
 * where CANARY does not exist; in seccomp mode the stub's filter kills the
 * process instead), and an i386 call is ENOSYS.
 */
#include "probe.h"
#include <stdint.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

static long pt(int req, pid_t pid, unsigned long addr, unsigned long data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

static int wait_stop(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, __WALL) < 0)
		return -1;
	return st;
}

static const char *stop_str(int st)
{
	static char buf[48];

	if (st < 0)
		return "wait failed";
	if (WIFSTOPPED(st))
		snprintf(buf, sizeof(buf), "stopped %s", sigabbrev_np(WSTOPSIG(st)));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "killed %s", sigabbrev_np(WTERMSIG(st)));
	else
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
	return buf;
}

/* 32-bit code for the compat test: exit(3) through int $0x80, then a
 * privileged instruction (SIGSEGV) should the call return. */
asm(".pushsection .text\n"
    ".code32\n"
    "compat_code:\n\t"
    "movl $1, %eax\n\t"
    "movl $3, %ebx\n\t"
    "int $0x80\n\t"
    "hlt\n"
    ".code64\n"
    ".popsection\n");
extern char compat_code[];

static pid_t stopped_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(90);
		raise(SIGSTOP);
		_exit(0);
	}
	wait_stop(pid);
	return pid;
}

static void memory_routes(pid_t pid)
{
	int peek = 0, poke = 0, vmr = 0, vmw = 0, memr = 0, memw = 0;
	char path[64], buf[8];
	int fd;

	if (mount("proc", "/proc", "proc", 0, NULL) && errno != EBUSY)
		say("mount proc: %s", err_name(errno));
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR);
	if (fd < 0)
		say("open mem: %s", err_name(errno));
	for (unsigned long p = STUB_START; p < STUB_END; p += 4096) {
		unsigned long word = 0;
		struct iovec l = { buf, 8 }, r = { (void *)p, 8 };

		peek += pt(PTRACE_PEEKDATA, pid, p, (unsigned long)&word) == 0;
		poke += pt(PTRACE_POKEDATA, pid, p, 0xcc) == 0;
		vmr += process_vm_readv(pid, &l, 1, &r, 1, 0) > 0;
		vmw += process_vm_writev(pid, &l, 1, &r, 1, 0) > 0;
		memr += pread(fd, buf, 8, (off_t)p) > 0;
		memw += pwrite(fd, "\xcc", 1, (off_t)p) > 0;
	}
	say("peekdata succeeded on %d stub pages", peek);
	say("pokedata succeeded on %d stub pages", poke);
	say("process_vm_readv succeeded on %d stub pages", vmr);
	say("process_vm_writev succeeded on %d stub pages", vmw);
	say("proc mem read succeeded on %d stub pages", memr);
	say("proc mem write succeeded on %d stub pages", memw);
	if (fd >= 0)
		close(fd);
	errno = 0;
	say("dr0 at the stub's syscall: %s",
	    res(pt(PTRACE_POKEUSER, pid, offsetof(struct user, u_debugreg[0]),
		   STUB_SYSCALL)));
	say("dr1 just below the request page: %s",
	    res(pt(PTRACE_POKEUSER, pid, offsetof(struct user, u_debugreg[1]),
		   STUB_DATA - 4)));
}

/* The tracee's rip at the stub's `syscall; int3` with creat(CANARY/created)
 * in its registers (the path is at the same address in the child). */
static void jump_into_stub(pid_t pid, bool step)
{
	struct user_regs_struct r;
	int st = 0;

	pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
	r.rip = STUB_SYSCALL;
	r.rax = SYS_creat;
	r.rdi = (unsigned long)canary_created;
	r.rsi = 0644;
	say("setregs rip at stub: %s", res(pt(PTRACE_SETREGS, pid, 0,
					      (unsigned long)&r)));
	for (int i = 0; i < (step ? 2 : 1); i++) {
		pt(step ? PTRACE_SINGLESTEP : PTRACE_CONT, pid, 0, 0);
		st = wait_stop(pid);
		if (!WIFSTOPPED(st))
			break;
	}
	if (WIFSTOPPED(st)) {
		pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
		say("%s into the stub: %s, rax %s", step ? "step" : "cont",
		    stop_str(st), (long)r.rax < 0 ? err_name(-(long)r.rax) :
		    "not an error");
		pt(PTRACE_KILL, pid, 0, 0);
		wait_stop(pid);
	} else {
		/* seccomp mode: a syscall at the stub's site from guest
		 * registers is its filter's kill. */
		say("%s into the stub: %s", step ? "step" : "cont", stop_str(st));
	}
}

static void compat_call(pid_t pid)
{
	struct user_regs_struct r;
	int st;

	pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
	r.cs = 0x23;			/* the 32-bit user code segment */
	r.rip = (unsigned long)compat_code;
	say("setregs 32-bit cs: %s", res(pt(PTRACE_SETREGS, pid, 0,
					    (unsigned long)&r)));
	pt(PTRACE_CONT, pid, 0, 0);
	st = wait_stop(pid);
	pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
	say("int $0x80 exit: %s, eax %s", stop_str(st),
	    (int)r.rax < 0 ? err_name(-(int)r.rax) : "not an error");
	pt(PTRACE_KILL, pid, 0, 0);
	say("tracee: %s", stop_str(wait_stop(pid)));
}

int main(int argc, char **argv)
{
	pid_t pid;

	canary_init(argc, argv);
	pid = stopped_child();
	memory_routes(pid);
	pt(PTRACE_KILL, pid, 0, 0);
	wait_stop(pid);
	jump_into_stub(stopped_child(), false);
	jump_into_stub(stopped_child(), true);
	compat_call(stopped_child());
	say("DONE ptrace_stub");
	return 0;
}
