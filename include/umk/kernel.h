/*
 * Common kernel helpers: error pointers, container_of, printk, panic, and the
 * intrusive list. Every kernel-side file includes this first.
 */
#ifndef UMK_KERNEL_H
#define UMK_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((typeof(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((typeof(x))(a) - 1))
#define PAGE_SIZE 4096UL
/* The top of a guest's user address space (x86-64, 4-level paging). */
#define TASK_SIZE_MAX 0x7ffffffff000UL
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __unused __attribute__((unused))

/* Linux's error pointers: a pointer or a negative errno in one value. */
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr)
{
	return (unsigned long)ptr >= (unsigned long)-MAX_ERRNO;
}
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }

/* Errno values Linux uses inside the kernel; never returned to a guest as
 * such (the syscall exit path turns -ERESTARTSYS into -EINTR or a restart). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* Intrusive doubly linked list, as linux/list.h. */
struct list_head {
	struct list_head *next, *prev;
};
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l->prev = l; }
static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n; n->next = next; n->prev = prev; prev->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_add(n, head, head->next);
}
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__list_add(n, head->prev, head);
}
static inline void list_del_init(struct list_head *e)
{
	e->next->prev = e->prev; e->prev->next = e->next; INIT_LIST_HEAD(e);
}
static inline bool list_empty(const struct list_head *h) { return h->next == h; }
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_entry((head)->next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_entry(pos->member.next, typeof(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_entry((head)->next, typeof(*pos), member),	\
	     n = list_entry(pos->member.next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = n, n = list_entry(n->member.next, typeof(*n), member))

/* Allocation: kzalloc/kfree on the host heap; failure is -ENOMEM to callers. */
void *kzalloc(size_t size);
void *kmalloc(size_t size);
void kfree(const void *p);
void *krealloc(void *p, size_t size);
char *kstrdup(const char *s);
char *kstrndup(const char *s, size_t n);
/* Allocations made by the five above and not freed yet (a leak detector
 * for tests: /proc/umk/stats "kmalloc_live"). */
long kmalloc_live(void);
/* The allocation census (/proc/umk/kmalloc_census, arch/um/os-Linux/mem.c):
 * kmalloc_census_set clears it and switches it on or off (0, -ENOMEM);
 * kmalloc_census_text writes "census on|off" and then one line per call
 * site of the allocations made while on and not freed, "COUNT BYTES
 * function+offset", most first, into buf (at most cap bytes); returns the
 * length written. */
int kmalloc_census_set(bool on);
size_t kmalloc_census_text(char *buf, size_t cap);

/*
 * printk: the kernel log. Lines go to the ring buffer (dmesg, syslog(2)) and,
 * unless the boot option `quiet` lowered the console level, to the host's
 * stderr prefixed with Linux's "[    0.000000] " timestamp. Levels as Linux:
 * KERN_ERR "<3>", KERN_WARNING "<4>", KERN_NOTICE "<5>", KERN_INFO "<6>".
 */
#define KERN_EMERG "<0>"
#define KERN_ERR "<3>"
#define KERN_WARNING "<4>"
#define KERN_NOTICE "<5>"
#define KERN_INFO "<6>"
#define KERN_DEBUG "<7>"
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "Kernel panic - not syncing: <msg>", sync, then exit umk with status 1. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Copies up to len bytes of the log ring into buf; returns the byte count. */
size_t log_buf_read(char *buf, size_t len);
extern int console_loglevel;

/* Monotonic nanoseconds since boot (CLOCK_MONOTONIC minus boot time). */
uint64_t ktime_get_ns(void);

#endif
