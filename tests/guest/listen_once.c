/*
 * listen_once PORT: a helper for tests/run.sh's reachability tests, not a
 * test itself (no native comparison). Listens on 127.0.0.1:PORT, prints
 * "listening", then waits for whichever comes first: a connection (it
 * sends "hello-from-guest" and exits 0) or a line on stdin (the host gave
 * up: exits 3). Runs as umk's init, so it mounts nothing and needs no
 * shell.
 */
#include "guest.h"
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct pollfd p[2];
	int l, one = 1;

	if (argc < 2)
		return 2;
	a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(l, 1) < 0) {
		say("listen_once: %s", ename(errno));
		return 1;
	}
	say("listening");
	p[0] = (struct pollfd){ l, POLLIN, 0 };
	p[1] = (struct pollfd){ 0, POLLIN, 0 };
	while (poll(p, 2, -1) < 0 && errno == EINTR)
		;
	if (p[0].revents & POLLIN) {
		int c = accept(l, NULL, NULL);

		write(c, "hello-from-guest\n", 17);
		close(c);
		say("accepted");
		return 0;
	}
	say("released");
	return 3;
}
