/*
 * Host side of the console: the host's stdin and stdout. Readiness is
 * polled without blocking; terminal requests go to the host terminal when
 * stdin is one. Every function returns a value or -errno.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

/* Is data (or EOF / hang-up) available on fd right now? */
bool os_fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

long os_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

bool os_isatty(int fd)
{
	return isatty(fd);
}

/* Is fd a regular file (epoll cannot watch those: always ready)? */
bool os_is_regular(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int os_tcgetattr(int fd, struct termios *t)
{
	return tcgetattr(fd, t) < 0 ? -errno : 0;
}

int os_tcsetattr(int fd, int action, const struct termios *t)
{
	return tcsetattr(fd, action, t) < 0 ? -errno : 0;
}

int os_get_winsize(int fd, struct winsize *ws)
{
	return ioctl(fd, TIOCGWINSZ, ws) < 0 ? -errno : 0;
}

int os_set_winsize(int fd, const struct winsize *ws)
{
	return ioctl(fd, TIOCSWINSZ, ws) < 0 ? -errno : 0;
}

int os_fionread(int fd)
{
	int n;

	return ioctl(fd, FIONREAD, &n) < 0 ? -errno : n;
}
