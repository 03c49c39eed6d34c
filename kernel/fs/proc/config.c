/*
 * /proc/config.gz: what umk provides, as the kernel configuration Linux
 * shows with CONFIG_IKCONFIG_PROC, gzip-compressed. The gzip stream uses
 * deflate's stored blocks (RFC 1951 3.2.4), which every gunzip reads, so
 * no compressor is needed. Format: RFC 1952.
 */
#include <umk/fs.h>
#include <umk/utsname.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

static const char config_text[] =
	"CONFIG_UML=y\n"
	"CONFIG_64BIT=y\n"
	"CONFIG_X86_64=y\n"
	"CONFIG_MMU=y\n"
	"CONFIG_NR_CPUS=1\n"
	"# CONFIG_SMP is not set\n"
	"# CONFIG_MODULES is not set\n"
	"CONFIG_MULTIUSER=y\n"
	"CONFIG_SYSVIPC=y\n"
	"CONFIG_SYSVIPC_SYSCTL=y\n"
	"# CONFIG_POSIX_MQUEUE is not set\n"
	"CONFIG_CHECKPOINT_RESTORE=y\n"
	"CONFIG_FUTEX=y\n"
	"CONFIG_FILE_LOCKING=y\n"
	"CONFIG_EPOLL=y\n"
	"CONFIG_SIGNALFD=y\n"
	"CONFIG_TIMERFD=y\n"
	"CONFIG_EVENTFD=y\n"
	"# CONFIG_NET is not set\n"
	"# CONFIG_SECCOMP is not set\n"
	"CONFIG_IKCONFIG=y\n"
	"CONFIG_IKCONFIG_PROC=y\n"
	"CONFIG_BLK_DEV_UBD=y\n"
	"CONFIG_TTY=y\n"
	"CONFIG_UNIX98_PTYS=y\n"
	"# CONFIG_LEGACY_PTYS is not set\n"
	"CONFIG_DEVTMPFS=y\n"
	"CONFIG_DEVTMPFS_MOUNT=y\n"
	"CONFIG_EXT4_FS=y\n"
	"CONFIG_EXT4_USE_FOR_EXT2=y\n"
	"CONFIG_EXT4_FS_POSIX_ACL=y\n"
	"CONFIG_EXT4_FS_SECURITY=y\n"
	"CONFIG_FS_POSIX_ACL=y\n"
	"CONFIG_PROC_FS=y\n"
	"CONFIG_PROC_SYSCTL=y\n"
	"CONFIG_SYSFS=y\n"
	"CONFIG_TMPFS=y\n"
	"CONFIG_TMPFS_POSIX_ACL=y\n"
	"CONFIG_TMPFS_XATTR=y\n"
	"CONFIG_INOTIFY_USER=y\n";

static uint32_t crc32_le(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return ~crc;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/* The gzip of len bytes of data: header, stored blocks, CRC and size. */
static void gzip_stored(struct seq_buf *m, const char *data, size_t len)
{
	static const unsigned char header[10] = {
		0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3,
	};
	unsigned char trailer[8];
	size_t off = 0;

	seq_write(m, header, sizeof(header));
	do {
		size_t n = min(len - off, (size_t)65535);
		unsigned char hdr[5] = {
			off + n == len, n & 0xff, n >> 8,
			~n & 0xff, (~n >> 8) & 0xff,
		};

		seq_write(m, hdr, sizeof(hdr));
		seq_write(m, data + off, n);
		off += n;
	} while (off < len);
	put_le32(trailer, crc32_le(0, (const unsigned char *)data, len));
	put_le32(trailer + 4, len);
	seq_write(m, trailer, sizeof(trailer));
}

int proc_show_config_gz(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	char head[256];
	struct seq_buf text;
	int n, err;

	n = snprintf(head, sizeof(head),
		     "#\n# Automatically generated file; DO NOT EDIT.\n"
		     "# Linux/x86_64 %s Kernel Configuration (umk)\n#\n",
		     init_uts.release);
	seq_buf_init(&text);
	seq_write(&text, head, min(n, (int)sizeof(head) - 1));
	seq_puts(&text, config_text);
	err = text.err;
	if (!err)
		gzip_stored(m, text.buf, text.len);
	seq_buf_free(&text);
	return err;
}
