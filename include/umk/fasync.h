/*
 * O_ASYNC: the files that asked for SIGIO (F_SETFL O_ASYNC, FIOASYNC) and
 * the signal to their owner (F_SETOWN, F_SETSIG). A driver keeps a list per
 * event source; its f_op->fasync adds or removes a file with
 * fasync_helper(), its release removes it, and kill_fasync() signals every
 * owner when the source becomes readable (POLL_IN) or writable (POLL_OUT).
 * Implemented in kernel/fs/fcntl.c. Model: Linux fs/fcntl.c.
 */
#ifndef UMK_FASYNC_H
#define UMK_FASYNC_H

struct file;

struct fasync_struct {
	int fa_fd;			/* the fd given when O_ASYNC was set: si_fd */
	struct file *fa_file;		/* not referenced: removed at release */
	struct fasync_struct *fa_next;
};

/* Add (on) or remove file on *fapp. Returns 1 if the list changed, 0 if
 * not, -ENOMEM. */
int fasync_helper(int fd, struct file *file, int on, struct fasync_struct **fapp);
/* Send each owner on *fapp its SIGIO (or F_SETSIG signal with si_fd and
 * si_band) for band POLL_IN, POLL_OUT, ... sig is SIGIO (SIGURG is only
 * sent to owners that chose a signal). */
void kill_fasync(struct fasync_struct **fapp, int sig, int band);
/* Turn O_ASYNC on or off on file (F_SETFL, FIOASYNC): calls f_op->fasync
 * when the flag changes. 0 or -errno. */
int file_set_async(struct file *file, int fd, bool on);

/* Make who (> 0 a process, < 0 a process group, 0 nobody) f's owner,
 * recording the caller's uid and euid: SIGIO reaches only processes those
 * may signal (Linux f_modown and sigio_perm). */
#include <sys/types.h>
void f_modown(struct file *f, pid_t who);

#endif
