/*
 * Terminals: the tty core (kernel/drivers/tty_io.c: open files, ioctls,
 * controlling terminals and job control), the line discipline
 * (kernel/drivers/n_tty.c: canonical editing, echo, signals, output
 * processing) and one driver, the console (kernel/drivers/console.c) on the
 * host's stdin and stdout. When the host's stdin is not a terminal the
 * console is a plain stream instead (tty->ldisc_off): bytes pass through
 * and the termios requests fail with -ENOTTY, as on a pipe.
 * Semantics: Linux drivers/tty/tty_io.c, tty_jobctrl.c, n_tty.c; termios(3).
 */
#ifndef UMK_TTY_H
#define UMK_TTY_H

#include <umk/fs.h>
#include <umk/fasync.h>

#define TTY_MAJOR 4		/* /dev/tty0 (4,0): the console tty itself */
#define TTYAUX_MAJOR 5		/* /dev/tty (5,0), /dev/console (5,1),
				 * /dev/ptmx (5,2) */
#define UNIX98_PTY_SLAVE_MAJOR 136	/* /dev/pts/N */

#define N_TTY_BUF_SIZE 4096	/* input buffer: a power of two */
#define KNCCS 19		/* c_cc entries of the kernel's termios */

/* The kernel's termios (asm/termbits.h struct termios2). */
struct ktermios {
	unsigned int c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line;
	unsigned char c_cc[KNCCS];
	unsigned int c_ispeed, c_ospeed;
};

