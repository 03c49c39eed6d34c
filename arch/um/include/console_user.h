/* Host side of the console (arch/um/os-Linux/console_user.c). */
#ifndef UMK_CONSOLE_USER_H
#define UMK_CONSOLE_USER_H
#include <stdbool.h>
#include <stddef.h>
struct termios;
struct winsize;
bool os_fd_readable(int fd);
long os_read(int fd, void *buf, size_t len);
bool os_isatty(int fd);
bool os_is_regular(int fd);
int os_tcgetattr(int fd, struct termios *t);
int os_tcsetattr(int fd, int action, const struct termios *t);
int os_get_winsize(int fd, struct winsize *ws);
int os_set_winsize(int fd, const struct winsize *ws);
int os_fionread(int fd);
/* Raw mode of the host terminal (the kernel does the line discipline). */
int os_console_raw_enter(int fd);
void os_console_raw_restore(void);
bool os_console_is_raw(void);
#endif
