/*
 * System V shared memory: shmget, shmat, shmdt, shmctl. Each segment is a
 * host memfd owned by umk, mapped MAP_SHARED into every guest process that
 * attaches it (mmap_host_memfd), so its pages really are shared. Attaches
 * are recorded per address space: fork copies them (the host fork keeps
 * the mapping), exec and exit drop them, shmdt and munmap detach; a
 * segment removed with IPC_RMID lives until its last detach.
 * Semantics: Linux ipc/shm.c, shmget(2), shmop(2), shmctl(2).
 */
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <umk/mm.h>
#include <stub.h>
#include <os.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "util.h"

#define SHMMIN 1
#undef SHMLBA
#define SHMLBA PAGE_SIZE

struct shmid_kernel {
	struct kern_ipc_perm perm;	/* first: container_of is a cast */
	size_t size;			/* bytes asked for */
	int memfd;			/* host memfd holding the pages */
	time_t atime, dtime, ctime;
	pid_t cpid, lpid;
	unsigned long nattch;
	struct list_head list;		/* in shm_segments until freed */
};

/* One attach of a segment in one address space. */
struct shm_attach {
	struct list_head list;		/* in shm_attaches */
	struct mm_struct *mm;
	unsigned long start, end;	/* guest addresses, page aligned */
	struct shmid_kernel *shp;
};

static struct ipc_ids shm_ids = { .max_idx = -1 };
static LIST_HEAD(shm_attaches);
static LIST_HEAD(shm_segments);		/* all, removed ones still attached too */
static unsigned long shm_tot;		/* pages of all segments */

static struct shmid_kernel *to_shm(struct kern_ipc_perm *p)
{
	return container_of(p, struct shmid_kernel, perm);
}

