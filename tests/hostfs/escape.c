/*
 * escape MNT CANARY: ways out of a hostfs mount at MNT, tried from the
 * guest. CANARY is the host directory the harness planted outside the
 * share (CANARY/secret holds a secret; CANARY/created must never exist).
 * The harness (tests/hostfs/run.sh) also plants in the share: abs ->
 * CANARY/secret, rel -> ../outside/secret, dirlink -> CANARY, a bind
 * mount of CANARY at bind/, and while this runs it keeps swapping the
 * directory race/ for a symlink to CANARY on the host. Every attempt must
 * fail; what is printed is compared with escape.expected, and the harness
 * fails the test if the secret appears or CANARY/created exists.
 */
#include "../guest/guest.h"
#include <sys/mount.h>

static char buf[256];

/* Read name; print what happened (the text itself, which must never be
 * the secret: the harness looks for it). */
static void try_read(const char *label, const char *name)
{
	int fd = open(name, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		say("%s: %s", label, ename(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	say("%s: read \"%s\"", label, buf);
	close(fd);
}

static void try_create(const char *label, const char *name)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);

	say("%s: %s", label, fd < 0 ? ename(errno) : "created");
	if (fd >= 0) {
		close(fd);
		unlink(name);
	}
}

static void try_mount(const char *label, const char *opt)
{
	say("%s: %s", label, mount("none", "/mnt2", "hostfs", 0, opt) < 0 ?
	    ename(errno) : "mounted");
	umount("/mnt2");
}

/* The race: read and create through race/ while the host swaps it. */
static void race(const char *mnt)
{
	char secret[512], created[512], dir[512];
	int reads = 0, fd, i;

	snprintf(secret, sizeof(secret), "%s/race/secret", mnt);
	snprintf(created, sizeof(created), "%s/race/created", mnt);
	snprintf(dir, sizeof(dir), "%s/race/sub", mnt);
	for (i = 0; i < 3000; i++) {
		fd = open(secret, O_RDONLY);
		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);

			buf[n > 0 ? n : 0] = '\0';
			if (strcmp(buf, "decoy\n"))
				say("race read: \"%s\"", buf);
			reads++;
			close(fd);
		}
		fd = open(created, O_WRONLY | O_CREAT, 0644);
		if (fd >= 0) {
			close(fd);
			unlink(created);
		}
		if (mkdir(dir, 0755) == 0)
			rmdir(dir);
	}
	say("race: %d rounds, reads seen: %s", i, reads ? "yes" : "no");
}

int main(int argc, char **argv)
{
	char p[1024];
	const char *mnt = argv[1], *canary = argv[2];

	if (argc < 3)
		return 1;
	snprintf(p, sizeof(p), "%s/../../../../../../..%s/secret", mnt, canary);
	try_read("dotdot to canary", p);
	snprintf(p, sizeof(p), "%s/../outside/secret", mnt);
	try_read("dotdot to outside", p);
	snprintf(p, sizeof(p), "%s/abs", mnt);
	try_read("host absolute symlink", p);
	snprintf(p, sizeof(p), "%s/rel", mnt);
	try_read("host relative symlink", p);
	snprintf(p, sizeof(p), "%s/dirlink/secret", mnt);
	try_read("host dir symlink", p);
	snprintf(p, sizeof(p), "%s/dirlink/created", mnt);
	try_create("create through dir symlink", p);
	snprintf(p, sizeof(p), "%s/bind/secret", mnt);
	try_read("host bind mount", p);
	snprintf(p, sizeof(p), "%s/bind/created", mnt);
	try_create("create in bind mount", p);
	snprintf(buf, sizeof(buf), "../../../../../..%s/secret", canary);
	snprintf(p, sizeof(p), "%s/g1", mnt);
	say("guest relative symlink: %d", symlink(buf, p));
	try_read("read guest relative symlink", p);
	snprintf(buf, sizeof(buf), "%s/secret", canary);
	snprintf(p, sizeof(p), "%s/g2", mnt);
	say("guest absolute symlink: %d", symlink(buf, p));
	try_read("read guest absolute symlink", p);
	mkdir("/mnt2", 0755);
	try_mount("mount canary path", canary);
	try_mount("mount dotdot", "../outside");
	try_mount("mount dotdot after name", "race/../../outside");
	snprintf(p, sizeof(p), "%s/abs", mnt);
	say("rename out: %s", rename(p, "/abs") < 0 ? ename(errno) : "moved");
	say("link out: %s", link(p, "/abs2") < 0 ? ename(errno) : "linked");
	race(mnt);
	say("DONE escape");
	return 0;
}
