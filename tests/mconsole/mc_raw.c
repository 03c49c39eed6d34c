/*
 * mc_raw SOCKET KIND: send one hand-made datagram to an mconsole socket
 * and print the reply (for the malformed requests uml_mconsole cannot
 * send). KIND: ok (a well-formed "version"), magic (no magic: a version 0
 * client), version (version 1), toolarge (len 600), short (3 bytes).
 * Prints "err=E more=M data=TEXT" per reply packet, "raw: TEXT" for a
 * bare version 0 reply, or "no reply" after 2 seconds.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

struct request {
	uint32_t magic, version, len;
	char data[512];
};

struct reply {
	uint32_t err, more, len;
	char data[512];
};

int main(int argc, char **argv)
{
	struct sockaddr_un to = { .sun_family = AF_UNIX }, me = { .sun_family = AF_UNIX };
	struct request req = { 0xcafebabe, 2, 7, "version" };
	char buf[1024];
	size_t len = sizeof(req);
	int fd;

	if (argc < 3 || strlen(argv[1]) >= sizeof(to.sun_path))
		return 2;
	strcpy(to.sun_path, argv[1]);
	if (!strcmp(argv[2], "magic")) {
		strcpy((char *)&req, "version");
		len = 8;
	} else if (!strcmp(argv[2], "version")) {
		req.version = 1;
	} else if (!strcmp(argv[2], "toolarge")) {
		req.len = 600;
	} else if (!strcmp(argv[2], "short")) {
		len = 3;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	snprintf(me.sun_path + 1, sizeof(me.sun_path) - 1, "mc_raw-%d", getpid());
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0)
		return 2;
	if (sendto(fd, &req, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		printf("send: %s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		struct reply *r = (struct reply *)buf;
		ssize_t n;

		if (poll(&p, 1, 2000) <= 0) {
			printf("no reply\n");
			return 1;
		}
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return 1;
		buf[n] = '\0';
		if (n < 12 || r->len > 512 || (size_t)n != 12 + r->len) {
			printf("raw: %s\n", buf);
			return 0;
		}
		printf("err=%u more=%u data=%s\n", r->err, r->more, r->data);
		if (!r->more)
			return 0;
	}
}
