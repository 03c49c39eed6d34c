/*
 * A destination for data read out of a cache in pieces (the ubd block
 * cache's pages), so that a read can move them straight into a guest's
 * buffer without a bounce buffer in between (kernel/fs/read_write.c).
 * Model: Linux's iov_iter as the target of filemap_read's copy_page_to_iter.
 */
#ifndef UMK_SINK_H
#define UMK_SINK_H

#include <stddef.h>

/*
 * put(s, data, len): take the next len bytes of the data, at data. They
 * stay valid only until the producer sleeps or allocates cache pages,
 * which it never does before calling flush(s); flush moves everything put
 * so far to its destination. Both return 0 or -errno, after which the
 * producer stops and returns that error.
 */
struct read_sink {
	int (*put)(struct read_sink *s, const void *data, size_t len);
	int (*flush)(struct read_sink *s);
};

/* The plain sink: a copy into a kernel buffer, dst advancing. */
struct buf_sink {
	struct read_sink s;
	char *dst;
};

static inline int buf_sink_put(struct read_sink *s, const void *data,
			       size_t len)
{
	struct buf_sink *b = (struct buf_sink *)s;

	__builtin_memcpy(b->dst, data, len);
	b->dst += len;
	return 0;
}

static inline int buf_sink_flush(struct read_sink *s)
{
	(void)s;
	return 0;
}

#define BUF_SINK(buf) ((struct buf_sink){ { buf_sink_put, buf_sink_flush }, \
					  (char *)(buf) })

#endif
