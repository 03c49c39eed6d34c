/*
 * The wall between the kernel and the host: every host system call the
 * kernel makes outside the mode engines goes through an os_*() function
 * (arch/um/os-Linux/), which returns a value or -errno and never touches
 * errno for its caller. Model: UML arch/um/os-Linux/.
 */
#ifndef UMK_OS_H
#define UMK_OS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdbool.h>

/* Fill buf with len random bytes from the host (getrandom). 0 or -errno. */
int os_getrandom(void *buf, size_t len);
/* Read a whole host file of at most len bytes into buf (host /proc files
 * that umk itself chooses, e.g. /proc/HOSTPID/maps). Length or -errno. */
long os_read_file(const char *path, char *buf, size_t len);
/* pread/pwrite/fdatasync/fstat size on a host fd umk opened. */
long os_pread(int fd, void *buf, size_t len, uint64_t off);
long os_pwrite(int fd, const void *buf, size_t len, uint64_t off);
int os_fdatasync(int fd);
int os_open(const char *path, int flags, int mode);
int os_close(int fd);
static inline int os_close_fd(int fd) { return os_close(fd); }
/* Size in bytes of the host file behind fd. */
long long os_file_size(int fd);
/* Write len bytes to the host fd, retrying short writes. 0 or -errno. */
int os_write_all(int fd, const void *buf, size_t len);
/* Host CLOCK_REALTIME / CLOCK_MONOTONIC in ns. */
uint64_t os_realtime_ns(void);
uint64_t os_monotonic_ns(void);
struct timespec;
/* Host clock_gettime/clock_getres for clk (a guest CPU clock id is first
 * translated to the host tid by the caller). 0 or -errno. */
int os_clock_gettime(int clk, struct timespec *ts);
int os_clock_getres(int clk, struct timespec *ts);

#endif

/* CPU time of host process pid (thread: of host thread tid), in ns, from
 * the host's /proc accounting; zeros when it is gone. */
void os_task_times(int id, bool thread, uint64_t *utime_ns, uint64_t *stime_ns);

/* Host context switches (voluntary + involuntary) of every thread of
 * host process pid, and of the calling host thread. */
uint64_t os_process_ctxsw(int pid);
uint64_t os_thread_ctxsw(void);

/* A host memfd (a page cache of umk's own) and its size. */
int os_memfd(const char *name);
int os_ftruncate(int fd, uint64_t size);

/* Drop every host capability, set no_new_privs, become child subreaper.
 * 0 or -errno. (arch/um/os-Linux/security.c) */
int os_drop_privileges(void);
int os_has_capabilities(void);
/* Exit umk now with status (after the kernel has shut down). */
void os_exit(int status) __attribute__((noreturn));