static unsigned long seg_pages(size_t size)
{
	return (size + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void shm_destroy(struct shmid_kernel *shp)
{
	ipc_rmid(&shm_ids, &shp->perm);
	shm_tot -= seg_pages(shp->size);
	list_del_init(&shp->list);
	os_close_fd(shp->memfd);
	kfree(shp);
}

/* A segment with no attaches left goes if it was removed (SHM_DEST). */
static void shm_maybe_destroy(struct shmid_kernel *shp)
{
	if (!shp->nattch && (shp->perm.mode & SHM_DEST))
		shm_destroy(shp);
}

/*
 * A new segment of size bytes. Besides Linux's shmmax/shmall, the pages
 * of all segments stay within the guest's memory (mem=), so the guest
 * cannot make umk hold more host memory than it was given.
 */
static struct kern_ipc_perm *shm_newobj(key_t key, int flg, long arg)
{
	size_t size = arg;
	unsigned long pages = seg_pages(size);
	struct shmid_kernel *shp;
	char name[32];

	if (size < SHMMIN || size > ipc_limits.shmmax)
		return ERR_PTR(-EINVAL);
	if (shm_tot + pages < shm_tot || shm_tot + pages > ipc_limits.shmall ||
	    (shm_tot + pages) * PAGE_SIZE > totalram_bytes)
		return ERR_PTR(-ENOSPC);
	shp = kzalloc(sizeof(*shp));
	if (!shp)
		return ERR_PTR(-ENOMEM);
	snprintf(name, sizeof(name), "SYSV%08x", (unsigned int)key);
	shp->memfd = os_memfd(name);
	if (shp->memfd < 0 || os_ftruncate(shp->memfd, size) < 0) {
		if (shp->memfd >= 0)
			os_close_fd(shp->memfd);
		kfree(shp);
		return ERR_PTR(-ENOMEM);
	}
	ipc_init_perm(&shp->perm, key, flg);
	shp->size = size;
	shp->cpid = current->tgid;
	shp->ctime = ipc_now();
	shm_tot += pages;
	list_add_tail(&shp->list, &shm_segments);
	return &shp->perm;
}

uint64_t shm_resident_bytes(void)
{
	struct shmid_kernel *shp;
	uint64_t sum = 0;

	list_for_each_entry(shp, &shm_segments, list)
		sum += os_memfd_bytes(shp->memfd);
	return sum;
}

static void shm_freeobj(struct kern_ipc_perm *p)
{
	struct shmid_kernel *shp = to_shm(p);

	shm_tot -= seg_pages(shp->size);
	list_del_init(&shp->list);
	os_close_fd(shp->memfd);
	kfree(shp);
}

static int shm_more_checks(struct kern_ipc_perm *p, long arg)
{
	return to_shm(p)->size < (size_t)arg ? -EINVAL : 0;
}

static const struct ipc_ops shm_ops = {
	.newobj = shm_newobj,
	.more_checks = shm_more_checks,
	.freeobj = shm_freeobj,
};

SYSCALL_DEFINE3(shmget, key_t, key, size_t, size, int, shmflg)
{
	return ipcget(&shm_ids, ipc_limits.shmmni, &shm_ops, key, shmflg,
		      (long)size);
}

/* --- attaches --- */

static struct shm_attach *add_attach(struct mm_struct *mm,
				     struct shmid_kernel *shp,
				     unsigned long start, unsigned long end)
{
	struct shm_attach *a = kzalloc(sizeof(*a));

	if (!a)
		return NULL;
	a->mm = mm;
	a->start = start;
	a->end = end;
	a->shp = shp;
	list_add_tail(&a->list, &shm_attaches);
	shp->nattch++;
	return a;
}

/* The attach went away (shmdt, munmap, exit): Linux shm_close. */
static void drop_attach(struct shm_attach *a)
{
	struct shmid_kernel *shp = a->shp;

	list_del_init(&a->list);
	kfree(a);
	shp->nattch--;
	shp->dtime = ipc_now();
	shp->lpid = current ? current->tgid : 0;
	shm_maybe_destroy(shp);
}

void shm_mm_dup(struct mm_struct *dst, struct mm_struct *src)
{
	struct shm_attach *a, *n;

	list_for_each_entry_safe(a, n, &shm_attaches, list) {
		if (a->mm == src)
			add_attach(dst, a->shp, a->start, a->end);
	}
}

void shm_mm_exit(struct mm_struct *mm)
{
	struct shm_attach *a, *n;

	list_for_each_entry_safe(a, n, &shm_attaches, list) {
		if (a->mm == mm)
			drop_attach(a);
	}
}

void shm_mm_unmap(struct mm_struct *mm, unsigned long start,
		  unsigned long end)
{
	struct shm_attach *a, *n;

	list_for_each_entry_safe(a, n, &shm_attaches, list) {
		if (a->mm != mm || a->end <= start || a->start >= end)
			continue;
		if (a->start >= start && a->end <= end)
			drop_attach(a);
		else if (a->start < start)
			a->end = start;
		else
			a->start = end;
	}
}

void shm_mm_remap(struct mm_struct *mm, unsigned long old_start,
		  unsigned long new_start)
{
	struct shm_attach *a;

	list_for_each_entry(a, &shm_attaches, list) {
		if (a->mm == mm && a->start == old_start) {
			a->end = new_start + (a->end - a->start);
			a->start = new_start;
			return;
		}
	}
}

/* Linux do_shmat: where and how to map, from shmaddr and shmflg. */
static long shmat_args(unsigned long *addr, int shmflg, unsigned long *prot,
		       unsigned long *flags, int *acc)
{
	*flags = MAP_SHARED;
	if (*addr) {
		if (*addr & (SHMLBA - 1)) {
			if (!(shmflg & SHM_RND))
				return -EINVAL;
			*addr &= ~(SHMLBA - 1);
			if (!*addr && (shmflg & SHM_REMAP))
				return -EINVAL;
		}
		*flags |= (shmflg & SHM_REMAP) ? MAP_FIXED :
						 MAP_FIXED_NOREPLACE;
	} else if (shmflg & SHM_REMAP) {
		return -EINVAL;
	}
	*prot = PROT_READ;
	*acc = S_IRUSR | S_IRGRP | S_IROTH;
	if (!(shmflg & SHM_RDONLY)) {
		*prot |= PROT_WRITE;
		*acc |= S_IWUSR | S_IWGRP | S_IWOTH;
	}
	if (shmflg & SHM_EXEC) {
		*prot |= PROT_EXEC;
		*acc |= S_IXUSR | S_IXGRP | S_IXOTH;
	}
	return 0;
}

SYSCALL_DEFINE3(shmat, int, shmid, struct uptr, shmaddr, int, shmflg)
{
	unsigned long addr = shmaddr.addr, prot, flags, len;
	struct shmid_kernel *shp;
	struct kern_ipc_perm *p;
	int acc;
	long ret;

	if (shmid < 0)
		return -EINVAL;
	ret = shmat_args(&addr, shmflg, &prot, &flags, &acc);
	if (ret)
		return ret;
	p = ipc_obtain(&shm_ids, shmid);
	if (!p)
		return -EINVAL;
	ret = ipcperms(p, acc);
	if (ret)
		return ret;
	shp = to_shm(p);
	len = seg_pages(shp->size) * PAGE_SIZE;
	if (addr && !guest_range_allowed(addr, len))
		return -EINVAL;
	shp->nattch++;		/* hold it while the mapping sleeps */
	if (flags & MAP_FIXED)
		shm_mm_unmap(current->mm, addr, addr + len);
	ret = mmap_host_memfd(shp->memfd, addr, len, prot, flags, 0);
	shp->nattch--;
	if (ret == -EEXIST)
		ret = -EINVAL;
	if (ret >= 0 && !guest_range_allowed(ret, len)) {
		host_syscall(current, SYS_munmap, ret, len, 0, 0, 0, 0);
		ret = -ENOMEM;
	}
	if (ret >= 0 && !add_attach(current->mm, shp, ret, ret + len)) {
		host_syscall(current, SYS_munmap, ret, len, 0, 0, 0, 0);
		ret = -ENOMEM;
	}
	if (ret >= 0) {
		shp->atime = ipc_now();
		shp->lpid = current->tgid;
	}
	shm_maybe_destroy(shp);
	return ret;
}

SYSCALL_DEFINE1(shmdt, struct uptr, shmaddr)
{
	unsigned long addr = shmaddr.addr;
	struct shm_attach *a;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	list_for_each_entry(a, &shm_attaches, list) {
		if (a->mm == current->mm && a->start == addr) {
			long err = host_syscall(current, SYS_munmap, a->start,
						a->end - a->start, 0, 0, 0, 0);

			if (err < 0)
				return err;
			drop_attach(a);
			return 0;
		}
	}
	return -EINVAL;
}

/* --- shmctl --- */

static void fill_shmid_ds(struct shmid_kernel *shp, struct shmid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	kernel_to_ipc_perm(&shp->perm, &ds->shm_perm);
	ds->shm_segsz = shp->size;
	ds->shm_atime = shp->atime;
	ds->shm_dtime = shp->dtime;
	ds->shm_ctime = shp->ctime;
	ds->shm_cpid = shp->cpid;
	ds->shm_lpid = shp->lpid;
	ds->shm_nattch = shp->nattch;
}

static long shm_info(int cmd, struct uptr buf)
{
	struct shminfo si = {
		.shmmax = ipc_limits.shmmax, .shmmin = SHMMIN,
		.shmmni = ipc_limits.shmmni, .shmseg = ipc_limits.shmmni,
		.shmall = ipc_limits.shmall,
	};
	struct shm_info sinfo = {
		.used_ids = shm_ids.in_use, .shm_tot = shm_tot,
		.shm_rss = shm_tot,
	};
	int err;

	if (cmd == IPC_INFO)
		err = copy_to_user(buf, &si, sizeof(si));
	else
		err = copy_to_user(buf, &sinfo, sizeof(sinfo));
	if (err)
		return err;
	return shm_ids.max_idx < 0 ? 0 : shm_ids.max_idx;
}

/* IPC_STAT, SHM_STAT (by index, returns the id), SHM_STAT_ANY. */
static long shm_stat(int shmid, int cmd, struct uptr buf)
{
	struct kern_ipc_perm *p;
	struct shmid_ds ds;
	long ret = 0;

	if (cmd == IPC_STAT) {
		p = ipc_obtain(&shm_ids, shmid);
	} else {
		p = ipc_obtain_idx(&shm_ids, shmid);
		if (p)
			ret = p->id;
	}
	if (!p)
		return -EINVAL;
	if (cmd != SHM_STAT_ANY && ipcperms(p, S_IRUGO_IPC))
		return -EACCES;
	fill_shmid_ds(to_shm(p), &ds);
	if (copy_to_user(buf, &ds, sizeof(ds)))
		return -EFAULT;
	return ret;
}

SYSCALL_DEFINE3(shmctl, int, shmid, int, cmd, struct uptr, buf)
{
	struct shmid_kernel *shp;
	struct kern_ipc_perm *p;
	struct shmid_ds ds;
	int err;

	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shm_info(cmd, buf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return shm_stat(shmid, cmd, buf);
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		/* fall through */
	case IPC_RMID:
	case SHM_LOCK:
	case SHM_UNLOCK:
		break;
	default:
		return -EINVAL;
	}
	p = ipc_obtain(&shm_ids, shmid);
	if (!p)
		return -EINVAL;
	shp = to_shm(p);
	if (cmd == SHM_LOCK || cmd == SHM_UNLOCK) {
		/* Linux: root, or the owner with RLIMIT_MEMLOCK room; umk
		 * pins nothing, so only the permission matters. */
		if (!capable(current->cred) &&
		    current->cred->euid != p->uid && current->cred->euid != p->cuid)
			return -EPERM;
		if (cmd == SHM_LOCK)
			p->mode |= SHM_LOCKED;
		else
			p->mode &= ~SHM_LOCKED;
		return 0;
	}
	err = ipc_owner_check(p);
	if (err)
		return err;
	if (cmd == IPC_SET) {
		ipc_update_perm(&ds.shm_perm, p);
		shp->ctime = ipc_now();
		return 0;
	}
	p->mode |= SHM_DEST;
	p->key = IPC_PRIVATE;
	shm_maybe_destroy(shp);
	return 0;
}

void shm_proc_show(void (*emit)(void *ctx, const char *line), void *ctx)
{
	char line[256];

	emit(ctx, "       key      shmid perms                  size  cpid  "
		  "lpid nattch   uid   gid  cuid  cgid      atime      dtime"
		  "      ctime                   rss                  swap\n");
	for (int i = 0; i <= shm_ids.max_idx; i++) {
		struct shmid_kernel *shp;

		if (!shm_ids.entries[i])
			continue;
		shp = to_shm(shm_ids.entries[i]);
		snprintf(line, sizeof(line),
			 "%10d %10d  %4o %21zu %5u %5u  %5lu %5u %5u %5u %5u "
			 "%10llu %10llu %10llu %21lu %21lu\n",
			 shp->perm.key, shp->perm.id, shp->perm.mode,
			 shp->size, shp->cpid, shp->lpid, shp->nattch,
			 shp->perm.uid, shp->perm.gid, shp->perm.cuid,
			 shp->perm.cgid, (unsigned long long)shp->atime,
			 (unsigned long long)shp->dtime,
			 (unsigned long long)shp->ctime,
			 seg_pages(shp->size) * PAGE_SIZE, 0UL);
		emit(ctx, line);
	}
}
