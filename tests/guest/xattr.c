/*
 * xattr: extended attributes and POSIX ACLs on the filesystem of $TMPDIR
 * (ext4: natively the host's, in umk the root image) and on a tmpfs
 * mounted under it: set/get/list/remove in their path, l- and f- forms,
 * XATTR_CREATE/REPLACE, size and name limits (ERANGE, E2BIG, ENOSPC),
 * namespaces (EOPNOTSUPP, EINVAL), who may touch trusted.* and user.*,
 * device nodes, symlinks, procfs and pipes, access and default ACLs with
 * their effect on the mode, chmod and permission checks; hostile
 * pointers.
 */
#include "guest.h"
#include <grp.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define EXT4_MAGIC 0xEF53
#define TMPFS_MAGIC_NR 0x01021994

static const char *lbl;		/* "ext4" or "tmpfs": prefix of every line */

static void r(const char *name, long v)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s_%s", lbl, name);
	resv(buf, v);
}

/* The names of a list, sorted, as one line. */
static void show_list(const char *name, const char *list, long len)
{
	const char *names[64];
	char out[2048] = "";
	int n = 0;

	for (long off = 0; off < len && n < 64; off += strlen(list + off) + 1)
		names[n++] = list + off;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				const char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	for (int i = 0; i < n; i++) {
		strncat(out, names[i], sizeof(out) - strlen(out) - 2);
		strcat(out, " ");
	}
	say("%s_%s: [%s]", lbl, name, out);
}

static void show_hex(const char *name, const unsigned char *v, long len)
{
	char out[1024] = "";

	for (long i = 0; i < len && i < 400; i++)
		sprintf(out + strlen(out), "%02x", v[i]);
	say("%s_%s: %ld %s", lbl, name, len, out);
}

static void basic(void)
{
	char buf[256], list[1024], name[300];

	close(open("f", O_CREAT | O_WRONLY, 0644));
	mkdir("d", 0755);
	symlink("f", "l");
	r("set", setxattr("f", "user.a", "hello", 5, 0));
	r("get_len", getxattr("f", "user.a", NULL, 0));
	r("get_small", getxattr("f", "user.a", buf, 2));
	memset(buf, 0, sizeof(buf));
	r("get", getxattr("f", "user.a", buf, sizeof(buf)));
	say("%s_value: %s", lbl, buf);
	r("get_absent", getxattr("f", "user.none", buf, sizeof(buf)));
	r("create_exists", setxattr("f", "user.a", "x", 1, XATTR_CREATE));
	r("replace_absent", setxattr("f", "user.b", "x", 1, XATTR_REPLACE));
	r("replace", setxattr("f", "user.a", "world!", 6, XATTR_REPLACE));
	r("get_replaced", getxattr("f", "user.a", buf, sizeof(buf)));
	r("badflags", setxattr("f", "user.a", "x", 1, 4));
	r("create", setxattr("f", "user.b", "", 0, XATTR_CREATE));
	r("get_empty", getxattr("f", "user.b", buf, sizeof(buf)));
	r("set_trusted", setxattr("f", "trusted.t", "T", 1, 0));
	r("set_security", setxattr("f", "security.s", "S", 1, 0));
	r("name_empty", setxattr("f", "", "x", 1, 0));
	r("name_prefix_only", setxattr("f", "user.", "x", 1, 0));
	r("name_trusted_only", getxattr("f", "trusted.", buf, 1));
	r("name_unknown", setxattr("f", "foo.bar", "x", 1, 0));
	r("name_noprefix", getxattr("f", "user", buf, 1));
	r("name_system", setxattr("f", "system.foo", "x", 1, 0));
	memset(name, 'n', sizeof(name));
	memcpy(name, "user.", 5);
	name[255] = 0;
	r("name_255", setxattr("f", name, "x", 1, 0));
	r("name_255_remove", removexattr("f", name));
	name[255] = 'n';
	name[256] = 0;
	r("name_256", setxattr("f", name, "x", 1, 0));
	r("get_name_256", getxattr("f", name, buf, 1));
	r("list_len", listxattr("f", NULL, 0));
	r("list_small", listxattr("f", list, 5));
	long n = listxattr("f", list, sizeof(list));
	show_list("list", list, n);
	r("dir_set", setxattr("d", "user.d", "dir", 3, 0));
	r("dir_get", getxattr("d", "user.d", buf, sizeof(buf)));
	r("link_follow_get", getxattr("l", "user.a", buf, sizeof(buf)));
	r("link_lget", lgetxattr("l", "user.a", buf, sizeof(buf)));
	r("link_lset_user", lsetxattr("l", "user.a", "x", 1, 0));
	r("link_lset_trusted", lsetxattr("l", "trusted.l", "x", 1, 0));
	r("link_lget_trusted", lgetxattr("l", "trusted.l", buf, sizeof(buf)));
	n = llistxattr("l", list, sizeof(list));
	show_list("link_llist", list, n);
	r("link_lremove", lremovexattr("l", "trusted.l"));
	r("remove", removexattr("f", "user.b"));
	r("remove_again", removexattr("f", "user.b"));
	r("remove_noprefix", removexattr("f", "bogus"));
	r("missing_file", getxattr("nonexistent", "user.a", buf, 1));
}

