/*
 * Helpers of the escape probes (tests/security/run.sh): each probe tries a
 * route from guest code to the host and prints one deterministic line per
 * attempt. The harness plants a canary directory on the host, outside the
 * image, and passes its path as argv[1]: CANARY/secret holds a secret that
 * must never appear in a probe's output, CANARY/created must never exist.
 * Probes are written to succeed against a umk without the protection they
 * check (the note of issue 8 shows them against the older main).
 */
#ifndef UMK_PROBE_H
#define UMK_PROBE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* umk's stub (arch/um/include/stub.h): code, request page, host output. */
#define STUB_START	0x7ff000000000UL
#define STUB_CODE	STUB_START
#define STUB_SYSCALL	(STUB_START + 0x10)
#define STUB_BATCH	(STUB_START + 0x20)
#define STUB_DATA	(STUB_START + 0x10000UL)
#define STUB_RW		(STUB_START + 0x20000UL)
#define STUB_END	(STUB_START + 0x30000UL)

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static const char *err_name(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* "0" or the errno's name of a raw syscall result. */
static __attribute__((unused)) const char *res(long r)
{
	static char buf[32];

	if (r >= 0) {
		snprintf(buf, sizeof(buf), "%ld", r);
		return buf;
	}
	return err_name(errno);
}

/* Faults caught per thread: a store into a page that refuses it. */
static __thread sigjmp_buf *fault_jmp;

static void fault_handler(int sig)
{
	if (fault_jmp)
		siglongjmp(*fault_jmp, sig);
	_exit(100 + sig);
}

static void catch_faults(void)
{
	struct sigaction sa = { .sa_handler = fault_handler,
				.sa_flags = SA_NODEFER };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}

/* Store one byte at addr: 0, or the signal it raised. */
static __attribute__((unused)) int try_store(unsigned long addr, unsigned char v)
{
	sigjmp_buf jb;
	int sig;

	fault_jmp = &jb;
	sig = sigsetjmp(jb, 0);		/* no mask saved: no system call */
	if (!sig)
		*(volatile unsigned char *)addr = v;
	fault_jmp = NULL;
	return sig;
}

/* The canary: its secret and the path that must never be created. */
static char canary_secret[256], canary_created[512];

static void canary_init(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CANARY-DIR\n", argv[0]);
		exit(2);
	}
	snprintf(canary_secret, sizeof(canary_secret), "%s/secret", argv[1]);
	snprintf(canary_created, sizeof(canary_created), "%s/created", argv[1]);
	catch_faults();
}

#endif
