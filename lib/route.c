// SPDX-License-Identifier: GPL-2.0
/*
 * The node-side interface of a local pod address (route.h): one
 * RTM_GETROUTE with RTM_F_FIB_MATCH, which answers with the FIB entry a
 * packet from this node to the address would take (its prefix, type,
 * gateway and device), in the calling thread's network namespace.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "addr.h"
#include "route.h"

struct route_reply {
	int err;		/* the kernel's answer, positive errno */
	bool got;
	struct rtmsg rtm;
	unsigned int oif;	/* 0: none */
	bool gateway;
	bool multipath;
};

static int route_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct route_reply *r = arg;
	struct nlattr *tb[RTA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWROUTE || r->got)
		return NL_SKIP;
	if (nlmsg_parse(nlh, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0) {
		r->err = EBADMSG;
		return NL_STOP;
	}
	memcpy(&r->rtm, nlmsg_data(nlh), sizeof(r->rtm));
	if (tb[RTA_OIF] && nla_len(tb[RTA_OIF]) == sizeof(uint32_t))
		r->oif = nla_get_u32(tb[RTA_OIF]);
	r->gateway = tb[RTA_GATEWAY] || tb[RTA_VIA];
	r->multipath = tb[RTA_MULTIPATH];
	r->got = true;
	return NL_OK;
}

static int route_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct route_reply *r = arg;

	(void)who;
	r->err = e->error < 0 ? -e->error : EPROTO;
	return NL_STOP;
}

/* Ask the kernel: the FIB entry for @addr, or the errno it answered. */
static int route_get(const struct in6_addr *addr, struct route_reply *r)
{
	bool v4 = kzt_addr_is_v4(addr);
	struct rtmsg rtm = {
		.rtm_family = v4 ? AF_INET : AF_INET6,
		.rtm_dst_len = v4 ? 32 : 128,
		.rtm_flags = RTM_F_FIB_MATCH,
	};
	struct nl_sock *sk;
	struct nl_msg *msg = NULL;
	int err = ENOMEM;

	sk = nl_socket_alloc();
	if (!sk)
		return ENOMEM;
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		err = errno ? errno : EPROTONOSUPPORT;
		goto out;
	}
	nl_socket_disable_auto_ack(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, route_valid, r);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, route_error, r);
	msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	if (!msg)
		goto out;
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, v4 ? 4 : 16,
		    v4 ? (const void *)&addr->s6_addr[12] : addr) < 0)
		goto out;
	err = EIO;
	if (nl_send_auto(sk, msg) < 0)
		goto out;
	/* One answer: the route, or an error message. */
	if (nl_recvmsgs_default(sk) < 0 && !r->err)
		goto out;
	err = r->err ? r->err : r->got ? 0 : EPROTO;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return err;
}

/**
 * kzt_route_iface() - the interface the node routes a local pod address to
 * @addr: the pod's address (IPv4-mapped or IPv6)
 * @out: filled: @out->ifindex and @out->ifname on success, @out->why on
 *	 a refusal
 *
 * The route must be what a routed CNI installs for one of its pods: a
 * unicast host route (/32, /128) to the address through a device, with no
 * gateway and one path. Everything else is refused, so that a pod address
 * is never tied to an interface that does not lead to that pod alone:
 * the default route and any shorter prefix (a subnet route, a route to
 * another node's pods), a route via a gateway, a multipath route, and
 * the node's own addresses (local routes). Policy routing rules apply as
 * for a packet the node sends to @addr.
 *
 * @retval 0 found: @out->ifindex, @out->ifname
 * @retval ENETUNREACH no route, or an unreachable, prohibit or blackhole one
 * @retval EADDRINUSE @addr is an address of this node
 * @retval ENXIO a route that is no host route through a device
 * @retval ENODEV the route's device is gone (a race with its removal)
 * @retval other an errno of the netlink socket
 */
int kzt_route_iface(const struct in6_addr *addr, struct kzt_route_iface *out)
{
	struct route_reply r = { 0 };
	char a[KZT_ADDR_STRLEN];
	bool v4 = kzt_addr_is_v4(addr);
	int err;

	memset(out, 0, sizeof(*out));
	kzt_addr_str(addr, a, sizeof(a));
	err = route_get(addr, &r);
	if (err) {
		snprintf(out->why, sizeof(out->why), "no route to %s: %s", a,
			 strerror(err));
		return err == EHOSTUNREACH || err == EACCES ||
		       err == EINVAL ? ENETUNREACH : err;
	}
	switch (r.rtm.rtm_type) {
	case RTN_UNICAST:
		break;
	case RTN_LOCAL:
		snprintf(out->why, sizeof(out->why),
			 "%s is an address of this node, not a pod's", a);
		return EADDRINUSE;
	default:
		snprintf(out->why, sizeof(out->why),
			 "the route to %s is not a unicast one (type %u)", a,
			 r.rtm.rtm_type);
		return ENETUNREACH;
	}
	if (r.rtm.rtm_dst_len != (v4 ? 32 : 128)) {
		snprintf(out->why, sizeof(out->why),
			 "%s matches a /%u route, not a host route to a pod's interface",
			 a, r.rtm.rtm_dst_len);
		return ENXIO;
	}
	if (r.gateway || r.multipath || !r.oif) {
		snprintf(out->why, sizeof(out->why),
			 "the host route to %s %s, not through a pod's interface",
			 a, r.gateway ? "is via a gateway" :
			 r.multipath ? "has several paths" : "names no device");
		return ENXIO;
	}
	if (!if_indextoname(r.oif, out->ifname)) {
		snprintf(out->why, sizeof(out->why),
			 "the interface %u of the route to %s is gone", r.oif, a);
		return ENODEV;
	}
	out->ifindex = r.oif;
	return 0;
}
