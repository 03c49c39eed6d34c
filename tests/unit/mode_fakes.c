/*
 * The mode engine procfs's unit test does without: /proc/PID/statm asks
 * um_mode for the stub's size (kernel/fs/proc/array.c), here none.
 */
#include <umk/sched.h>
#include <mode.h>

static const struct um_mode fake_mode = { .stub_vm_bytes = 0 };
const struct um_mode *um_mode = &fake_mode;
