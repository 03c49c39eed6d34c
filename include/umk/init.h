/*
 * Boot-time registration of the built-in filesystems and drivers, called in
 * this order by start_kernel(). Each returns 0 or -errno.
 */
#ifndef UMK_INIT_H
#define UMK_INIT_H

int init_ext2_fs(void);		/* "ext2", "ext3", "ext4": kernel/fs/ext2/ */
int init_proc_fs(void);		/* "proc": kernel/fs/proc/ */
int init_devtmpfs(void);	/* "devtmpfs": kernel/fs/devfs.c */
int init_devpts(void);	/* "devpts": kernel/fs/devpts.c */
int init_sysfs(void);	/* "sysfs": kernel/fs/sysfs.c */
int init_tmpfs(void);		/* "tmpfs": kernel/fs/tmpfs.c */
int init_chrdevs(void);		/* mem, tty devices: kernel/drivers/ */
int ubd_init(void);		/* ubd block devices: ubd/ubd_kern.c */
int init_hostfs(void);		/* "hostfs": kernel/fs/hostfs/ */
/* Open the hostfs= share (kernel/fs/hostfs/), before umk's sandbox: 0
 * when there is none, or -errno. */
int hostfs_setup(void);
/* init's exec succeeded: ext2/3/4 filesystems mounted read-write before
 * are marked in use on disk now; nothing is written to an image before
 * (kernel/fs/ext2/), so a boot that fails leaves the images unchanged. */
void ext2_init_started(void);

/*
 * Running programs and ending the machine (arch/um/kernel/um_arch.c; Linux
 * init/main.c and kernel/reboot.c).
 */
/* Run path as the current task's program (init): argv and envp are kernel
 * strings ending in NULL; the task's host image is a fresh stub. 0, or
 * -errno with the task unchanged (execve(2)'s errors). */
long kernel_execve(const char *path, char *const argv[], char *const envp[]);
/* init died with wait status status: halt, or panic on a fatal signal
 * ("Attempted to kill init!"); umk exits with the status. Returns only when
 * a halt already under way killed init. */
void machine_halt_init_died(int status);
/* reboot(2) as root: sync, print Linux's message for cmd (RESTART, HALT,
 * POWER_OFF...), kill every task, unmount, and exit umk with 0. */
void machine_restart_or_halt(int cmd) __attribute__((noreturn));
/* sysrq b: exit umk with 0 at once, nothing synced (Linux
 * emergency_restart). */
void machine_emergency_restart(void) __attribute__((noreturn));
/* Ctrl-Alt-Del (the mconsole's cad; Linux kernel/reboot.c ctrl_alt_del):
 * restart as reboot(2) would while C_A_D is on (reboot(2) CAD_ON, the
 * default), else SIGINT to init. */
void ctrl_alt_del(void);
/* The management console on UMID_DIR/mconsole
 * (arch/um/drivers/mconsole_kern.c), after the root is mounted. 0 or
 * -errno (logged; umk runs on without it). */
int mconsole_init(const char *umid_dir);
/* hostfs= on the command line: the one host directory hostfs may reach,
 * or NULL (every hostfs mount is refused). kernel/fs/hostfs/. */
extern const char *hostfs_root_dir;

/* panic(): exit umk with status 1 after the message, writing nothing. */
void machine_panic(void) __attribute__((noreturn));

#endif
