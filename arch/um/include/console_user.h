/*
 * Host side of the console (arch/um/os-Linux/console_user.c): umk's stdin
 * and stdout. Each returns a value or -errno.
 */
#ifndef UMK_CONSOLE_USER_H
#define UMK_CONSOLE_USER_H
#include <stdbool.h>
#include <stddef.h>
struct termios;
struct winsize;
/* Is input waiting on fd (poll with no timeout)? */
bool os_fd_readable(int fd);
/* read(2) of up to len bytes: count, 0 at EOF, or -errno. */
long os_read(int fd, void *buf, size_t len);
bool os_isatty(int fd);
bool os_is_regular(int fd);
/* tcgetattr/tcsetattr (action TCSANOW...), TIOCGWINSZ/TIOCSWINSZ and
 * FIONREAD (bytes waiting) on the host terminal fd: 0 or -errno. */
int os_tcgetattr(int fd, struct termios *t);
int os_tcsetattr(int fd, int action, const struct termios *t);
int os_get_winsize(int fd, struct winsize *ws);
int os_set_winsize(int fd, const struct winsize *ws);
int os_fionread(int fd);
/* Raw mode of the host terminal (the kernel does the line discipline):
 * enter it on fd (saving the terminal as found), restore it (also from a
 * signal handler: async-signal-safe), ask whether it is on. */
int os_console_raw_enter(int fd);
void os_console_raw_restore(void);
bool os_console_is_raw(void);
/* Host job control of umk (the sigio thread): give the terminal back on
 * SIGTSTP, take raw mode again on SIGCONT. */
void os_console_suspend(void);
void os_console_resume(void);
#endif
