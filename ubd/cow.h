/*
 * UML's COW file format (host side only): the v3 header, bit-compatible
 * with UML arch/um/drivers/cow_user.c and Debian's uml_mkcow / uml_moo.
 *
 *   offset  field         (big-endian, packed)
 *        0  magic         u32  0x4f4f4f4d ("OOOM")
 *        4  version       u32  3
 *        8  mtime         u32  backing file's mtime
 *       12  size          u64  backing file's size in bytes
 *       20  sectorsize    u32  512
 *       24  alignment     u32  of the bitmap and the data (UML: 4096)
 *       28  cow_format    u32  0 (a sector bitmap)
 *       32  backing_file  char[4096], an absolute path
 *     4128  (end)
 *
 * The bitmap starts at the header size rounded up to alignment: bit i
 * (byte i / 8, mask 1 << i % 8) set means sector i is in the COW file. The
 * data starts at the bitmap's end rounded up to alignment; sector s is at
 * data + s * 512. Until Dec 2005 UML wrote v3 unpacked on 64-bit hosts
 * (mtime as 8 bytes, 4136 bytes in all); that "broken v3" layout is read.
 */
#ifndef UBD_COW_H
#define UBD_COW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COW_MAGIC 0x4f4f4f4d
#define COW_VERSION 3
#define COW_PATH_LEN 4096
#define COW_HEADER_SIZE 4128		/* packed v3 */
#define COW_HEADER_BROKEN_SIZE 4136	/* unpacked 64-bit v3 */
#define COW_ALIGNMENT 4096		/* what UML and uml_mkcow write */

struct cow_info {
	bool broken;			/* the unpacked 64-bit layout */
	uint32_t mtime;
	uint64_t size;			/* bytes */
	uint32_t sectorsize;
	uint32_t alignment;
	char backing[COW_PATH_LEN];	/* NUL-terminated */
	uint64_t bitmap_offset;		/* bytes into the COW file */
	uint64_t bitmap_len;		/* bytes */
	uint64_t data_offset;
};

/*
 * Parse the first n bytes of a file. Returns 0 (a COW v3 header, *ci
 * filled), 1 (no COW magic: not a COW file) or -EINVAL with a message in
 * err: truncated header, an unsupported version, sector size or format,
 * a zero alignment, an empty or unterminated backing file name.
 */
int cow_parse_header(const void *buf, size_t n, struct cow_info *ci,
		     char *err, size_t errlen);
/* The packed v3 header for backing (absolute, < 4096 bytes) into
 * buf[COW_HEADER_SIZE]; fills ci's offsets. */
void cow_build_header(void *buf, const char *backing, uint32_t mtime,
		      uint64_t size, struct cow_info *ci);
/* backing as an absolute path the way UML's absolutize makes it (its
 * directory resolved, its last component kept). 0 or -errno. */
int cow_absolute_path(const char *backing, char *out, size_t outlen);

#endif
