/*
 * Shared file mappings (kernel/filemap.c). A file mapped by a guest (or
 * exec'd) gets a page cache: a host memfd holding its bytes, mapped by the
 * guest's host process (MAP_SHARED or MAP_PRIVATE of it), so guest stores
 * to a shared mapping are the kernel's too, and an access beyond the end of
 * the file raises SIGBUS as on Linux. While an inode has one, read and
 * write go through it as well (coherence), and msync, fsync, munmap, exit
 * and sync write it back to the filesystem. A cache outlives its last
 * mapping on block-device filesystems, on an LRU bounded by mem=.
 * Semantics: mmap(2), msync(2).
 */
#ifndef UMK_FILEMAP_H
#define UMK_FILEMAP_H

#include <umk/fs.h>

/* A mapping of a file in one address space (the kernel's vm_area). */
struct file_vma {
	struct list_head list;		/* in mm->file_vmas */
	unsigned long start, end;	/* guest addresses, page aligned */
	struct inode *inode;		/* referenced */
	bool shared_write;		/* MAP_SHARED with PROT_WRITE */
};

/*
 * mmap of file f: map [addr, addr+len) (addr 0: anywhere; flags as given,
 * MAP_FIXED honoured) at file offset off with prot into the current task.
 * Returns the address or -errno: -EACCES (a shared writable mapping of a
 * file not open for writing, or any mapping of a file not open for
 * reading), -ENODEV (not a regular file), -ENOMEM.
 */
long filemap_mmap(struct file *f, unsigned long addr, unsigned long len,
		  unsigned long prot, unsigned long flags, unsigned long off);
/* The range [start, end) of mm is being unmapped (munmap, MAP_FIXED over
 * it): write back and forget the file mappings inside it. */
void filemap_unmap(struct mm_struct *mm, unsigned long start, unsigned long end);
/* mremap moved/resized the mapping at old_start. */
void filemap_remap(struct mm_struct *mm, unsigned long old_start,
		   unsigned long new_start, unsigned long new_len);
/* msync: write back the shared writable mappings in [start, end). 0 or
 * -ENOMEM if the range is not mapped at all (as Linux). */
int filemap_msync(struct mm_struct *mm, unsigned long start, unsigned long end);
/* fork: the child's mm has the same mappings. */
int filemap_dup(struct mm_struct *dst, struct mm_struct *src);
/* The mm is gone (exit, exec): write back and drop every mapping. */
void filemap_exit(struct mm_struct *mm);
/* Write the page cache of inode back to its filesystem (fsync, sync). */
int filemap_writeback(struct inode *inode);
void filemap_writeback_all(void);
/* read(2)/write(2) of a file that has a page cache: served from it (and
 * written through to the filesystem). Return bytes or -errno, or -ENOENT
 * when the inode has no page cache (the caller uses f_op). */
ssize_t filemap_read(struct file *f, char *buf, size_t len, loff_t *pos);
/* Does inode's page cache serve read(2) now? True for a regular file
 * with a cache that is filled (while it is filled, the filesystem does). */
bool filemap_active(const struct inode *inode);
/* lseek(2)'s SEEK_DATA and SEEK_HOLE of a file whose cache is active:
 * from the cache, where stores through mappings are (zero pages the fill
 * skipped read as a hole). The offset (f_pos moves there), or -ENXIO
 * when off is negative, at or past the end, or no data follows. */
loff_t filemap_llseek(struct file *f, loff_t off, int whence);
ssize_t filemap_write_through(struct file *f, const char *buf, size_t len,
			      loff_t pos);
/* The file's size changed (truncate, a write past the end). */
void filemap_resize(struct inode *inode, loff_t size);
/* inode is being evicted: free the page cache it kept after its last
 * mapping went (an inode with mappings is referenced, never evicted). */
void filemap_evict_inode(struct inode *inode);

/* Bytes of host memory the page caches of mapped files hold now (their
 * memfds' allocated pages: holes cost nothing; caches kept after their
 * last mapping, reclaimable, not counted). */
uint64_t filemap_cache_bytes(void);

/*
 * exec: the page cache of f's regular file, held, for mapping its ELF
 * segments privately (MAP_PRIVATE of filemap_host_fd), when f lives on a
 * block-device filesystem; NULL otherwise (the caller copies the file).
 * Each mapping made is recorded with filemap_add_private (0 or -ENOMEM),
 * which takes its own hold; filemap_put drops the caller's.
 */
struct page_cache;
struct page_cache *filemap_exec_get(struct file *f);
int filemap_host_fd(struct page_cache *c);
int filemap_add_private(struct mm_struct *mm, unsigned long start,
			unsigned long end, struct page_cache *c);
void filemap_put(struct page_cache *c);
#endif
