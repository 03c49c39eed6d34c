/*
 * ext2/ext3/ext4, kernel side: the file operations of regular files
 * (read, write, fsync) and directories (iterate for getdents64, fsync).
 * Data moves between kernel buffers and the filesystem under sb->s_lock;
 * the syscall layer does the guest copies.
 * Semantics: Linux fs/ext4/file.c, fs/ext4/dir.c, mm/filemap.c
 * (generic_file_read_iter), fs/read_write.c.
 */
#include <umk/kernel.h>
#include <umk/fs.h>
#include <umk/sched.h>
#include "ext2.h"

/* read(2) at *pos: bytes read (0 at EOF; holes read as zeros). */
static ssize_t ext2_file_read(struct file *file, char *buf, size_t len,
			      loff_t *pos)
{
	struct inode *inode = file->f_inode;
	struct super_block *sb = inode->i_sb;
	ssize_t n;

	if (*pos < 0)
		return -EINVAL;
	if (!len)
		return 0;
	mutex_lock(&sb->s_lock);
	n = ext2_host_read(EXT2_HOST(sb), inode->i_ino, buf, len, *pos);
	mutex_unlock(&sb->s_lock);
	if (n > 0)
		*pos += n;
	return n;
}

/* read(2) at *pos into s, straight out of the block cache. */
static ssize_t ext2_file_read_sink(struct file *file, struct read_sink *s,
				   size_t len, loff_t *pos)
{
	struct inode *inode = file->f_inode;
	struct super_block *sb = inode->i_sb;
	ssize_t n;

	if (*pos < 0)
		return -EINVAL;
	if (!len)
		return 0;
	mutex_lock(&sb->s_lock);
	n = ext2_host_read_sink(EXT2_HOST(sb), inode->i_ino, s, len, *pos);
	mutex_unlock(&sb->s_lock);
	if (n > 0)
		*pos += n;
	return n;
}

/*
 * lseek: SEEK_DATA and SEEK_HOLE follow the block map (holes, unwritten
 * extents), so a sparse file is not all data (Linux ext4_llseek); past
 * i_size they are -ENXIO. The rest as generic_file_llseek.
 */
static loff_t ext2_file_llseek(struct file *file, loff_t off, int whence)
{
	struct inode *inode = file->f_inode;
	struct super_block *sb = inode->i_sb;
	int64_t pos;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return generic_file_llseek(file, off, whence);
	if (off < 0 || off >= inode->i_size)
		return -ENXIO;
	mutex_lock(&sb->s_lock);
	pos = ext2_host_seek_data(EXT2_HOST(sb), inode->i_ino, off,
				  whence == SEEK_DATA);
	mutex_unlock(&sb->s_lock);
	if (pos < 0)
		return pos;
	file->f_pos = pos;
	return pos;
}

/*
 * Linux file_remove_privs: a write by someone without CAP_FSETID clears
 * setuid, and setgid when group-exec is set. Caller holds s_lock.
 */
static void remove_privs(struct inode *inode)
{
	struct ext2_attr a = { .mode = inode->i_mode };

	if (!current || !current->cred || capable(current->cred))
		return;
	if (a.mode & S_ISUID)
		a.mode &= ~S_ISUID;
	if ((a.mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		a.mode &= ~S_ISGID;
	if (a.mode != inode->i_mode)
		ext2_host_write_attr(EXT2_HOST(inode->i_sb), inode->i_ino, &a,
				     EXT2_ATTR_MODE);
}

/*
 * write(2) at *pos (at the end for O_APPEND): bytes written, short only
 * after an error part way; a write past the end extends the file (a gap
 * is a hole). mtime and ctime become now. -ENOSPC, -EFBIG, -EROFS, -EIO.
 */
static ssize_t ext2_file_write(struct file *file, const char *buf, size_t len,
			       loff_t *pos)
{
	struct inode *inode = file->f_inode;
	struct super_block *sb = inode->i_sb;
	struct ext2_time now = ext2_now();
	ssize_t n;

	if (*pos < 0)
		return -EINVAL;
	if (!len)
		return 0;
	mutex_lock(&sb->s_lock);
	if (file->f_flags & O_APPEND)
		*pos = inode->i_size;
	n = ext2_host_write(EXT2_HOST(sb), inode->i_ino, buf, len, *pos, &now);
	if (n > 0) {
		*pos += n;
		remove_privs(inode);
	}
	ext2_refresh_inode(inode);
	mutex_unlock(&sb->s_lock);
	return n;
}

/* fsync/fdatasync: the whole filesystem reaches the host file: libext2fs's
 * metadata into the device under s_lock, then the device to the host
 * disk without it. */
static int ext2_fsync(struct file *file, int datasync)
{
	struct super_block *sb = file->f_inode->i_sb;
	int err;

	mutex_lock(&sb->s_lock);
	err = ext2_host_sync(EXT2_HOST(sb));
	mutex_unlock(&sb->s_lock);
	return err ? err : ext2_sync_device(sb);
}

/* Hands one entry to the VFS's actor with ctx->pos at the next entry;
 * on a full buffer ctx->pos goes back so the entry comes again. */
static bool ext2_filldir(void *priv, const char *name, int len, uint64_t next,
			 uint32_t ino, unsigned int dtype)
{
	struct dir_context *ctx = priv;
	loff_t saved = ctx->pos;

	ctx->pos = next;
	if (ctx->actor(ctx, name, len, next, ino, dtype))
		return true;
	ctx->pos = saved;
	return false;
}

/*
 * getdents64: entries from ctx->pos on ("." and ".." included). A position
 * is a byte offset in the directory, so a later call resumes where this
 * one stopped even if entries were added or removed meanwhile.
 */
static int ext2_iterate(struct file *file, struct dir_context *ctx)
{
	struct inode *inode = file->f_inode;
	struct super_block *sb = inode->i_sb;
	uint64_t pos = ctx->pos;
	int err;

	if (ctx->pos < 0)
		return 0;
	mutex_lock(&sb->s_lock);
	err = ext2_host_iterate(EXT2_HOST(sb), inode->i_ino, &pos,
				ext2_filldir, ctx);
	mutex_unlock(&sb->s_lock);
	ctx->pos = pos;
	return err;
}

const struct file_operations ext2_file_operations = {
	.read = ext2_file_read,
	.read_sink = ext2_file_read_sink,
	.llseek = ext2_file_llseek,
	.write = ext2_file_write,
	.fsync = ext2_fsync,
};

const struct file_operations ext2_dir_operations = {
	.iterate = ext2_iterate,
	.fsync = ext2_fsync,
};