static void fd_forms(void)
{
	char buf[64], list[512];
	int fd = open("f", O_RDWR), p[2];
	long n;

	r("fset", fsetxattr(fd, "user.fd", "fdv", 3, 0));
	r("fget", fgetxattr(fd, "user.fd", buf, sizeof(buf)));
	n = flistxattr(fd, list, sizeof(list));
	show_list("flist", list, n);
	r("fremove", fremovexattr(fd, "user.fd"));
	r("fget_removed", fgetxattr(fd, "user.fd", buf, sizeof(buf)));
	close(fd);
	r("fget_ebadf", fgetxattr(999, "user.a", buf, 1));
	r("fset_ebadf", fsetxattr(-1, "user.a", "x", 1, 0));
	r("flist_ebadf", flistxattr(999, list, 1));
	r("fremove_ebadf", fremovexattr(999, "user.a"));
	fd = open("f", O_PATH);
	r("fget_opath", fgetxattr(fd, "user.a", buf, sizeof(buf)));
	close(fd);
	if (pipe(p) == 0) {
		r("pipe_fget", fgetxattr(p[0], "user.a", buf, sizeof(buf)));
		r("pipe_fset", fsetxattr(p[0], "user.a", "x", 1, 0));
		r("pipe_flist", flistxattr(p[0], list, sizeof(list)));
		close(p[0]);
		close(p[1]);
	}
}

static void sizes(void)
{
	static char big[65537];
	char buf[1000];

	memset(big, 'v', sizeof(big));
	r("set_900", setxattr("f", "user.v900", big, 900, 0));
	r("get_900", getxattr("f", "user.v900", buf, sizeof(buf)));
	r("remove_900", removexattr("f", "user.v900"));
	r("set_65536", setxattr("f", "user.big", big, 65536, 0));
	r("set_65537", setxattr("f", "user.big", big, 65537, 0));
	r("get_huge_size", syscall(SYS_getxattr, "f", "user.a", big, 1L << 30));
	removexattr("f", "user.big");
}

static void nodes(void)
{
	char buf[16];

	r("mknod_chr", mknod("c", S_IFCHR | 0666, makedev(1, 3)));
	r("mknod_fifo", mkfifo("p", 0666));
	r("chr_get_user", getxattr("c", "user.x", buf, sizeof(buf)));
	r("chr_set_user", setxattr("c", "user.x", "1", 1, 0));
	r("chr_set_trusted", setxattr("c", "trusted.x", "1", 1, 0));
	r("chr_get_trusted", getxattr("c", "trusted.x", buf, sizeof(buf)));
	r("fifo_set_user", setxattr("p", "user.x", "1", 1, 0));
	r("fifo_get_user", getxattr("p", "user.x", buf, sizeof(buf)));
}

/* In a child as uid/gid 1000: one line of errno names through the pipe. */
static void unprivileged(void)
{
	char line[512] = "", buf[64], list[512];
	int p[2];
	pid_t pid;
	long n;

	mkdir("sticky", 01777);
	chmod("sticky", 01777);
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		char out[512];

		close(p[0]);
		if (setgid(1000) || setuid(1000))
			_exit(1);
		n = listxattr("f", list, sizeof(list));
		snprintf(out, sizeof(out),
			 "tget=%s tset=%s uget=%s uset=%s sticky=%s "
			 "secset=%s aclset=%s list_has_trusted=%d",
			 ename(getxattr("f", "trusted.t", buf, 1) < 0 ? errno : 0),
			 ename(setxattr("f", "trusted.u", "1", 1, 0) < 0 ? errno : 0),
			 ename(getxattr("f", "user.a", buf, sizeof(buf)) < 0 ? errno : 0),
			 ename(setxattr("f", "user.c", "1", 1, 0) < 0 ? errno : 0),
			 ename(setxattr("sticky", "user.c", "1", 1, 0) < 0 ? errno : 0),
			 ename(setxattr("f", "security.u", "1", 1, 0) < 0 ? errno : 0),
			 ename(removexattr("f", "system.posix_acl_access") < 0 ? errno : 0),
			 n > 0 && memmem(list, n, "trusted.", 8) != NULL);
		if (write(p[1], out, strlen(out)) < 0)
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = 0;
	close(p[0]);
	say("%s_unpriv: %s (%s)", lbl, line, reap(pid));
}

