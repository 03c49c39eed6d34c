/*
 * UML COW v3 headers (host side): parsing, building, the bitmap and data
 * offsets, and UML's absolute backing path. Pure byte work; opening and
 * checking the files is ubd_user.c's. Model: UML arch/um/drivers/cow_user.c
 * (read_cow_header, write_cow_header, cow_sizes, absolutize).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cow.h"

#define DIV_ROUND_UP(x, d) (((x) + (d) - 1) / (d))
#define ROUND_UP(x, a) (DIV_ROUND_UP(x, a) * (a))

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const unsigned char *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, v);
}

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* UML cow_sizes for version 3. */
static void cow_sizes(struct cow_info *ci, uint64_t header_size)
{
	uint64_t sectors = DIV_ROUND_UP(ci->size, ci->sectorsize);

	ci->bitmap_offset = ROUND_UP(header_size, ci->alignment);
	ci->bitmap_len = DIV_ROUND_UP(sectors, 8);
	ci->data_offset = ROUND_UP(ci->bitmap_offset + ci->bitmap_len,
				   ci->alignment);
}

/*
 * The fields after magic and version; off is where mtime starts in this
 * layout (8 in both: the broken one has an 8-byte mtime whose first four
 * bytes hold the big-endian value, as UML's own reader takes it).
 */
static int parse_v3(const unsigned char *p, size_t n, bool broken,
		    struct cow_info *ci, char *err, size_t errlen)
{
	size_t need = broken ? COW_HEADER_BROKEN_SIZE : COW_HEADER_SIZE;
	const unsigned char *f = p + (broken ? 16 : 12);	/* size */
	const char *name = (const char *)f + 20;

	if (n < need)
		return bad(err, errlen, "truncated COW header (%zu of %zu bytes)",
			   n, need);
	ci->broken = broken;
	ci->mtime = get_be32(p + 8);
	ci->size = get_be64(f);
	ci->sectorsize = get_be32(f + 8);
	ci->alignment = get_be32(f + 12);
	if (get_be32(f + 16) != 0)
		return bad(err, errlen, "unknown COW format %u (only 0, the "
			   "sector bitmap)", get_be32(f + 16));
	if (ci->sectorsize != 512)
		return bad(err, errlen, "COW sector size %u is not supported "
			   "(512 only)", ci->sectorsize);
	if (ci->alignment == 0 || ci->alignment > (1u << 24))
		return bad(err, errlen, "bad COW alignment %u", ci->alignment);
	if (ci->size < 512)
		return bad(err, errlen, "bad device size %llu in the COW header",
			   (unsigned long long)ci->size);
	if (!memchr(name, 0, COW_PATH_LEN) || !name[0])
		return bad(err, errlen, "no backing file name in the COW header");
	strcpy(ci->backing, name);
	cow_sizes(ci, need);
	return 0;
}

int cow_parse_header(const void *buf, size_t n, struct cow_info *ci,
		     char *err, size_t errlen)
{
	const unsigned char *p = buf;
	uint32_t version;

	memset(ci, 0, sizeof(*ci));
	if (n < 4)
		return 1;
	if (get_be32(p) != COW_MAGIC) {
		/* A host-endian magic is a version 1 file from a 32-bit UML. */
		if (p[0] == 0x4d && p[1] == 0x4f && p[2] == 0x4f && p[3] == 0x4f)
			return bad(err, errlen, "COW version 1 file (little-endian "
				   "header) is not supported: merge it with "
				   "uml_moo");
		return 1;
	}
	if (n < 8)
		return bad(err, errlen, "truncated COW header (%zu of %d bytes)",
			   n, COW_HEADER_SIZE);
	version = get_be32(p + 4);
	if (version != COW_VERSION)
		return bad(err, errlen, "COW version %u is not supported (only "
			   "version 3): merge it with uml_moo", version);
	/* Packed, cow_format (0) sits at 28 and the name at 32; unpacked,
	 * cow_format sits at 32, where a path never starts with 4 zeros. */
	if (n >= 36 && !memcmp(p + 32, "\0\0\0\0", 4))
		return parse_v3(p, n, true, ci, err, errlen);
	return parse_v3(p, n, false, ci, err, errlen);
}

void cow_build_header(void *buf, const char *backing, uint32_t mtime,
		      uint64_t size, struct cow_info *ci)
{
	unsigned char *p = buf;

	memset(p, 0, COW_HEADER_SIZE);
	put_be32(p, COW_MAGIC);
	put_be32(p + 4, COW_VERSION);
	put_be32(p + 8, mtime);
	put_be64(p + 12, size);
	put_be32(p + 20, 512);
	put_be32(p + 24, COW_ALIGNMENT);
	put_be32(p + 28, 0);
	snprintf((char *)p + 32, COW_PATH_LEN, "%s", backing);

	memset(ci, 0, sizeof(*ci));
	ci->mtime = mtime;
	ci->size = size;
	ci->sectorsize = 512;
	ci->alignment = COW_ALIGNMENT;
	snprintf(ci->backing, sizeof(ci->backing), "%s", backing);
	cow_sizes(ci, COW_HEADER_SIZE);
}

int cow_absolute_path(const char *backing, char *out, size_t outlen)
{
	const char *slash = strrchr(backing, '/');
	char dir[PATH_MAX], real[PATH_MAX];
	int w;

	if (!slash) {
		if (!realpath(".", real))
			return -errno;
		w = snprintf(out, outlen, "%s/%s", real, backing);
	} else {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - backing),
			 backing);
		if (!realpath(slash == backing ? "/" : dir, real))
			return -errno;
		w = snprintf(out, outlen, "%s%s", strcmp(real, "/") ? real : "",
			     slash);
	}
	return w < 0 || (size_t)w >= outlen ? -ENAMETOOLONG : 0;
}
