/*
 * ipc: System V IPC. Shared memory really shared between processes (fork
 * inherits an attach, exec and exit drop it, shmdt and munmap detach,
 * IPC_RMID waits for the last detach, SHM_RDONLY faults on a write);
 * semaphores (values, GETALL/SETALL, blocking with semncnt/semzcnt,
 * GETPID, timeouts, EINTR even under SA_RESTART, SEM_UNDO at exit, EIDRM);
 * message queues (msgtyp selection, MSG_EXCEPT, MSG_NOERROR, full queues,
 * EIDRM); get/ctl errors, permissions of another uid, the limits in
 * /proc/sys/kernel and /proc/sysvipc; hostile arguments.
 */
#include "guest.h"
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#ifndef SHM_DEST
#define SHM_DEST 01000
#define SHM_LOCKED 02000
#endif

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static int semctl_int(int id, int num, int cmd, int val)
{
	union semun u = { .val = val };

	return semctl(id, num, cmd, u);
}

/* Wait (bounded) until semaphore num of id has cnt waiters of kind cmd. */
static int wait_cnt(int id, int num, int cmd, int cnt)
{
	return WAIT_UNTIL(semctl(id, num, cmd) == cnt);
}

static int shm_nattch(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) < 0 ? -errno : (int)ds.shm_nattch;
}

/* Run fn in a child as uid/gid 1000; its exit status is an errno. */
static const char *as_user(int (*fn)(int), int arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(100);
		_exit(fn(arg));
	}
	int st;

	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? ename(WEXITSTATUS(st)) : wstr(st);
}

static int try_shmat(int id) { return shmat(id, NULL, 0) == (void *)-1 ? errno : 0; }
static int try_shm_rmid(int id) { return shmctl(id, IPC_RMID, NULL) < 0 ? errno : 0; }
static int try_semop(int id)
{
	struct sembuf op = { 0, 1, IPC_NOWAIT };

	return semop(id, &op, 1) < 0 ? errno : 0;
}
static int try_msgsnd(int id)
{
	struct { long t; char c[4]; } m = { 1, "x" };

	return msgsnd(id, &m, 1, IPC_NOWAIT) < 0 ? errno : 0;
}

