/*
 * A second thread rewrites the stub's request page while the first makes
 * the kernel run stub batches: file mappings (which send a memfd to the
 * task), and now and then a thread's clone and a child's exec. Against a
 * stub whose requests the guest can write, the rewritten batch opens
 * CANARY/secret on the host and maps it into the guest, or creates
 * CANARY/created. The writer knows the request page's layout of
 * umk before issue 8 (count, done, 64 calls of 8 words, then the strings).
 */
#include "probe.h"
#include <pthread.h>
#include <stdatomic.h>

#define OLD_CALLS	(STUB_DATA + 16)
#define OLD_SCRATCH	(STUB_DATA + 16 + 64 * 64)
#define TRIES 2000

static atomic_int writer_state;		/* 0 running, 1 refused, 2 stopped */
static atomic_int stop;

static void *writer(void *arg)
{
	unsigned long call[8] = { SYS_openat, (unsigned long)AT_FDCWD,
				  OLD_SCRATCH, O_RDWR | O_CREAT, 0644 };

	(void)arg;
	for (unsigned long i = 0; !atomic_load(&stop); i++) {
		const char *path = i & 1 ? canary_created : canary_secret;
		int sig = 0;

		for (size_t k = 0; k <= strlen(path) && !sig; k++)
			sig = try_store(OLD_SCRATCH + k, path[k]);
		if (i & 1)
			for (int k = 0; k < 5 && !sig; k++)
				for (int b = 0; b < 8 && !sig; b++)
					sig = try_store(OLD_CALLS + k * 8 + b,
							call[k] >> (8 * b));
		if (sig) {
			atomic_store(&writer_state, 1);
			return NULL;
		}
	}
	atomic_store(&writer_state, 2);
	return NULL;
}

static void *nothing(void *arg)
{
	return arg;
}

/* A thread's clone and a child's exec, while the writer runs. */
static void clone_and_exec(void)
{
	pthread_t t;
	pid_t pid;

	if (pthread_create(&t, NULL, nothing, NULL) == 0)
		pthread_join(t, NULL);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	pthread_t th;
	volatile int mapped_host = 0;

	canary_init(argc, argv);
	pthread_create(&th, NULL, writer, NULL);
	for (int i = 0; i < TRIES; i++) {
		volatile int fd = open("/etc/passwd", O_RDONLY);
		char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			char head[64];
			sigjmp_buf jb;

			fault_jmp = &jb;
			if (!sigsetjmp(jb, 0)) {
				memcpy(head, p, sizeof(head));
				if (!memcmp(head, "UMK-SECRET", 10)) {
					mapped_host = 1;
					say("host file mapped: %.40s", head);
				}
			}
			fault_jmp = NULL;
			munmap(p, 4096);
		}
		close(fd);
		if (mapped_host)
			break;
		if (i % 100 == 99)
			clone_and_exec();
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	say("request_page_store: %s", atomic_load(&writer_state) == 1 ?
	    "refused" : "accepted");
	say("host_file_mapped: %s", mapped_host ? "yes" : "no");
	say("DONE race_stub");
	return 0;
}
