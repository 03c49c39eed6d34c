/*
 * rt_sigreturn must never make the host run guest code's own `syscall`
 * instruction: a second thread flips the two bytes of the restorer's
 * syscall into a jump to a gadget that creates CANARY/created, while the
 * first thread takes signals. A kernel that served rt_sigreturn by letting
 * the host re-run the instruction at rip - 2 runs the gadget's creat() on
 * the host. Served by umk from the frame, the gadget (if guest code ever
 * runs it) is a guest call like any other.
 */
#include "probe.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define ROUNDS 3000

/* The restorer and the gadget, copied into an rwx page:
 *   0: nop ; 1: mov $15, %eax ; 6: syscall ; 8: hlt
 *   16 (gadget): mov $85 (creat), %eax ; mov path, %rdi ; mov $0644, %esi
 *                syscall ; mov $15, %eax ; syscall ; hlt */
static unsigned char *page;

static void handler(int sig)
{
	(void)sig;
}

static void *flipper(void *arg)
{
	atomic_int *stop = arg;
	volatile uint16_t *insn = (volatile uint16_t *)(page + 6);

	/* One aligned 16-bit store each: the bytes are always one whole
	 * instruction, `syscall` or `jmp gadget`. */
	while (!atomic_load(stop)) {
		*insn = 0xeb | (16 - 8) << 8;	/* jmp rel8 to the gadget */
		*insn = 0x0f | 0x05 << 8;	/* syscall */
	}
	return NULL;
}

struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

int main(int argc, char **argv)
{
	static const unsigned char restorer[] = {
		0x90, 0xb8, 15, 0, 0, 0, 0x0f, 0x05, 0xf4,
	};
	struct kernel_sigaction ka = { .handler = handler,
				       .flags = 0x04000000 /* SA_RESTORER */ };
	unsigned char *g;
	atomic_int stop = 0;
	pthread_t th;
	unsigned long path;

	canary_init(argc, argv);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(page, restorer, sizeof(restorer));
	path = (unsigned long)page + 256;
	strcpy((char *)page + 256, canary_created);
	g = page + 16;
	*g++ = 0xb8; *g++ = 85; *g++ = 0; *g++ = 0; *g++ = 0;	/* creat */
	*g++ = 0x48; *g++ = 0xbf;				/* movabs rdi */
	memcpy(g, &path, 8); g += 8;
	*g++ = 0xbe; *g++ = 0xa4; *g++ = 0x01; *g++ = 0; *g++ = 0; /* 0644 */
	*g++ = 0x0f; *g++ = 0x05;
	*g++ = 0xb8; *g++ = 15; *g++ = 0; *g++ = 0; *g++ = 0;
	*g++ = 0x0f; *g++ = 0x05;
	*g++ = 0xf4;
	ka.restorer = (void (*)(void))page;
	syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8);
	pthread_create(&th, NULL, flipper, &stop);
	for (int i = 0; i < ROUNDS; i++)
		syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	say("signals_taken: %d", ROUNDS);
	say("DONE sigreturn_race");
	return 0;
}
