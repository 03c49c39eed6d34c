/*
 * The syscall dispatcher: one table indexed by the x86-64 syscall number,
 * generated from syscall_list.h, whose entries are the typed wrappers of
 * SYSCALL_DEFINEn (include/umk/syscalls.h); every other entry is -ENOSYS
 * (logged once by number). Model: UML arch/um/kernel/skas/syscall.c.
 */
#include <umk/kernel.h>
#include <umk/syscalls.h>
#include <umk/sched.h>
#include <asm/unistd_64.h>

#define NR_SYSCALLS 512

typedef long (*syscall_fn_t)(const unsigned long *args);

#define SYSCALL(name, fmt, file, support, note) \
	[__NR_##name] = __se_sys_##name,
static const syscall_fn_t sys_call_table[NR_SYSCALLS] = {
#include <umk/syscall_list.h>
};
#undef SYSCALL

#define SYSCALL(name, fmt, file, support, note) [__NR_##name] = #name,
static const char *const sys_call_names[NR_SYSCALLS] = {
#include <umk/syscall_list.h>
};
#undef SYSCALL

#define SYSCALL(name, fmt, file, support, note) [__NR_##name] = fmt,
static const char *const sys_call_formats[NR_SYSCALLS] = {
#include <umk/syscall_list.h>
};
#undef SYSCALL

static unsigned char warned[NR_SYSCALLS];

const char *syscall_name(long nr)
{
	return nr >= 0 && nr < NR_SYSCALLS ? sys_call_names[nr] : NULL;
}

const char *syscall_args_format(long nr)
{
	return nr >= 0 && nr < NR_SYSCALLS ? sys_call_formats[nr] : NULL;
}

long do_syscall(long nr, const unsigned long a[6])
{
	if (nr < 0 || nr >= NR_SYSCALLS || !sys_call_table[nr]) {
		if (nr >= 0 && nr < NR_SYSCALLS && !warned[nr]) {
			warned[nr] = 1;
			printk(KERN_INFO "umk: %s[%d]: unimplemented syscall %ld\n",
			       current->comm, current->pid, nr);
		}
		return -ENOSYS;
	}
	return sys_call_table[nr](a);
}