static void test_shm(const char *self)
{
	struct shmid_ds ds;
	int id, st;
	char *p, *q;
	pid_t pid;

	id = shmget(IPC_PRIVATE, 10000, 0600);
	yesno("shmget", id >= 0);
	p = shmat(id, NULL, 0);
	yesno("shmat", p != (void *)-1);
	resv("nattch_1", shm_nattch(id));
	strcpy(p, "parent");
	pid = fork();
	if (pid == 0) {
		int n = shm_nattch(id);

		strcpy(p + 100, "from child");
		_exit(n);
	}
	say("child_nattch: %s", reap(pid));
	say("child_wrote: %s", p + 100);
	resv("nattch_after_child_exit", shm_nattch(id));
	pid = fork();
	if (pid == 0) {
		char arg[32];

		snprintf(arg, sizeof(arg), "%d", id);
		execl(self, "ipc", "nattch", arg, (char *)NULL);
		_exit(99);
	}
	say("exec_child_nattch: %s", reap(pid));
	/* an independent attach of the same segment sees the same bytes */
	q = shmat(id, NULL, SHM_RDONLY);
	yesno("second_attach_shares", q != (void *)-1 && !strcmp(q, "parent"));
	resv("nattch_2", shm_nattch(id));
	pid = fork();
	if (pid == 0) {
		q[0] = 'x';
		_exit(0);
	}
	say("rdonly_write: %s", reap(pid));
	resv("shmdt_q", shmdt(q));
	resv("shmdt_again", shmdt(q));
	resv("shmdt_unaligned", shmdt(p + 1));
	resv("shmdt_never", shmdt((void *)0x100000));
	q = shmat(id, NULL, 0);
	resv("munmap_attach", munmap(q, 10000));
	resv("nattch_after_munmap", shm_nattch(id));
	resv("shmat_fixed_busy", shmat(id, p, 0) == (void *)-1 ? -errno : 0);
	q = shmat(id, p, SHM_REMAP);
	yesno("shmat_remap_same_addr", q == p);
	resv("nattch_after_remap", shm_nattch(id));
	resv("shmat_unaligned", shmat(id, p + 1, 0) == (void *)-1 ? -errno : 0);
	resv("shmat_remap_null", shmat(id, NULL, SHM_REMAP) == (void *)-1 ? -errno : 0);
	resv("shmat_badid", shmat(-1, NULL, 0) == (void *)-1 ? -errno : 0);
	resv("shmat_staleid", shmat(id + 32768 * 7, NULL, 0) == (void *)-1 ? -errno : 0);
	ds.shm_perm.mode = 0640;
	ds.shm_perm.uid = 0;
	ds.shm_perm.gid = 0;
	resv("ipc_set", shmctl(id, IPC_SET, &ds));
	shmctl(id, IPC_STAT, &ds);
	say("mode_after_set: %o segsz: %zu", ds.shm_perm.mode, ds.shm_segsz);
	say("as_user_shmat: %s", as_user(try_shmat, id));
	say("as_user_rmid: %s", as_user(try_shm_rmid, id));
	resv("shm_lock", shmctl(id, SHM_LOCK, NULL));
	shmctl(id, IPC_STAT, &ds);
	yesno("locked_flag", ds.shm_perm.mode & SHM_LOCKED);
	resv("shm_unlock", shmctl(id, SHM_UNLOCK, NULL));
	resv("rmid_attached", shmctl(id, IPC_RMID, NULL));
	st = shmctl(id, IPC_STAT, &ds);
	say("stat_after_rmid: %d dest=%d key=%d", st, !!(ds.shm_perm.mode & SHM_DEST),
	    ds.shm_perm.__key);
	say("data_after_rmid: %s", p + 100);
	resv("shmdt_last", shmdt(p));
	resv("stat_after_last_detach", shmctl(id, IPC_STAT, &ds));
	resv("shmget_size0", shmget(IPC_PRIVATE, 0, 0600));
	resv("shmctl_badcmd", shmctl(0, 999, &ds));
	id = shmget(IPC_PRIVATE, 4096, 0600);
	resv("stat_badbuf", shmctl(id, IPC_STAT, (struct shmid_ds *)1));
	resv("set_badbuf", shmctl(id, IPC_SET, (struct shmid_ds *)unmapped_page()));
	resv("info", shmctl(id, IPC_INFO, (struct shmid_ds *)BAD1) < 0 ? -errno : 0);
	shmctl(id, IPC_RMID, NULL);
}

