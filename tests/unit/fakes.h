/*
 * The one place the unit tests get their surroundings from (tests/unit/
 * fakes.c). Unit tests link the real kernel (every object of umk, as the
 * library $(B)/tests/unit/libumk.a) and fake no kernel function: what is
 * fake here is the world around it.
 *  - TAP output: ok(), diag(), tap_done().
 *  - The guest is the test process itself: current is a task whose mm's
 *    host pid is the test's own pid, so guest pointers are host pointers
 *    and the real copy_from_user/copy_to_user move them (process_vm_readv
 *    on oneself).
 *  - Superblocks made for one filesystem type and torn down again, to call
 *    a filesystem's methods directly (mount_fs, umount_fs), and a few
 *    helpers around inodes and files.
 *  - The kernel log is the real ring buffer (kmsg_count, kmsg_tail); it is
 *    kept off stderr unless UNIT_VERBOSE is set.
 * No function defined here may carry the name of a kernel function:
 * tests/unit/no_copies.sh checks that for every unit test source.
 */
#ifndef UMK_TESTS_FAKES_H
#define UMK_TESTS_FAKES_H

#include <umk/fs.h>
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <stdbool.h>

/* ---- TAP ---------------------------------------------------------------- */

/* "ok N - ..." or "not ok N - ...", flushed at once; counts failures. */
void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "# ..." lines. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan "1..N"; the exit status for main: 0 iff nothing failed. */
int tap_done(void);
extern int test_no, failures;

/* ---- the test process as the guest ------------------------------------- */

/*
 * Make current a guest task (pid 1, root) of the test process: its mm is
 * the test's own address space, with an fd table (alloc_files), RLIMIT_NOFILE
 * 1024, a fresh fs context (umask 022, root and cwd set by the caller's
 * mount) and default signal handlers. Call once, first thing in main().
 */
void unit_init(void);
extern struct task test_task;	/* current, unless a test points it away */
extern struct cred test_cred;	/* test_task's credentials (root) */
extern struct mm_struct test_mm;	/* the test's own address space */

/* ---- system calls -------------------------------------------------------- */

#define U(p) UPTR(p)

/* SYS(name, args...): the handler's table entry (its typed wrapper) with
 * the arguments as the raw registers a guest would pass (a struct uptr is
 * its address). */
static inline unsigned long raw_uptr(struct uptr u) { return u.addr; }
static inline unsigned long raw_long(long v) { return v; }
#define RAW(x) _Generic((x), struct uptr: raw_uptr, default: raw_long)(x)
#define RAW_1(a) RAW(a)
#define RAW_2(a, ...) RAW(a), RAW_1(__VA_ARGS__)
#define RAW_3(a, ...) RAW(a), RAW_2(__VA_ARGS__)
#define RAW_4(a, ...) RAW(a), RAW_3(__VA_ARGS__)
#define RAW_5(a, ...) RAW(a), RAW_4(__VA_ARGS__)
#define RAW_6(a, ...) RAW(a), RAW_5(__VA_ARGS__)
#define RAW_N(_1, _2, _3, _4, _5, _6, n, ...) RAW_##n
#define RAWS(...) RAW_N(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)(__VA_ARGS__)
#define SYS(name, ...)							\
	__se_sys_##name((const unsigned long[6]){ __VA_OPT__(RAWS(__VA_ARGS__)) })

/* ---- the kernel log ------------------------------------------------------ */

/* How many lines of the kernel log so far contain needle. */
int kmsg_count(const char *needle);
/* The last line of the kernel log (without its timestamp), for message
 * checks; a static buffer. */
const char *kmsg_last(void);

/* ---- superblocks, inodes, files ----------------------------------------- */

/*
 * A superblock of the registered filesystem type, filled by its
 * fill_super(sb, dev_name, opts, flags) on device dev (0 for none): NULL
 * and *err on failure. As the kernel's mount does it, without a mount point.
 */
struct super_block *mount_fs_dev(const char *type, dev_t dev,
				 const char *dev_name, unsigned long flags,
				 const char *opts, int *err);
static inline struct super_block *mount_fs(const char *type, const char *opts,
					   int *err)
{
	return mount_fs_dev(type, 0, "none", 0, opts, err);
}
/* Inodes of sb still in the inode cache. */
int sb_inode_count(struct super_block *sb);
/*
 * Tear sb down as the kernel's last unmount does (shrink the dentries, put
 * the root, put_super) and free it. Returns how many inodes stayed in the
 * cache: leaked references.
 */
int umount_fs(struct super_block *sb);

struct qstr q(const char *name);
/* Referenced inode of name in dir (the i_op->lookup method), or NULL. */
struct inode *lookup(struct inode *dir, const char *name);
/* A struct file on inode with flags, f_op from i_fop. */
void file_init(struct file *f, struct inode *inode, unsigned int flags);

#endif
