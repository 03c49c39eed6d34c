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


/* CPU time of host process pid (every thread it had, dead ones too) or,
 * with thread, of host thread tid, in ns, from the host's accounting
 * (clock_gettime(2) of the process's CPU clock; /proc/TID/schedstat and
 * stat for a thread); zeros when it is gone. */
void os_task_times(int id, bool thread, uint64_t *utime_ns, uint64_t *stime_ns);

/* Host context switches (voluntary + involuntary) of every thread of
 * host process pid; of the calling host thread; of every child umk has
 * reaped (getrusage RUSAGE_CHILDREN). */
uint64_t os_process_ctxsw(int pid);
uint64_t os_thread_ctxsw(void);
uint64_t os_reaped_children_ctxsw(void);

/* A host memfd (a page cache of umk's own) and its size. */
int os_memfd(const char *name);
int os_ftruncate(int fd, uint64_t size);

/* Drop every host capability, set no_new_privs, become child subreaper.
 * 0 or -errno. (arch/um/os-Linux/security.c) */
int os_drop_privileges(void);
int os_has_capabilities(void);
/* Exit umk now with status (after the kernel has shut down). */
void os_exit(int status) __attribute__((noreturn));

/* Host processes of guests (arch/um/os-Linux/ptrace_user.c). */
/* Kill a host thread group at once (SIGKILL). */
void os_kill_process(int pid);
void os_kill_thread(int pid, int tid);
/* Queue host signal sig on host thread tid (tkill). */
int os_tkill(int tid, int sig);
struct host_stop;
/*
 * Reap one pending wait status of any guest host process without blocking
 * (wait4(-1, __WALL | WNOHANG)). Returns the host tid and decodes the
 * status into *stop, 0 if none is pending, or -errno (-ECHILD: no guest host processs).
 */
int os_wait_any(struct host_stop *stop);
/* The same; with rusage, a death's status comes with the host's final
 * accounting of the thread or process (wait4's rusage, which the host
 * computes for every status, stops included: ask only when needed). */
int os_wait_any_rusage(struct host_stop *stop, bool rusage);
struct rusage;
/* Decode a raw wait status (rr's WaitStatus) and, for a death, the rusage
 * wait4 gave with it (ru may be NULL). */
void os_decode_status(int status, const struct rusage *ru,
		      struct host_stop *stop);
/*
 * Start the host process of the first guest task: fork, give it the stub
 * memfd as fd STUB_FD and fds[0..nfds) as STUB_SOCK_FD and up, close every
 * other fd, clear the signal mask, make it a session of its own (no host
 * terminal signal reaches a guest), and let it execveat() the stub with
 * argv { "umk-stub", args... }. trace: seize it with umk's ptrace options
 * first (its next stop is PTRACE_EVENT_EXEC). Returns the host pid or
 * -errno.
 */
int os_spawn_stub_process(int stub_fd, const int *fds, int nfds,
			  const char *const *args, bool trace);

/* Guest memory of host process pid (process_vm_readv/writev). Returns the
 * bytes moved, which may be short at an unmapped page, or -errno. */
long os_vm_read(int pid, unsigned long addr, void *buf, size_t len);
long os_vm_write(int pid, unsigned long addr, const void *buf, size_t len);
/* process_vm_writev of the n local pieces iov (len bytes) to addr of pid:
 * bytes written or -errno. */
struct iovec;
long os_vm_writev(int pid, unsigned long addr, const struct iovec *iov, int n,
		  size_t len);
/* Through /proc/PID/mem (reaches non-writable pages): fd cached by caller. */
int os_open_mem(int pid);
long os_mem_read(int memfd, unsigned long addr, void *buf, size_t len);
long os_mem_write(int memfd, unsigned long addr, const void *buf, size_t len);

/* The sealed memfd holding the stub binary (built at boot from the blob).
 * fd or -errno. */
int os_create_stub_memfd(const void *image, size_t len);

/*
 * umk's fd channel to guest host processes (arch/um/kernel/stub.c): a
 * datagram socketpair, sv[0] umk's sending end, sv[1] the end every guest
 * host process holds as STUB_SOCK_FD. Both close on exec in umk. 0 or
 * -errno.
 */
int os_fd_channel(int sv[2]);
/* Send host fd over the channel (one byte, SCM_RIGHTS). 0 or -errno. */
int os_send_fd(int sock, int fd);
/* Throw away whatever is queued on the receiving end sock (a pass that
 * the stub did not take), closing any fds that came with it. */
void os_drain_fds(int sock);
/* Is fd2 of host process pid2 the same open file as umk's fd1? (kcmp(2)
 * KCMP_FILE.) 1, 0, or -errno. */
int os_same_file(int fd1, int pid2, int fd2);
/* Reopen umk's own fd (a memfd) read-only, through /proc/self/fd: a
 * mapping made from it can never be written. fd or -errno. */
int os_reopen_rdonly(int fd);