static void test_keys(void)
{
	key_t key = 0x5a000000 + (getpid() & 0xffff);
	int id, id2;

	resv("key_absent", shmget(key, 100, 0600));
	id = shmget(key, 100, IPC_CREAT | 0600);
	yesno("key_create", id >= 0);
	id2 = shmget(key, 50, 0600);
	yesno("key_same_id", id2 == id);
	resv("key_bigger", shmget(key, 200, 0600));
	resv("key_excl", shmget(key, 100, IPC_CREAT | IPC_EXCL | 0600));
	shmctl(id, IPC_RMID, NULL);
	resv("key_after_rmid", shmget(key, 100, 0600));
	id = semget(key, 2, IPC_CREAT | 0600);
	resv("sem_key_more", semget(key, 3, 0600));
	yesno("sem_key_fewer", semget(key, 1, 0600) == id);
	resv("sem_key_excl", semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
	semctl(id, 0, IPC_RMID);
	id = msgget(key, IPC_CREAT | 0600);
	yesno("msg_key_same", msgget(key, 0) == id);
	resv("msg_key_excl", msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	msgctl(id, IPC_RMID, NULL);
}

static void sigusr1(int sig) { (void)sig; }

static void test_sem(void)
{
	unsigned short all[3] = { 5, 0, 7 }, got[3];
	struct sembuf op;
	struct semid_ds ds;
	struct timespec ts = { 0, 50 * 1000000 };
	union semun u;
	int id;
	pid_t pid;

	id = semget(IPC_PRIVATE, 3, 0600);
	yesno("semget", id >= 0);
	resv("semget_zero", semget(IPC_PRIVATE, 0, 0600));
	resv("semget_neg", semget(IPC_PRIVATE, -1, 0600));
	resv("semget_toomany", semget(IPC_PRIVATE, 32001, 0600));
	resv("getval_init", semctl(id, 0, GETVAL));
	resv("setval", semctl_int(id, 0, SETVAL, 1));
	resv("getval", semctl(id, 0, GETVAL));
	resv("setval_range", semctl_int(id, 0, SETVAL, 32768));
	resv("setval_neg", semctl_int(id, 0, SETVAL, -1));
	resv("getval_badnum", semctl(id, 3, GETVAL));
	u.array = all;
	resv("setall", semctl(id, 0, SETALL, u));
	u.array = got;
	resv("getall", semctl(id, 0, GETALL, u));
	say("getall_values: %d %d %d", got[0], got[1], got[2]);
	u.array = (unsigned short *)BAD1;
	resv("getall_bad", semctl(id, 0, GETALL, u));
	u.buf = &ds;
	resv("ipc_stat", semctl(id, 0, IPC_STAT, u));
	say("stat_nsems: %lu mode: %o", (unsigned long)ds.sem_nsems, ds.sem_perm.mode);
	op = (struct sembuf){ 0, -2, 0 };
	resv("semop_dec", semop(id, &op, 1));
	resv("getval_after_dec", semctl(id, 0, GETVAL));
	yesno("getpid_is_me", semctl(id, 0, GETPID) == getpid());
	op = (struct sembuf){ 1, -1, IPC_NOWAIT };
	resv("semop_nowait", semop(id, &op, 1));
	op = (struct sembuf){ 5, 1, 0 };
	resv("semop_efbig", semop(id, &op, 1));
	resv("semop_zero_ops", semop(id, &op, 0));
	resv("semop_too_many", semop(id, &op, 501));
	op = (struct sembuf){ 2, 32767, 0 };
	resv("semop_erange", semop(id, &op, 1));
	resv("getval_after_erange", semctl(id, 2, GETVAL));
	resv("semop_badptr", syscall(SYS_semop, id, BAD1, 1));
	op = (struct sembuf){ 1, -1, 0 };
	resv("semtimedop_timeout", semtimedop(id, &op, 1, &ts));
	ts.tv_nsec = 2000000000L;
	resv("semtimedop_badts", semtimedop(id, &op, 1, &ts));
	resv("semtimedop_badptr", syscall(SYS_semtimedop, id, &op, 1, BAD1));

	/* blocked decrement, woken by an increment */
	pid = fork();
	if (pid == 0) {
		struct sembuf d = { 1, -1, 0 };

		_exit(semop(id, &d, 1) < 0 ? errno : 0);
	}
	yesno("ncnt_1", wait_cnt(id, 1, GETNCNT, 1));
	op = (struct sembuf){ 1, 1, 0 };
	semop(id, &op, 1);
	say("blocked_dec_woken: %s", reap(pid));
	resv("ncnt_0", semctl(id, 1, GETNCNT));
	yesno("getpid_is_child", semctl(id, 1, GETPID) == pid);

	/* wait-for-zero */
	semctl_int(id, 1, SETVAL, 1);
	pid = fork();
	if (pid == 0) {
		struct sembuf z = { 1, 0, 0 };

		_exit(semop(id, &z, 1) < 0 ? errno : 0);
	}
	yesno("zcnt_1", wait_cnt(id, 1, GETZCNT, 1));
	semctl_int(id, 1, SETVAL, 0);
	say("zero_wait_woken: %s", reap(pid));

	/* EINTR even with SA_RESTART */
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = sigusr1, .sa_flags = SA_RESTART };
		struct sembuf d = { 1, -1, 0 };

		sigaction(SIGUSR1, &sa, NULL);
		_exit(semop(id, &d, 1) < 0 ? errno : 0);
	}
	yesno("ncnt_before_signal", wait_cnt(id, 1, GETNCNT, 1));
	kill(pid, SIGUSR1);
	say("semop_signal: %s", reap(pid));

	/* SEM_UNDO applied at exit */
	semctl_int(id, 2, SETVAL, 3);
	pid = fork();
	if (pid == 0) {
		struct sembuf a = { 2, 4, SEM_UNDO };

		semop(id, &a, 1);
		_exit(semctl(id, 2, GETVAL));
	}
	say("undo_child_saw: %s", reap(pid));
	resv("undo_after_exit", semctl(id, 2, GETVAL));

	/* atomicity: the second op blocks, the first is not applied */
	{
		struct sembuf two[2] = { { 0, 1, 0 }, { 1, -1, IPC_NOWAIT } };

		semctl_int(id, 0, SETVAL, 0);
		resv("atomic_semop", semop(id, two, 2));
		resv("atomic_val0", semctl(id, 0, GETVAL));
	}
	say("as_user_semop: %s", as_user(try_semop, id));

	/* removal wakes a sleeper with EIDRM */
	pid = fork();
	if (pid == 0) {
		struct sembuf d = { 1, -1, 0 };

		_exit(semop(id, &d, 1) < 0 ? errno : 0);
	}
	yesno("ncnt_before_rmid", wait_cnt(id, 1, GETNCNT, 1));
	resv("sem_rmid", semctl(id, 0, IPC_RMID));
	say("sleeper_after_rmid: %s", reap(pid));
	resv("getval_after_rmid", semctl(id, 0, GETVAL));
	resv("semctl_badcmd", semctl(0, 0, 999));
}

