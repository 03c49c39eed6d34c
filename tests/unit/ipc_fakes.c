/*
 * What procfs's unit test needs of kernel/ipc/ besides its limits: the
 * /proc/sysvipc text, with no objects.
 */
#include <umk/ipc.h>

void sysvipc_proc_show(int which, void (*emit)(void *ctx, const char *line),
		       void *ctx)
{
	emit(ctx, "       key\n");
}
