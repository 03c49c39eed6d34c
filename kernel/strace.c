/*
 * The strace decoder (include/umk/strace.h). Each syscall's argument
 * format comes from the one syscall list (include/umk/syscall_list.h says
 * what each letter means); an unknown call prints its six raw arguments in
 * hex. Strings are read from the guest with strncpy_from_user and shown
 * escaped and cut at 32 bytes, as strace does.
 */
#include <umk/strace.h>
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <os.h>
#include <asm/unistd_64.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <stdarg.h>

#define LINE_MAX_LEN 1024
#define STR_MAX 32

struct line {
	char *s;
	size_t n;
};

static void put(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (l->n >= LINE_MAX_LEN - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(l->s + l->n, LINE_MAX_LEN - l->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n = min(l->n + k, (size_t)LINE_MAX_LEN - 1);
}

/* "text"... escaped as strace does, at most STR_MAX bytes. */
static void put_bytes(struct line *l, const char *p, size_t len, bool more)
{
	put(l, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\')
			put(l, "\\%c", c);
		else if (c == '\n')
			put(l, "\\n");
		else if (c == '\t')
			put(l, "\\t");
		else if (c >= 32 && c < 127)
			put(l, "%c", c);
		else
			put(l, "\\%o", c);
	}
	put(l, "\"%s", more ? "..." : "");
}

static void put_string(struct line *l, unsigned long addr)
{
	char buf[STR_MAX + 1];
	long n;

	if (!addr) {
		put(l, "NULL");
		return;
	}
	n = strncpy_from_user(buf, UPTR(addr), sizeof(buf));
	if (n == -EFAULT) {
		put(l, "%#lx", addr);
		return;
	}
	put_bytes(l, buf, n < 0 ? STR_MAX : n, n < 0);
}

static void put_guest_buf(struct line *l, unsigned long addr, long len)
{
	char buf[STR_MAX];
	size_t n = len < 0 ? 0 : min((size_t)len, sizeof(buf));

	if (copy_from_user(buf, UPTR(addr), n)) {
		put(l, "%#lx", addr);
		return;
	}
	put_bytes(l, buf, n, (size_t)len > n);
}

static void put_open_flags(struct line *l, unsigned long f)
{
	static const struct { unsigned long bit; const char *name; } names[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
		{ O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" },
	};
	const char *acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	put(l, "%s", acc[f & O_ACCMODE]);
	f &= ~O_ACCMODE;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if ((f & names[i].bit) == names[i].bit && names[i].bit) {
			put(l, "|%s", names[i].name);
			f &= ~names[i].bit;
		}
	}
	if (f)
		put(l, "|%#lx", f);
}

void strace_enter(struct task *t, long nr, const unsigned long a[6])
{
	struct line l = { kmalloc(LINE_MAX_LEN), 0 };
	const char *fmt = syscall_args_format(nr), *name = syscall_name(nr);

	kfree(t->strace_line);
	t->strace_line = l.s;
	if (!l.s)
		return;
	l.s[0] = 0;
	put(&l, "[pid %5d] ", t->pid);
	if (name)
		put(&l, "%s(", name);
	else
		put(&l, "syscall_%ld(", nr);
	if (!fmt) {
		put(&l, "%#lx, %#lx, %#lx, %#lx, %#lx, %#lx", a[0], a[1], a[2],
		    a[3], a[4], a[5]);
	}
	for (int i = 0; fmt && fmt[i]; i++) {
		if (i)
			put(&l, ", ");
		switch (fmt[i]) {
		case 'd': put(&l, "%d", (int)a[i]); break;
		case 'u': put(&l, "%lu", a[i]); break;
		case 'x': put(&l, a[i] ? "%#lx" : "NULL", a[i]); break;
		case 's': put_string(&l, a[i]); break;
		case 'f':
			if ((int)a[i] == AT_FDCWD)
				put(&l, "AT_FDCWD");
			else
				put(&l, "%d", (int)a[i]);
			break;
		case 'O': put_open_flags(&l, a[i]); break;
		case 'm': put(&l, "%#lo", a[i]); break;
		case 'b': put_guest_buf(&l, a[i], a[i + 1]); break;
		case 'r': put(&l, "\x01%lx", a[i]); break;	/* filled at exit */
		case 'S':
			if (sigabbrev_np((int)a[i]))
				put(&l, "SIG%s", sigabbrev_np((int)a[i]));
			else
				put(&l, "%d", (int)a[i]);
			break;
		}
	}
	l.s[l.n] = 0;
	t->strace_len = l.n;
}

void strace_exit(struct task *t, long ret)
{
	struct line l = { t->strace_line, t->strace_len };
	char *mark;

	if (!l.s)
		return;
	t->strace_line = NULL;
	mark = memchr(l.s, '\x01', l.n);
	if (mark) {
		/* A read buffer: show what the call put there. */
		unsigned long addr = strtoul(mark + 1, NULL, 16);
		char rest[LINE_MAX_LEN];
		char *after = strchr(mark, ',');
		struct line tail = { rest, 0 };

		snprintf(rest, sizeof(rest), "%s", after ? after : "");
		l.n = mark - l.s;
		if (ret >= 0)
			put_guest_buf(&l, addr, ret);
		else
			put(&l, "%#lx", addr);
		put(&l, "%s", tail.s);
	}
	if (ret < 0 && ret >= -4095)
		put(&l, ") = -1 %s (%s)\n", strerrorname_np(-ret) ?
		    strerrorname_np(-ret) : "E?", strerror(-ret));
	else if (ret >= 0x1000 || ret < -4095)
		put(&l, ") = %#lx\n", ret);
	else
		put(&l, ") = %ld\n", ret);
	os_write_all(2, l.s, l.n);
	kfree(l.s);
}
