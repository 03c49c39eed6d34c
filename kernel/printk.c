/*
 * printk: the kernel log. Every line goes into a ring buffer (dmesg via
 * syslog(2)) with Linux's "[    1.234567] " timestamp; lines at or below the
 * console log level also go to the host's stderr (boot option `quiet`
 * lowers it to KERN_WARNING, as Linux's quiet does).
 */
#include <umk/kernel.h>
#include <umk/init.h>
#include <umk/syscalls.h>
#include <umk/sched.h>
#include <umk/tty.h>
#include <os.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LOG_BUF_LEN (128 * 1024)

int console_loglevel = 7;
static char log_buf[LOG_BUF_LEN];
static size_t log_head, log_len;	/* ring: start and used bytes */
static bool line_start = true;

static void log_store(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		log_buf[(log_head + log_len) % LOG_BUF_LEN] = s[i];
		if (log_len < LOG_BUF_LEN)
			log_len++;
		else
			log_head = (log_head + 1) % LOG_BUF_LEN;
	}
}

size_t log_buf_read(char *buf, size_t len)
{
	size_t n = min(len, log_len);

	for (size_t i = 0; i < n; i++)
		buf[i] = log_buf[(log_head + log_len - n + i) % LOG_BUF_LEN];
	return n;
}

static void vprintk(const char *fmt, va_list ap)
{
	char msg[1024], line[1100];
	int level = 4;			/* default: KERN_WARNING */
	const char *p = msg;
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (p[0] == '<' && p[1] >= '0' && p[1] <= '7' && p[2] == '>') {
		level = p[1] - '0';
		p += 3;
	}
	if (line_start) {
		uint64_t ns = ktime_get_ns();

		n = snprintf(line, sizeof(line), "[%5lu.%06lu] %s",
			     (unsigned long)(ns / 1000000000),
			     (unsigned long)(ns % 1000000000 / 1000), p);
	} else {
		n = snprintf(line, sizeof(line), "%s", p);
	}
	if (n < 0)
		return;
	n = min(n, (int)sizeof(line) - 1);
	log_store(line, n);
	line_start = n > 0 && line[n - 1] == '\n';
	if (level <= console_loglevel)
		console_print_kmsg(line, n);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}


void panic(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	console_loglevel = 7;
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", msg);
	machine_panic();
}

/* syslog(2) as used by dmesg: READ_ALL (3), SIZE_BUFFER (10), CLEAR (5),
 * READ_CLEAR (4), CONSOLE_LEVEL (8). */
SYSCALL_DEFINE3(syslog, int, type, struct uptr, buf, int, len)
{
	char *tmp;
	size_t n;

	switch (type) {
	case 0: case 1:		/* close, open */
		return 0;
	case 10:		/* SYSLOG_ACTION_SIZE_BUFFER */
		return LOG_BUF_LEN;
	case 9:			/* SYSLOG_ACTION_SIZE_UNREAD */
		return log_len;
	case 5:			/* CLEAR */
		if (!capable(current->cred))
			return -EPERM;
		log_len = 0;
		return 0;
	case 6: case 7:		/* console off / on */
		return 0;
	case 8:			/* CONSOLE_LEVEL */
		if (len < 1 || len > 8)
			return -EINVAL;
		console_loglevel = len;
		return 0;
	case 2: case 3: case 4:	/* READ, READ_ALL, READ_CLEAR */
		if (len < 0)
			return -EINVAL;
		if (uptr_null(buf) && len)
			return -EINVAL;
		tmp = kmalloc(len ? len : 1);
		if (!tmp)
			return -ENOMEM;
		n = log_buf_read(tmp, len);
		if (copy_to_user(buf, tmp, n)) {
			kfree(tmp);
			return -EFAULT;
		}
		kfree(tmp);
		if (type == 4)
			log_len = 0;
		return n;
	default:
		return -EINVAL;
	}
}
