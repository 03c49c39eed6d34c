/*
 * CPU placement of guest threads (DESIGN.md, "Interception modes"): a
 * ptrace round trip is an order of magnitude dearer when tracer and tracee
 * wake each other across CPUs (HOST-NOTES), so before it resumes a task the
 * kernel thread binds the task's host thread to the CPU the kernel thread
 * is on, and only when that CPU changed (gVisor's ptrace platform does the
 * same). The kernel thread itself stays free to move, so compute-bound
 * guests still spread over the CPUs.
 */
#include <os.h>
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

int os_current_cpu(void)
{
	int cpu = sched_getcpu();	/* the vDSO: no system call */

	return cpu < 0 ? -errno : cpu;
}

int os_pin_thread(int tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set) < 0 ? -errno : 0;
}

int os_nr_cpus_allowed(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	return CPU_COUNT(&set);
}
