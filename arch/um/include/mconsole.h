/*
 * The management console (mconsole): UML's protocol, so Debian's
 * uml_mconsole (uml-utilities) drives umk. A datagram Unix socket at
 * UML_DIR/UMID/mconsole; each request is one datagram of struct
 * mconsole_request (magic, version 2, the command text), each reply one or
 * more datagrams of struct mconsole_reply (err, more, the text; `more` is
 * set on every packet but the last). Model and reference: UML
 * arch/um/include/shared/mconsole.h, arch/um/drivers/mconsole_user.c.
 * Kernel side: arch/um/drivers/mconsole_kern.c; host side:
 * arch/um/drivers/mconsole_user.c.
 */
#ifndef UMK_MCONSOLE_H
#define UMK_MCONSOLE_H

#include <stdint.h>
#include <stddef.h>

#define MCONSOLE_MAGIC		0xcafebabe
#define MCONSOLE_MAX_DATA	512
#define MCONSOLE_VERSION	2

struct mconsole_request {
	uint32_t magic;
	uint32_t version;
	uint32_t len;			/* bytes of data, < MCONSOLE_MAX_DATA */
	char data[MCONSOLE_MAX_DATA];
};

struct mconsole_reply {
	uint32_t err;			/* nonzero: the client prints "ERR" */
	uint32_t more;			/* another packet follows */
	uint32_t len;			/* bytes of data, its NUL included */
	char data[MCONSOLE_MAX_DATA];
};

/* One request as received, with the client's address to answer. */
struct mc_request {
	struct mconsole_request request;	/* data NUL-terminated */
	unsigned int originlen;
	unsigned char origin[128];		/* struct sockaddr_un */
};

/*
 * Host side (mconsole_user.c). Each returns a value or -errno.
 *
 * os_mconsole_open: create the socket at path (mode 0600, the directory
 * is the caller's 0700 umid directory), receiving the sender's credentials
 * with every datagram. The fd, or -errno.
 */
int os_mconsole_open(const char *path);
/*
 * Receive one request without waiting. 1 when *req holds a well-formed
 * request; 0 when a datagram was answered or dropped here (UML's replies:
 * "ERR Version 0 mconsole clients are not supported by this driver",
 * "Request too large", "This driver only supports version 2 clients"; a
 * datagram from another host user than umk's is dropped unanswered);
 * -EAGAIN when nothing is queued; another -errno on a socket error.
 */
int os_mconsole_get_request(int fd, struct mc_request *req);
/*
 * Answer req with str in as many packets as needed (MCONSOLE_MAX_DATA - 1
 * bytes of text each), err on the first only, `more` on every packet but
 * the last unless more is set. A client that does not read is given one
 * second per packet. 0 or -errno.
 */
int os_mconsole_reply(int fd, const struct mc_request *req, const char *str,
		      int err, int more);
/* Block until fd is readable (the `stop` loop); an interruption returns
 * too. 0 or -errno. */
int os_mconsole_wait(int fd);

/*
 * The umid directory (arch/um/os-Linux/umid.c), as UML's umid.c:
 * UML_DIR/UMID/ with mode 0700 holding `pid` (umk's host pid) and the
 * mconsole socket. uml_dir NULL means $HOME/.uml (/tmp/uml without HOME).
 * A directory left by a dead instance is cleaned and reused; one whose pid
 * is alive is -EADDRINUSE (*holder gets that pid). On success *dir_path
 * points at the directory's path (static storage).
 */
int os_umid_setup(const char *uml_dir, const char *umid, int *holder,
		  const char **dir_path);
/* Remove the pid file, the socket and the directory (shutdown). Safe to
 * call twice and when os_umid_setup never ran. */
void os_umid_remove(void);

#endif