/* CPU placement (arch/um/os-Linux/cpu.c): the CPU the calling thread runs
 * on now (vDSO, no system call), or -errno; bind host thread tid (0: the
 * calling thread) to cpu alone (0 or -errno); let tid run on every CPU umk
 * was started with (sched_setaffinity(2); 0 or -errno); how many CPUs umk
 * may run on. */
int os_current_cpu(void);
int os_pin_thread(int tid, int cpu);
int os_unpin_thread(int tid);
int os_nr_cpus_allowed(void);

/*
 * seccomp mode's host side (arch/um/os-Linux/shared_user.c): a shared
 * read-write mapping of fd (NULL on failure) and its removal; wake every
 * waiter of the shared futex at addr; a nonblocking eventfd and reading it
 * empty; a copy of fd `fd` of host process pid (pidfd_getfd); umk's host
 * children that run guests (pids into pids, at most max; count or -errno:
 * the helpers umk forks for itself, registered with os_helper_child, are
 * left out); tgkill; whether user code may use rdfsbase/wrfsbase.
 */
void *os_map_shared(int fd, size_t len);
void os_unmap(void *addr, size_t len);
int os_futex_wake(uint32_t *addr);
int os_eventfd(void);
void os_eventfd_drain(int fd);
int os_fd_of_process(int pid, int fd);
int os_children(int *pids, int max);
/*
 * Is pid a child process of umk (alive, or a zombie not reaped yet), and
 * not one of its helpers (os_helper_child)? One waitid(WNOHANG|WNOWAIT),
 * which reaps nothing: the cheap check of a pid a guest's stub reported,
 * where os_children reads /proc. waitid(2).
 */
bool os_is_child(int pid);
void os_helper_child(int pid);
int os_tgkill(int pid, int tid, int sig);
bool os_has_fsgsbase(void);

/*
 * The guest seccomp filter (arch/um/os-Linux/seccomp.c): the BPF program,
 * *len instructions, that the stub installs in the first guest host
 * process; allow_getpid for tt mode. Built once; NULL on failure.
 */
struct sock_filter;
const struct sock_filter *os_seccomp_guest_filter(bool allow_getpid,
						  size_t *len);
/*
 * seccomp mode's two filters (stub_seccomp.h), at most max instructions
 * each: f0, every guest host process's (installed by its first stub,
 * inherited): outside the stub, or of another ABI, a call traps into the
 * stub's handler (SECCOMP_RET_TRAP); at each of the stub's syscall sites
 * only that site's calls pass; anywhere else in the stub kills. f1, each
 * guest thread's own (stacked on f0): at the stub's sites only the
 * handler's calls pass. 0 or -errno.
 */
int os_seccomp_sc_filters(struct sock_filter *f0, size_t *n0,
			  struct sock_filter *f1, size_t *n1, size_t max);
/* Put umk itself, every thread, under its allowlist filter; a call outside
 * it ends umk with a message naming it. 0 or -errno. */
int os_sandbox_self(void);

/*
 * umk's own code, for stack traces (arch/um/os-Linux/ksyms.c): is addr in
 * umk's text? The function containing addr (name, offset into it, its
 * size in bytes), or NULL; the symbol table is read from /proc/self/exe
 * at the first call.
 */
bool os_text_contains(unsigned long addr);
const char *os_ksym_lookup(unsigned long addr, unsigned long *off,
			   unsigned long *size);

/* Host RSS in bytes of process pid (from /proc/PID/statm), or 0. */
uint64_t os_process_rss(int pid);


/* ---- host resources of guest host processes (arch/um/os-Linux/resource.c) ---- */
/* The scheduler state letter of host thread tid ('S', 'R', ...), 0 if gone. */
char os_host_thread_state(int tid);
/* Resident memory of host process pid in bytes, as the host splits it:
 * anonymous, file-backed, shared memory (memfds, MAP_SHARED anonymous);
 * vm is its virtual size. 0 or -errno (-ESRCH when gone). */
struct os_mem_usage {
	uint64_t anon, file, shmem, vm;
};
int os_process_mem(int pid, struct os_mem_usage *u);
/* The proportional share of host process pid in the anonymous and shared
 * memory it maps (smaps_rollup Pss_Anon + Pss_Shmem: pages shared after a
 * fork, or between processes, are split among them, so the sum over
 * processes is what the host really holds), and its resident size, in
 * bytes. 0 or -errno. */
int os_process_pss(int pid, uint64_t *pss, uint64_t *rss);
/* Bytes of host memory a memfd (or any host file) really holds: its
 * allocated blocks, so holes cost nothing. */
uint64_t os_memfd_bytes(int fd);
/* lseek on a host fd of umk's (SEEK_DATA/SEEK_HOLE on a memfd). The
 * offset or -errno (-ENXIO: no data past off). */
long long os_lseek(int fd, long long off, int whence);
/* Set the soft limit of resource of host process pid (a guest host
 * process) to cur, at most its hard limit (umk cannot raise that). For
 * the limits the host itself enforces for guest code (RLIMIT_STACK: the
 * host grows the stack). 0 or -errno. */
int os_prlimit(int pid, int resource, uint64_t cur);

#endif
