/*
 * The console (/dev/console, /dev/tty, /dev/tty0) on the host's stdin and
 * stdout. In this version it is a plain stream: reads sleep until the host's
 * stdin is readable (the event loop watches it), EOF on the host's stdin is
 * EOF for the guest, writes go to the host's stdout. TCGETS answers with the
 * termios of a Linux console in cooked mode, so programs that check for a
 * terminal (isatty) work. Semantics: Linux drivers/tty/tty_io.c, n_tty.c.
 */
#ifndef UMK_TTY_H
#define UMK_TTY_H

#include <umk/fs.h>

#define TTY_MAJOR 4
#define TTYAUX_MAJOR 5		/* /dev/tty (5,0), /dev/console (5,1) */

struct tty_struct {
	pid_t pgrp;			/* foreground process group */
	pid_t session;			/* controlling session, 0 if none */
	struct wait_queue_head read_wait;
};

extern struct tty_struct console_tty;
extern const struct file_operations console_fops;
/* Called by the event loop when the host's stdin is readable or hung up. */
void console_input_ready(void);
int console_init(int host_in_fd, int host_out_fd);

#endif
