/*
 * families: which socket families the guest has, one line each, for
 * tests/run.sh's net=none check (not compared with a native run): with
 * net=none AF_INET, AF_INET6 and NETLINK_ROUTE are missing, AF_UNIX is not.
 */
#include "guest.h"
#include <sys/socket.h>
#include <linux/netlink.h>

static void try(const char *name, int family, int type, int protocol)
{
	int s = socket(family, type, protocol);

	if (s < 0) {
		say("%s: %s", name, ename(errno));
		return;
	}
	say("%s: ok", name);
	close(s);
}

int main(void)
{
	test_start();
	try("inet", AF_INET, SOCK_STREAM, 0);
	try("inet6", AF_INET6, SOCK_DGRAM, 0);
	try("route", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	try("unix", AF_UNIX, SOCK_STREAM, 0);
	return 0;
}