struct acl_ent {
	unsigned short tag, perm;
	unsigned int id;
};

static size_t acl(unsigned char *buf, int n, const struct acl_ent *e)
{
	unsigned int v = 2;

	memcpy(buf, &v, 4);
	memcpy(buf + 4, e, n * sizeof(*e));
	return 4 + n * sizeof(*e);
}

/* Can uid 1000 (groups: 1000 only) open path with flags? errno name. */
static const char *try_open_as(const char *path, int flags)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		gid_t g = 1000;
		int fd;

		if (setgroups(1, &g) || setgid(1000) || setuid(1000))
			_exit(100);
		fd = open(path, flags);
		_exit(fd < 0 ? errno : 0);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? ename(WEXITSTATUS(st)) : "killed";
}

static void acls(void)
{
	const struct acl_ent named[] = {
		{ 0x01, 6, 0 }, { 0x02, 7, 1000 }, { 0x04, 4, 0 },
		{ 0x10, 5, 0 }, { 0x20, 0, 0 },
	};
	const struct acl_ent plain[] = {
		{ 0x01, 7, 0 }, { 0x04, 5, 0 }, { 0x20, 1, 0 },
	};
	const struct acl_ent unsorted[] = {
		{ 0x04, 4, 0 }, { 0x01, 6, 0 }, { 0x20, 0, 0 },
	};
	const struct acl_ent nomask[] = {
		{ 0x01, 6, 0 }, { 0x02, 7, 1000 }, { 0x04, 4, 0 }, { 0x20, 0, 0 },
	};
	const struct acl_ent badperm[] = {
		{ 0x01, 0x16, 0 }, { 0x04, 4, 0 }, { 0x20, 0, 0 },
	};
	const struct acl_ent dfl[] = {
		{ 0x01, 7, 0 }, { 0x02, 6, 1000 }, { 0x04, 5, 0 },
		{ 0x10, 7, 0 }, { 0x20, 0, 0 },
	};
	unsigned char buf[256], v[256];
	struct stat st;
	size_t len;
	long n;

	close(open("af", O_CREAT | O_WRONLY, 0640));
	chmod("af", 0640);
	r("acl_get_none", getxattr("af", "system.posix_acl_access", v, sizeof(v)));
	r("acl_remove_none", removexattr("af", "system.posix_acl_access"));
	r("acl_remove_default_file", removexattr("af", "system.posix_acl_default"));
	r("acl_open_before", 0);
	say("%s_acl_uid1000_read_before: %s", lbl, try_open_as("af", O_RDONLY));
	len = acl(buf, 5, named);
	r("acl_set_named", setxattr("af", "system.posix_acl_access", buf, len, 0));
	stat("af", &st);
	say("%s_acl_mode_after_named: %o", lbl, st.st_mode & 07777);
	n = getxattr("af", "system.posix_acl_access", v, sizeof(v));
	show_hex("acl_get_named", v, n);
	r("acl_get_small", getxattr("af", "system.posix_acl_access", v, 8));
	say("%s_acl_uid1000_read: %s", lbl, try_open_as("af", O_RDONLY));
	say("%s_acl_uid1000_write: %s", lbl, try_open_as("af", O_WRONLY));
	n = listxattr("af", (char *)v, sizeof(v));
	show_list("acl_list", (char *)v, n);
	r("acl_chmod", chmod("af", 0604));
	n = getxattr("af", "system.posix_acl_access", v, sizeof(v));
	show_hex("acl_after_chmod", v, n);
	say("%s_acl_uid1000_read_masked: %s", lbl, try_open_as("af", O_RDONLY));
	len = acl(buf, 3, plain);
	r("acl_set_equiv", setxattr("af", "system.posix_acl_access", buf, len, 0));
	stat("af", &st);
	say("%s_acl_mode_after_equiv: %o", lbl, st.st_mode & 07777);
	r("acl_get_after_equiv", getxattr("af", "system.posix_acl_access", v, sizeof(v)));
	r("acl_set_unsorted", setxattr("af", "system.posix_acl_access", buf,
				       acl(buf, 3, unsorted), 0));
	r("acl_set_nomask", setxattr("af", "system.posix_acl_access", buf,
				     acl(buf, 4, nomask), 0));
	r("acl_set_badperm", setxattr("af", "system.posix_acl_access", buf,
				      acl(buf, 3, badperm), 0));
	r("acl_set_badsize", setxattr("af", "system.posix_acl_access", buf, 7, 0));
	r("acl_set_short", setxattr("af", "system.posix_acl_access", buf, 2, 0));
	buf[0] = 3;
	r("acl_set_badversion", setxattr("af", "system.posix_acl_access", buf, 12, 0));
	buf[0] = 2;
	r("acl_set_header_only", setxattr("af", "system.posix_acl_access", buf, 4, 0));
	r("acl_set_empty", setxattr("af", "system.posix_acl_access", "", 0, 0));
	len = acl(buf, 5, dfl);
	r("acl_default_on_file", setxattr("af", "system.posix_acl_default", buf, len, 0));
	mkdir("ad", 0755);
	r("acl_default_on_dir", setxattr("ad", "system.posix_acl_default", buf, len, 0));
	n = getxattr("ad", "system.posix_acl_default", v, sizeof(v));
	show_hex("acl_default_get", v, n);
	close(open("ad/new", O_CREAT | O_WRONLY, 0666));
	stat("ad/new", &st);
	say("%s_acl_inherit_file_mode: %o", lbl, st.st_mode & 07777);
	n = getxattr("ad/new", "system.posix_acl_access", v, sizeof(v));
	show_hex("acl_inherit_file_acl", v, n);
	r("acl_inherit_file_default", getxattr("ad/new", "system.posix_acl_default", v, sizeof(v)));
	mkdir("ad/sub", 0777);
	stat("ad/sub", &st);
	say("%s_acl_inherit_dir_mode: %o", lbl, st.st_mode & 07777);
	n = getxattr("ad/sub", "system.posix_acl_default", v, sizeof(v));
	show_hex("acl_inherit_dir_default", v, n);
	close(open("ad/sub/x", O_CREAT | O_WRONLY, 0600));
	stat("ad/sub/x", &st);
	say("%s_acl_inherit_0600_mode: %o", lbl, st.st_mode & 07777);
}