struct msgbuf_ {
	long mtype;
	char mtext[64];
};

static void snd(int id, long type, const char *s)
{
	struct msgbuf_ m = { .mtype = type };

	strcpy(m.mtext, s);
	msgsnd(id, &m, strlen(s), 0);
}

static void rcv(const char *name, int id, size_t sz, long type, int flags)
{
	struct msgbuf_ m;
	long n;

	memset(&m, 0, sizeof(m));
	n = msgrcv(id, &m, sz, type, flags);
	if (n < 0)
		say("%s: %s", name, ename(errno));
	else
		say("%s: %ld type=%ld text=%.*s", name, n, m.mtype, (int)n, m.mtext);
}

static void test_msg(void)
{
	struct msqid_ds ds;
	struct msgbuf_ m = { .mtype = 1 };
	int id;
	pid_t pid;

	id = msgget(IPC_PRIVATE, 0600);
	yesno("msgget", id >= 0);
	snd(id, 1, "a");
	snd(id, 2, "bb");
	snd(id, 3, "ccc");
	snd(id, 1, "dddd");
	msgctl(id, IPC_STAT, &ds);
	say("stat: qnum=%lu cbytes=%lu qbytes=%lu", (unsigned long)ds.msg_qnum,
	    (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes);
	rcv("rcv_type2", id, 64, 2, 0);
	rcv("rcv_except1", id, 64, 1, MSG_EXCEPT);
	rcv("rcv_le3", id, 64, -3, 0);
	rcv("rcv_type2_none", id, 64, 2, IPC_NOWAIT);
	rcv("rcv_e2big", id, 2, 0, 0);
	rcv("rcv_noerror", id, 2, 0, MSG_NOERROR);
	rcv("rcv_empty", id, 64, 0, IPC_NOWAIT);
	rcv("rcv_copy_blocking", id, 64, 0, 040000);
	m.mtype = 0;
	resv("snd_type0", msgsnd(id, &m, 1, 0));
	m.mtype = 1;
	resv("snd_toobig", msgsnd(id, &m, 8193, 0));
	resv("snd_badptr", msgsnd(id, BAD1, 1, 0));
	m.mtype = 5;
	resv("snd_badtext", syscall(SYS_msgsnd, id, unmapped_page(), 1L, 0));
	snd(id, 7, "x");
	resv("rcv_badbuf", syscall(SYS_msgrcv, id, BAD1, 8L, 0L, 0));
	rcv("rcv_after_badbuf", id, 64, 0, IPC_NOWAIT);

	/* a full queue */
	msgctl(id, IPC_STAT, &ds);
	ds.msg_qbytes = 16;
	resv("set_qbytes", msgctl(id, IPC_SET, &ds));
	memset(m.mtext, 'q', 10);
	m.mtype = 1;
	resv("snd_fits", msgsnd(id, &m, 10, 0));
	resv("snd_full_nowait", msgsnd(id, &m, 10, IPC_NOWAIT));
	pid = fork();
	if (pid == 0)
		_exit(msgsnd(id, &m, 10, 0) < 0 ? errno : 0);
	yesno("sender_sleeps", wait_sleeping(pid, pid));
	rcv("rcv_unblocks_sender", id, 64, 0, 0);
	say("blocked_sender: %s", reap(pid));
	rcv("rcv_sender_msg", id, 64, 0, IPC_NOWAIT);

	/* a blocked receiver, woken by a send */
	pid = fork();
	if (pid == 0) {
		struct msgbuf_ r;
		long n = msgrcv(id, &r, 64, 9, 0);

		_exit(n < 0 ? 200 : n);
	}
	yesno("receiver_sleeps", wait_sleeping(pid, pid));
	snd(id, 9, "hello");
	say("blocked_receiver: %s", reap(pid));
	say("as_user_msgsnd: %s", as_user(try_msgsnd, id));

	/* a signal handler ends the wait with EINTR */
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = sigusr1 };
		struct msgbuf_ r;

		sigaction(SIGUSR1, &sa, NULL);
		_exit(msgrcv(id, &r, 64, 0, 0) < 0 ? errno : 0);
	}
	yesno("receiver_sleeps_before_signal", wait_sleeping(pid, pid));
	kill(pid, SIGUSR1);
	say("msgrcv_signal: %s", reap(pid));

	/* removal wakes a receiver with EIDRM */
	pid = fork();
	if (pid == 0) {
		struct msgbuf_ r;

		_exit(msgrcv(id, &r, 64, 0, 0) < 0 ? errno : 0);
	}
	yesno("receiver_sleeps_before_rmid", wait_sleeping(pid, pid));
	resv("msg_rmid", msgctl(id, IPC_RMID, NULL));
	say("receiver_after_rmid: %s", reap(pid));
	resv("stat_after_rmid", msgctl(id, IPC_STAT, &ds));
	resv("msgctl_badcmd", msgctl(0, 999, &ds));
	resv("msgrcv_negid", msgrcv(-1, &m, 1, 0, 0));
}

static void test_limits(void)
{
	static const char *names[] = {
		"shmmax", "shmall", "shmmni", "sem", "msgmax", "msgmnb",
		"msgmni", "cap_last_cap", "pid_max",
	};
	char path[64], buf[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int fd, n;

		snprintf(path, sizeof(path), "/proc/sys/kernel/%s", names[i]);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		say("sysctl_%s: %.*s", names[i], n < 0 ? 0 : n, buf);
	}
	for (int i = 0; i < 3; i++) {
		static const char *f[] = { "shm", "sem", "msg" };
		int fd, n;

		snprintf(path, sizeof(path), "/proc/sysvipc/%s", f[i]);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, 24);
		if (fd >= 0)
			close(fd);
		say("sysvipc_%s_header: %.*s", f[i], n < 0 ? 0 : n, buf);
	}
}

int main(int argc, char **argv)
{
	char self[256];
	ssize_t n;

	if (argc == 3 && !strcmp(argv[1], "nattch"))
		return shm_nattch(atoi(argv[2]));
	test_start();
	if (access("/proc/self/exe", F_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	test_shm(self);
	test_keys();
	test_sem();
	test_msg();
	test_limits();
	say("DONE ipc");
	return 0;
}
