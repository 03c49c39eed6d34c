/*
 * System calls of other ABIs: int $0x80 and sysenter (i386 numbering) and
 * x32 (bit 0x40000000). umk serves neither, and must never let the host run one:
 * an i386 call made by int $0x80 whose number a tt kernel nulls to
 * x86-64's getpid (39) would be i386 mkdir(path) on the host.
 */
#include "probe.h"

static long int80(long nr, unsigned long a, unsigned long b)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b)
		     : "memory");
	return ret;
}

static const char *name(long ret)
{
	static char buf[32];

	if (ret < 0 && ret > -4096)
		return err_name(-ret);
	snprintf(buf, sizeof(buf), "%ld", ret);
	return buf;
}

/* sysenter from 64-bit code, with i386 mkdir(path) in the registers, in a
 * child: depending on the CPU it is an i386 call or an invalid opcode, and
 * either way the child cannot carry on. Refused: the child died of a
 * signal or got ENOSYS; it must never have created the path. */
static const char *sysenter(char *low)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		long ret;

		signal(SIGILL, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		asm volatile("mov %%rsp, %%rbp\n\tsysenter"
			     : "=a"(ret) : "a"(39L), "b"(low), "c"(0755)
			     : "rbp", "memory");
		_exit(ret == -ENOSYS ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid)
		return "lost";
	return WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 0) ?
	       "refused" : "served";
}

int main(int argc, char **argv)
{
	char *low;

	canary_init(argc, argv);
	/* i386 calls take 32-bit pointers: the path lives below 4 GiB. */
	low = mmap((void *)0x10000000, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (low == MAP_FAILED) {
		say("no low page: %s", err_name(errno));
		return 1;
	}
	strcpy(low, canary_created);
	say("int80_creat: %s", name(int80(8, (unsigned long)low, 0644)));
	say("int80_mkdir: %s", name(int80(39, (unsigned long)low, 0755)));
	say("int80_open: %s", name(int80(5, (unsigned long)low, O_CREAT | O_WRONLY)));
	say("sysenter_mkdir: %s", sysenter(low));
	say("x32_creat: %s", name(syscall(0x40000000 | 85, low, 0644) < 0 ?
				  -errno : 0));
	say("DONE abi");
	return 0;
}
