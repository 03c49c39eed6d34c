/*
 * Host side of the console: the host's stdin and stdout. Readiness is
 * polled without blocking. When stdin is a terminal it is put in raw mode
 * (the kernel's line discipline does the rest) and restored on every way
 * out: console_exit, a crash of umk itself (fatal signal handlers), and
 * host job control of umk (the sigio thread suspends and resumes it).
 * Every function returns a value or -errno.
 */
#include <console_user.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static struct termios saved_termios;	/* the host terminal as umk found it */
static struct termios raw_termios;
static int raw_fd = -1;			/* the terminal in raw mode, or -1 */
static volatile sig_atomic_t raw_on;	/* raw mode is in force now */

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

static void restore_and_die(int sig)
{
	if (raw_on)
		tcsetattr(raw_fd, TCSANOW, &saved_termios);
	raw_on = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Put the terminal fd in raw mode, remembering how it was. 0 or -errno. */
int os_console_raw_enter(int fd)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
				     SIGQUIT, SIGTRAP, SIGSYS };
	struct sigaction sa;

	if (tcgetattr(fd, &saved_termios) < 0)
		return -errno;
	raw_termios = saved_termios;
	cfmakeraw(&raw_termios);
	raw_termios.c_cc[VMIN] = 1;
	raw_termios.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw_termios) < 0)
		return -errno;
	raw_fd = fd;
	raw_on = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_die;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	return 0;
}

/* Give the terminal back as it was (idempotent). */
void os_console_raw_restore(void)
{
	if (raw_fd >= 0 && raw_on)
		tcsetattr(raw_fd, TCSANOW, &saved_termios);
	raw_on = 0;
	raw_fd = -1;
}

bool os_console_is_raw(void)
{
	return raw_on;
}

/* The sigio thread, when umk is stopped (SIGTSTP) and continued. */
void os_console_suspend(void)
{
	if (raw_fd >= 0 && raw_on) {
		tcsetattr(raw_fd, TCSANOW, &saved_termios);
		raw_on = 0;
	}
}

void os_console_resume(void)
{
	if (raw_fd >= 0 && !raw_on && tcsetattr(raw_fd, TCSANOW,
						&raw_termios) == 0)
		raw_on = 1;
}
