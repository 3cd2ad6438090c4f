// SPDX-License-Identifier: GPL-2.0
/*
 * kzt-routeif ADDR: the node-side interface of a local pod address, by the
 * node's routes (lib/route.c, kzt_route_iface()). Prints "IFINDEX IFNAME"
 * and exits 0; or prints the reason and the errno's name on stderr and
 * exits 1 (2 on misuse).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "route.h"

int main(int argc, char **argv)
{
	struct kzt_route_iface ri;
	struct in6_addr addr;
	int err;

	if (argc != 2 || kzt_addr_parse(argv[1], &addr)) {
		fprintf(stderr, "usage: kzt-routeif ADDR\n");
		return 2;
	}
	err = kzt_route_iface(&addr, &ri);
	if (err) {
		fprintf(stderr, "Unable to find the pod interface: %s (%s)\n",
			ri.why, strerrorname_np(err) ? strerrorname_np(err) : "?");
		return 1;
	}
	printf("%u %s\n", ri.ifindex, ri.ifname);
	return 0;
}
