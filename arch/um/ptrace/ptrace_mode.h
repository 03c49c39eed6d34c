/*
 * The ptrace machinery that skas/ and tt-mode/ share (arch/um/ptrace/):
 * host stops decoded once and handed to the task they belong to, the
 * register cache, stub calls, clone, exec, thread exit and the first
 * process. Each engine adds only how it runs guest code until the next
 * system call (its struct um_mode's run). Only the engines include this.
 * Model: UML arch/um/os-Linux/skas/process.c.
 */
#ifndef UMK_PTRACE_MODE_H
#define UMK_PTRACE_MODE_H

#include <umk/sched.h>
#include <mode.h>
#include <ptrace_user.h>

/* Resume t's host thread with req, first binding it to the CPU the
 * kernel thread is on if that changed (co-location). 0 or -ESRCH. */
int ptrace_resume(struct task *t, enum resume_req req);
/* Wait (sleeping in the kernel's scheduler) for t's next host stop. */
struct host_stop *ptrace_wait_stop(struct task *t);
/*
 * Resume t's guest code from t->regs with req (RESUME_SYSEMU or
 * RESUME_SYSCALL), wait for the next event and decode it. A syscall stop
 * leaves t in its entry stop (thread.at_entry_stop) with task->regs partly
 * read (thread.regs_partial).
 */
void ptrace_run(struct task *t, enum resume_req req, struct um_event *ev);
/* Decode a stop that guest code reached into *ev (see ptrace_run). */
void ptrace_decode(struct task *t, struct host_stop *st, struct um_event *ev);
/* Write what changed in t->regs into the host thread. 0 or -ESRCH. */
int ptrace_put_regs(struct task *t);
/* A new task's first stop (clone, exec into a new process): consume it.
 * 0 or -ESRCH. */
int ptrace_first_stop(struct task *t);

/* The um_mode operations both engines use as they are. */
int ptrace_mode_init(void);
int ptrace_start_init(struct task *t);
int ptrace_clone(struct task *parent, struct task *child,
		 unsigned long host_flags);
int ptrace_exec(struct task *t, struct mm_struct *new_mm);
int ptrace_get_regs(struct task *t);
int ptrace_get_fpregs(struct task *t, void *buf, size_t len);
int ptrace_set_fpregs(struct task *t, const void *buf, size_t len);
int ptrace_get_debugreg(struct task *t, int n, unsigned long *val);
int ptrace_set_debugreg(struct task *t, int n, unsigned long val);
long ptrace_host_call(struct task *t, long nr, const unsigned long args[6],
		      bool interruptible);
long ptrace_host_batch(struct task *t, const struct stub_batch *b, long *last);
void ptrace_interrupt(struct task *t);
void ptrace_exit_thread(struct task *t, bool last);
void ptrace_kill_all(void);
void ptrace_host_events(void);
int ptrace_wait_idle(bool other_fds);

/* The guest seccomp filter both ptrace modes install: allow_getpid lets
 * tt's nulled calls (getpid from any address) through. */
extern bool ptrace_filter_allow_getpid;

#endif
