/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node-side interface of a local pod, from the node's routes: what a
 * routed CNI (Calico, the ptp plugin) leaves behind for each pod is a host
 * route to the pod's address through the pod's veth, with no gateway.
 * kztd registers a pod it learns from istiod (an address, no interface)
 * as a local workload on that interface.
 */
#ifndef KZT_ROUTE_H
#define KZT_ROUTE_H

#include <net/if.h>
#include <netinet/in.h>

struct kzt_route_iface {
	unsigned int ifindex;
	char ifname[IF_NAMESIZE];
	char why[160];		/* on failure: what the route was, for people */
};

int kzt_route_iface(const struct in6_addr *addr, struct kzt_route_iface *out);

#endif /* KZT_ROUTE_H */
