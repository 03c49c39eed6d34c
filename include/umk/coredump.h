/*
 * Core dumps (kernel/coredump.c), for get_signal's default action.
 */
#ifndef UMK_COREDUMP_H
#define UMK_COREDUMP_H
#include <stdbool.h>
#include <signal.h>

/*
 * The current task dies of info->si_signo, a signal whose default action
 * dumps core: write an ELF core file "core" in its cwd if RLIMIT_CORE
 * allows (at least a page) and the process is dumpable. Returns whether a
 * whole dump was written: the wait status then has WCOREDUMP (0x80).
 */
bool do_coredump(const siginfo_t *info);
#endif