struct tty_winsize {
	unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct tty_struct;

/* What a driver provides. */
struct tty_operations {
	/* Send len bytes (already output-processed) to the device. Returns
	 * len or -errno; never sleeps. */
	ssize_t (*write)(struct tty_struct *tty, const char *buf, size_t len);
	/* The line discipline has room for input again after being full. */
	void (*unthrottle)(struct tty_struct *tty);
	/* Bytes write would take now (NULL: any number). A writer waits on
	 * tty->write_wait while it is 0; the driver wakes it. */
	size_t (*write_room)(struct tty_struct *tty);
	/* Open and last-reference hooks of the tty's files (pty slaves):
	 * open may refuse with -errno; close runs after the file left
	 * tty->files. Both optional. */
	int (*open)(struct tty_struct *tty, struct file *f);
	void (*close)(struct tty_struct *tty, struct file *f);
};

/* Line discipline state (n_tty.c). Positions grow without bound; the
 * buffer index is pos & (N_TTY_BUF_SIZE - 1). */
struct n_tty_data {
	size_t read_head;		/* next byte the device puts */
	size_t read_tail;		/* next byte a reader takes */
	size_t canon_head;		/* end of the last complete line */
	unsigned char read_buf[N_TTY_BUF_SIZE];
	unsigned char read_flags[N_TTY_BUF_SIZE];	/* N_TTY_EOL, N_TTY_EOF */
	unsigned int column;		/* output column, for tabs and erase */
	unsigned int canon_column;	/* column where the input line began */
	bool lnext;			/* VLNEXT: next byte is literal */
	bool erasing;			/* ECHOPRT: inside \...\ */
	bool throttled;			/* full: the driver stopped reading */
};
#define N_TTY_EOL 1			/* a line ends at this byte */
#define N_TTY_EOF 2			/* ...and it is a VEOF: not read */

/*
 * A terminal. Only the kernel thread touches it. pgrp and session are the
 * foreground process group and the session it controls (0 if none), as in
 * Linux's tty->ctrl.
 */
struct tty_struct {
	const char *name;
	dev_t dev;			/* its device number (TIOCGDEV) */
	const struct tty_operations *ops;
	struct ktermios termios;
	struct tty_winsize winsize;
	pid_t pgrp;
	pid_t session;
	bool stopped;			/* output held (^S, TCOOFF) */
	bool hw_hangup;			/* the device is gone: reads see EOF */
	bool ldisc_off;			/* plain stream: no line discipline */
	bool exclusive;			/* TIOCEXCL */
	bool pty;			/* a pty slave: its session leader's
					 * exit signals, does not hang up */
	bool other_closed;		/* pty slave: the master is gone, a
					 * read of nothing is -EIO */
	struct list_head files;		/* struct tty_file of each open file */
	struct wait_queue_head read_wait, write_wait;
	struct fasync_struct *fasync;	/* O_ASYNC readers */
	struct n_tty_data ldata;
};

/* An open file on a tty (file->private_data). */
struct tty_file {
	struct tty_struct *tty;
	struct file *file;
	bool console;			/* opened as /dev/console: exempt from
					 * job control, never hung up (Linux's
					 * redirected_tty_write) */
	bool hung_up;			/* vhangup: reads 0, writes -EIO */
	struct list_head list;		/* in tty->files */
};

extern struct tty_struct console_tty;
extern const struct file_operations console_fops;	/* every tty file */

/* tty_io.c */
void tty_init(struct tty_struct *tty, const char *name,
	      const struct tty_operations *ops);
/* Register the tty device numbers for tty (the console). 0 or -errno. */
int tty_register_console(struct tty_struct *tty);
/* Job control for a read (SIGTTIN) or a terminal change (SIGTTOU) by the
 * current task: 0 to go on, -EIO, or -ERESTARTSYS with the signal sent. */
int tty_check_change(struct tty_struct *tty, int sig);
/* The termios, window size, queue and flow ioctls of tty (the part of
 * tty_ioctl that a pty master applies to its slave). -ENOTTY for others. */
long tty_mode_ioctl(struct tty_struct *tty, unsigned int cmd,
		    unsigned long arg);
/* New window size: SIGWINCH to the foreground group if it changed. */
void tty_do_resize(struct tty_struct *tty, const struct tty_winsize *ws);
/* The session leader of the current task's session exits (on_exit) or
 * gives up its terminal (TIOCNOTTY): Linux disassociate_ctty. */
void disassociate_ctty(bool on_exit);
/* Hang the tty up (the device went away): SIGHUP to its session. */
void tty_hangup(struct tty_struct *tty);

/* n_tty.c: the line discipline. */
void n_tty_open(struct tty_struct *tty);
/* Input bytes from the device (kernel thread, outside any task). Returns
 * how many were taken: fewer when the buffer is full (then throttled). */
size_t n_tty_receive_buf(struct tty_struct *tty, const unsigned char *buf,
			 size_t len);
/* Room for more input now. */
size_t n_tty_receive_room(struct tty_struct *tty);
ssize_t n_tty_read(struct tty_struct *tty, struct file *f, char *buf,
		   size_t len);
ssize_t n_tty_write(struct tty_struct *tty, struct file *f, const char *buf,
		    size_t len);
unsigned int n_tty_poll(struct tty_struct *tty, struct file *f,
			struct poll_table *pt);
/* Termios changed from old: reset the editing state as Linux does. */
void n_tty_set_termios(struct tty_struct *tty, const struct ktermios *old);
/* TCIFLUSH: drop pending input. */
void n_tty_flush_input(struct tty_struct *tty);
/* Bytes a read could take now (FIONREAD). */
int n_tty_inq(struct tty_struct *tty);
/* ^S / ^Q, TCOOFF / TCOON. */
void stop_tty(struct tty_struct *tty);
void start_tty(struct tty_struct *tty);

/* pty.c: Unix 98 pseudo-terminals. */
/* /dev/ptmx was opened: a new pair, f becomes its master. 0 or -errno
 * (-ENOSPC past the pty limit, -ENOMEM). */
int ptmx_open(struct inode *inode, struct file *f);
/* The slave tty of /dev/pts/index, or NULL (-ENXIO/-EIO to the opener). */
struct tty_struct *pty_slave_lookup(unsigned int index);
/* Register the pty device numbers. 0 or -errno. */
int pty_init(void);
/* The initial termios of a terminal (Linux tty_std_termios). */
void tty_std_termios(struct ktermios *t);
/* Make tty the controlling terminal of the current process when it is a
 * session leader without one and tty belongs to no session (Linux
 * tty_open_proc_set_tty, an open without O_NOCTTY). */
void tty_open_set_ctty(struct tty_struct *tty);

/* devpts (kernel/fs/devpts.c): the /dev/pts nodes of the pairs. */
void devpts_pty_new(int index, uid_t uid, gid_t gid);
void devpts_pty_kill(int index);
/* Open /dev/pts/index through the devpts mount (a file with its path);
 * ERR_PTR(-ENOENT) when devpts is not mounted. */
struct file *devpts_open_slave(int index, unsigned int flags);

/* console.c: the driver. */
int console_init(int host_in_fd, int host_out_fd);
/* Plain-stream console (host stdin not a terminal): file operations. */
ssize_t console_plain_read(struct file *f, char *buf, size_t len);
unsigned int console_plain_poll(struct file *f, struct poll_table *pt);
int console_plain_inq(void);
/* A reader or an O_ASYNC file waits for plain-stream input. */
void console_plain_want_input(void);
/* Leave the host terminal as umk found it (every exit path). */
void console_exit(void);
/* Kernel messages to the host's stderr (\n -> \r\n on a raw terminal). */
void console_print_kmsg(const char *s, size_t len);

#endif
