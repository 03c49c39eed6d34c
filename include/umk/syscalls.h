/*
 * Syscall handlers. Each entry of syscall_list.h has one handler, defined in
 * the file the list names with Linux's SYSCALL_DEFINEn macro and its real
 * argument types (int, unsigned long, struct uptr for a guest pointer...):
 *
 *     SYSCALL_DEFINE3(read, unsigned int, fd, struct uptr, buf, size_t, count)
 *     { ... }
 *
 * defines the typed handler `long sys_read(unsigned int fd, ...)` and its
 * table entry `long __se_sys_read(const unsigned long args[6])`, which
 * decodes the six raw argument registers into the declared types (the low
 * bytes of the register, as a C cast on x86-64 gives) and calls it. The
 * table (kernel/syscall_table.c) holds only __se_sys_* entries, so no
 * handler is ever called through a cast function pointer.
 *
 * A handler returns the result or a negative errno; the mode engine writes
 * it into the guest's rax in exactly one place. Handlers run on the calling
 * task's kernel stack with `current` set, and may sleep.
 * Model: Linux include/linux/syscalls.h.
 */
#ifndef UMK_SYSCALLS_H
#define UMK_SYSCALLS_H

#include <umk/kernel.h>

#define SYSCALL(name, fmt, file, support, note) \
	long __se_sys_##name(const unsigned long *raw_args);
#include <umk/syscall_list.h>
#undef SYSCALL

/* One raw argument register v as type t (t at most 8 bytes). */
#define __SC_CAST(i, t, a)						\
	(((union { unsigned long __raw; t __val; }){ .__raw = __args[i] }).__val)
#define __SC_DECL(i, t, a)	t a
#define __SC_TEST(i, t, a)						\
	_Static_assert(sizeof(t) <= sizeof(unsigned long),		\
		       "syscall argument " #a " wider than a register")
#define __SC_SEMI() ;

#define __SC_MAP1(m, s, t1, a1) m(0, t1, a1)
#define __SC_MAP2(m, s, t1, a1, ...) m(0, t1, a1) s() __SC_MAP1_(m, s, 1, __VA_ARGS__)
#define __SC_MAP3(m, s, t1, a1, ...) m(0, t1, a1) s() __SC_MAP2_(m, s, 1, __VA_ARGS__)
#define __SC_MAP4(m, s, t1, a1, ...) m(0, t1, a1) s() __SC_MAP3_(m, s, 1, __VA_ARGS__)
#define __SC_MAP5(m, s, t1, a1, ...) m(0, t1, a1) s() __SC_MAP4_(m, s, 1, __VA_ARGS__)
#define __SC_MAP6(m, s, t1, a1, ...) m(0, t1, a1) s() __SC_MAP5_(m, s, 1, __VA_ARGS__)
/* The same with the first index given (i), so arguments keep their slots. */
#define __SC_MAP1_(m, s, i, t1, a1) m(i, t1, a1)
#define __SC_MAP2_(m, s, i, t1, a1, ...) m(i, t1, a1) s() __SC_MAP1_(m, s, i + 1, __VA_ARGS__)
#define __SC_MAP3_(m, s, i, t1, a1, ...) m(i, t1, a1) s() __SC_MAP2_(m, s, i + 1, __VA_ARGS__)
#define __SC_MAP4_(m, s, i, t1, a1, ...) m(i, t1, a1) s() __SC_MAP3_(m, s, i + 1, __VA_ARGS__)
#define __SC_MAP5_(m, s, i, t1, a1, ...) m(i, t1, a1) s() __SC_MAP4_(m, s, i + 1, __VA_ARGS__)
#define __SC_MAP(n, m, s, ...) __SC_MAP##n(m, s, __VA_ARGS__)
#define __SC_COMMA() ,

#define SYSCALL_DEFINEx(x, name, ...)					\
	long sys_##name(__SC_MAP(x, __SC_DECL, __SC_COMMA, __VA_ARGS__));\
	long __se_sys_##name(const unsigned long *__args)		\
	{								\
		__SC_MAP(x, __SC_TEST, __SC_SEMI, __VA_ARGS__);		\
		return sys_##name(__SC_MAP(x, __SC_CAST, __SC_COMMA,	\
					   __VA_ARGS__));		\
	}								\
	long sys_##name(__SC_MAP(x, __SC_DECL, __SC_COMMA, __VA_ARGS__))

#define SYSCALL_DEFINE0(name)						\
	long sys_##name(void);						\
	long __se_sys_##name(const unsigned long *__args)		\
	{								\
		(void)__args;						\
		return sys_##name();					\
	}								\
	long sys_##name(void)
#define SYSCALL_DEFINE1(name, ...) SYSCALL_DEFINEx(1, name, __VA_ARGS__)
#define SYSCALL_DEFINE2(name, ...) SYSCALL_DEFINEx(2, name, __VA_ARGS__)
#define SYSCALL_DEFINE3(name, ...) SYSCALL_DEFINEx(3, name, __VA_ARGS__)
#define SYSCALL_DEFINE4(name, ...) SYSCALL_DEFINEx(4, name, __VA_ARGS__)
#define SYSCALL_DEFINE5(name, ...) SYSCALL_DEFINEx(5, name, __VA_ARGS__)
#define SYSCALL_DEFINE6(name, ...) SYSCALL_DEFINEx(6, name, __VA_ARGS__)

/* Dispatch the syscall nr with its six raw arguments; -ENOSYS (logged once
 * by number) for anything not in the list. */
long do_syscall(long nr, const unsigned long args[6]);
/* The name of syscall nr, or NULL. */
const char *syscall_name(long nr);
/* strace's argument format of syscall nr (syscall_list.h), or NULL. */
const char *syscall_args_format(long nr);

#endif