static void hostile(void)
{
	char buf[64];

	r("bad_name", syscall(SYS_setxattr, "f", BAD1, "x", 1L, 0));
	r("bad_name2", syscall(SYS_getxattr, "f", BAD2, buf, 1L));
	r("bad_value", syscall(SYS_setxattr, "f", "user.a", BAD1, 4L, 0));
	r("unmapped_value", syscall(SYS_setxattr, "f", "user.a", unmapped_page(), 4L, 0));
	r("bad_get_buf", syscall(SYS_getxattr, "f", "user.a", BAD1, 64L));
	r("bad_list_buf", syscall(SYS_listxattr, "f", BAD1, 64L));
	r("bad_path", syscall(SYS_getxattr, BAD1, "user.a", buf, 1L));
	r("bad_path_list", syscall(SYS_llistxattr, unmapped_page(), buf, 1L));
	r("bad_remove_name", syscall(SYS_removexattr, "f", BAD2));
	r("null_value_size", syscall(SYS_setxattr, "f", "user.nv", NULL, 0L, 0));
	r("null_value_get", getxattr("f", "user.nv", buf, sizeof(buf)));
}

static void run_fs(const char *label)
{
	lbl = label;
	basic();
	fd_forms();
	sizes();
	nodes();
	unprivileged();
	acls();
	hostile();
}

int main(void)
{
	const char *dir;
	struct statfs sf;
	char buf[16];

	test_start();
	dir = scratch_dir("xattr");
	statfs(".", &sf);
	say("scratch_fs: %s", sf.f_type == EXT4_MAGIC ? "ext4" :
			      sf.f_type == TMPFS_MAGIC_NR ? "tmpfs" : "other");
	run_fs("ext4");
	mkdir("t", 0755);
	if (chk("mount_tmpfs", mount("tmpfs", "t", "tmpfs", 0, "mode=755")) == 0) {
		if (chdir("t") == 0) {
			run_fs("tmpfs");
			chdir("..");
		}
		chk("umount_tmpfs", umount("t"));
	}
	if (access("/proc/self/stat", F_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	resv("proc_get", getxattr("/proc/self/stat", "user.x", buf, 1));
	resv("proc_get_trusted", getxattr("/proc/self/stat", "trusted.x", buf, 1));
	resv("proc_get_acl", getxattr("/proc/self/stat", "system.posix_acl_access", buf, 1));
	resv("proc_set", setxattr("/proc/self/stat", "user.x", "1", 1, 0));
	resv("proc_list", listxattr("/proc/self", buf, sizeof(buf)));
	scratch_cleanup(dir);
	say("DONE xattr");
	return 0;
}
