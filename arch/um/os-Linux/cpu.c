/*
 * CPU placement of guest threads (DESIGN.md, "Interception modes"): a
 * ptrace round trip is an order of magnitude dearer when tracer and tracee
 * wake each other across CPUs (HOST-NOTES), so before it resumes a task the
 * kernel thread binds the task's host thread to the CPU the kernel thread
 * is on, and only when that CPU changed (gVisor's ptrace platform does the
 * same). The kernel thread binds itself too (the host would otherwise move
 * it now and then, and every task with it); a task that computes for long
 * between stops is let free on every CPU instead, so compute-bound guests
 * still spread over the CPUs (arch/um/ptrace/ptrace.c, ptrace_resume).
 */
#include <os.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

int os_current_cpu(void)
{
	int cpu = sched_getcpu();	/* the vDSO: no system call */

	return cpu < 0 ? -errno : cpu;
}

/* The CPUs umk was started with (taskset's), kept before any pinning. */
static cpu_set_t boot_set;
static bool boot_set_saved;

static void save_boot_set(void)
{
	if (!boot_set_saved &&
	    sched_getaffinity(getpid(), sizeof(boot_set), &boot_set) == 0)
		boot_set_saved = true;
}

int os_pin_thread(int tid, int cpu)
{
	cpu_set_t set;

	save_boot_set();
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set) < 0 ? -errno : 0;
}

int os_unpin_thread(int tid)
{
	save_boot_set();
	if (!boot_set_saved)
		return -EINVAL;
	return sched_setaffinity(tid, sizeof(boot_set), &boot_set) < 0 ?
	       -errno : 0;
}

int os_nr_cpus_allowed(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	return CPU_COUNT(&set);
}
