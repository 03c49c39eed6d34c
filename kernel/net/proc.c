/*
 * /proc/net (and /proc/PID/net): what ss, netstat and ifconfig read.
 * unix is the kernel's own list (af_unix.c). The INET tables and the
 * device files come from the host kernel's view of the guest's network
 * (the private namespace's, or umk's with net=host); in the socket
 * tables the uid and inode columns are the guest's (the guest socket's
 * owner and sockfs inode), and with net=host only the guest's own sockets
 * are listed. Model: Linux net/ipv4/tcp_ipv4.c (tcp4_seq_show).
 */
#include <umk/net.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include "../fs/proc/internal.h"
#include "internal.h"

/* Offsets of whitespace-separated field i of line (len bytes). */
static bool field_at(const char *line, size_t len, int i, size_t *start,
		     size_t *end)
{
	size_t p = 0;

	for (int f = 0; ; f++) {
		while (p < len && line[p] == ' ')
			p++;
		if (p >= len)
			return false;
		*start = p;
		while (p < len && line[p] != ' ')
			p++;
		*end = p;
		if (f == i)
			return true;
	}
}

/* One row of tcp/udp/raw (sl local rem st tx:rx tr:tm retrnsmt uid
 * timeout inode ...): uid and inode made the guest's. false: leave it
 * out (net=host, not a guest socket). */
static bool rewrite_row(struct seq_buf *m, const char *line, size_t len)
{
	size_t us, ue, ts, te, is, ie;
	unsigned long host_ino, ino = 0;
	uid_t uid = 0;
	char num[32];
	bool ours;

	if (!field_at(line, len, 6, &us, &ue) ||
	    !field_at(line, len, 7, &ts, &te) ||
	    !field_at(line, len, 8, &is, &ie) || ie - is >= sizeof(num))
		return false;
	memcpy(num, line + is, ie - is);
	num[ie - is] = '\0';
	host_ino = strtoul(num, NULL, 10);
	ours = host_ino && hsock_by_host_ino(host_ino, &ino, &uid);
	if (!ours && net_mode == NET_HOST)
		return false;
	/* Linux: "... %08X %5u %8d %lu ..." from retrnsmt on. */
	seq_write(m, line, us);
	while (m->len && m->buf[m->len - 1] == ' ')
		m->len--;
	seq_printf(m, " %5u %8.*s %lu", (unsigned int)uid, (int)(te - ts),
		   line + ts, ino);
	seq_write(m, line + ie, len - ie);
	seq_putc(m, '\n');
	return true;
}

/* A socket table of the guest's network, rows renumbered (sl). */
static int show_table(struct seq_buf *m, const char *name)
{
	struct seq_buf host;
	size_t pos = 0;
	int err, row = -1;

	seq_buf_init(&host);
	err = net_read_proc(&host, name);
	while (!err && pos < host.len) {
		char *nl = memchr(host.buf + pos, '\n', host.len - pos);
		size_t len = nl ? (size_t)(nl - host.buf) - pos : host.len - pos;
		const char *line = host.buf + pos;
		size_t colon = 0;

		pos += len + 1;
		if (row < 0) {
			seq_write(m, line, len);
			seq_putc(m, '\n');
			row = 0;
			continue;
		}
		while (colon < len && line[colon] != ':')
			colon++;
		if (colon >= len)
			continue;
		{
			struct seq_buf tmp;
			size_t width = colon;

			seq_buf_init(&tmp);
			if (rewrite_row(&tmp, line + colon + 1, len - colon - 1)) {
				seq_printf(m, "%*d:", (int)width, row++);
				seq_write(m, tmp.buf, tmp.len);
			}
			seq_buf_free(&tmp);
		}
	}
	seq_buf_free(&host);
	return err;
}

static int show_unix(struct seq_buf *m, struct proc_inode *pi, struct task *t)
{
	return unix_proc_show(m);
}

#define TABLE(fn, file)							\
static int fn(struct seq_buf *m, struct proc_inode *pi, struct task *t)\
{									\
	return show_table(m, file);					\
}
TABLE(show_tcp, "tcp")
TABLE(show_tcp6, "tcp6")
TABLE(show_udp, "udp")
TABLE(show_udp6, "udp6")
TABLE(show_raw, "raw")
TABLE(show_raw6, "raw6")

#define PASS(fn, file)							\
static int fn(struct seq_buf *m, struct proc_inode *pi, struct task *t)\
{									\
	return net_read_proc(m, file);					\
}
PASS(show_dev, "dev")
PASS(show_if_inet6, "if_inet6")
PASS(show_route, "route")
PASS(show_ipv6_route, "ipv6_route")
PASS(show_snmp, "snmp")
PASS(show_netstat, "netstat")
PASS(show_sockstat, "sockstat")

static struct proc_entry net_entries[] = {
	{ "unix", S_IFREG | 0444, show_unix },
	{ "tcp", S_IFREG | 0444, show_tcp },
	{ "tcp6", S_IFREG | 0444, show_tcp6 },
	{ "udp", S_IFREG | 0444, show_udp },
	{ "udp6", S_IFREG | 0444, show_udp6 },
	{ "raw", S_IFREG | 0444, show_raw },
	{ "raw6", S_IFREG | 0444, show_raw6 },
	{ "dev", S_IFREG | 0444, show_dev },
	{ "if_inet6", S_IFREG | 0444, show_if_inet6 },
	{ "route", S_IFREG | 0444, show_route },
	{ "ipv6_route", S_IFREG | 0444, show_ipv6_route },
	{ "snmp", S_IFREG | 0444, show_snmp },
	{ "netstat", S_IFREG | 0444, show_netstat },
	{ "sockstat", S_IFREG | 0444, show_sockstat },
};

const struct proc_dir proc_net_dir = {
	.entries = net_entries,
	.nentries = ARRAY_SIZE(net_entries),
};
