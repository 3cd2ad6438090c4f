/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink client helpers over libnl-genl: resolve a family, send a
 * request, collect its replies, and bring back the kernel's error with its
 * extended ack (message, offending attribute, missing attribute, policy).
 *
 * All functions return 0 or a positive errno. Those that take a
 * struct kzt_nl_err fill it on every return, so that the caller can always
 * print it; err->error is then the same value as the return.
 */
#ifndef KZT_NL_H
#define KZT_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

struct nl_msg;
struct kzt_nl;

#define KZT_NL_ERRMSG_MAX	256
#define KZT_NL_MCGRPS_MAX	8
#define KZT_NL_TIMEOUT_MS	5000
/*
 * Room of a request: libnl's default is one page, and a policy may take
 * KZT_POLICY_SIZE_MAX bytes; anything larger gets the kernel's own error.
 */
#define KZT_NL_MSG_MAX		(64 * 1024)
#define KZT_NL_PATH_MAX		4
/* Requests in flight at once: their acks fit in the receive buffer. */
#define KZT_NL_MANY_MAX		64

/* One step into a request: the attribute type, and which one of that type. */
struct kzt_nl_attr_pos {
	uint16_t type;
	uint16_t index;		/* 0 for the first attribute of @type */
};

/* What the kernel (or this library) said about a failed request. */
struct kzt_nl_err {
	int error;			/* positive errno, 0: success */
	char msg[KZT_NL_ERRMSG_MAX];	/* extack message, "" if none */
	bool has_offs;
	uint32_t offs;			/* offending attribute, byte offset in the request */
	int bad_attr;			/* its top-level type, -1 if unknown */
	bool has_miss_type;
	uint32_t miss_type;		/* type of a missing required attribute */
	bool has_miss_nest;
	uint32_t miss_nest;		/* offset of the nest it was missing from */
	bool has_range;			/* policy of the rejected attribute */
	bool range_signed;
	int64_t min_s, max_s;
	uint64_t min_u, max_u;
	bool has_len;
	uint32_t min_len, max_len;
	uint8_t cmd;			/* genl command of the request, 0 if unknown */
	unsigned int depth;		/* the offending attribute, nests walked */
	struct kzt_nl_attr_pos path[KZT_NL_PATH_MAX];
	unsigned int miss_depth;	/* the nest a required attribute is missing from */
	struct kzt_nl_attr_pos miss_path[KZT_NL_PATH_MAX];
};

struct kzt_nl_mcgrp {
	char name[GENL_NAMSIZ];
	uint32_t id;
};

struct kzt_nl_family {
	char name[GENL_NAMSIZ];
	uint16_t id;
	uint32_t version;
	uint32_t hdrsize;
	uint32_t maxattr;
	unsigned int n_mcgrps;
	struct kzt_nl_mcgrp mcgrps[KZT_NL_MCGRPS_MAX];
};

/*
 * Called for each reply message of a request (not for the ack). Returns 0
 * or a positive errno; on an error the remaining replies are still read
 * (so the socket stays in step) and the request returns that error.
 */
typedef int (*kzt_nl_reply_fn)(struct nlmsghdr *nlh, void *arg);

/* Called for each notification read by kzt_nl_events_read(). */
typedef void (*kzt_nl_event_fn)(struct nlmsghdr *nlh, void *arg);

int kzt_nl_open(struct kzt_nl **nlp);
void kzt_nl_close(struct kzt_nl *nl);
int kzt_nl_fd(const struct kzt_nl *nl);
void kzt_nl_set_timeout(struct kzt_nl *nl, int timeout_ms);

int kzt_nl_msg_new(const struct kzt_nl_family *fam, uint8_t cmd,
		   uint8_t version, uint16_t flags, struct nl_msg **msgp);
int kzt_nl_request(struct kzt_nl *nl, struct nl_msg *msg,
		   kzt_nl_reply_fn fn, void *arg, struct kzt_nl_err *err);
int kzt_nl_request_many(struct kzt_nl *nl, struct nl_msg **msgs, size_t n,
			size_t *failed, struct kzt_nl_err *err);

int kzt_nl_family_resolve(struct kzt_nl *nl, const char *name,
			  struct kzt_nl_family *fam, struct kzt_nl_err *err);
int kzt_nl_family_mcgrp(const struct kzt_nl_family *fam, const char *name,
			uint32_t *id);

int kzt_nl_subscribe(struct kzt_nl *nl, uint32_t group);
int kzt_nl_unsubscribe(struct kzt_nl *nl, uint32_t group);
int kzt_nl_events_read(struct kzt_nl *nl, kzt_nl_event_fn fn, void *arg);

/* Pure helpers, exposed for the unit tests. */
int kzt_nl_extack_parse(const struct nlmsghdr *nlh, size_t len,
			struct kzt_nl_err *err);
int kzt_nl_attr_at(const struct nlmsghdr *req, size_t hdrlen, uint32_t offs);
unsigned int kzt_nl_attr_path(const struct nlmsghdr *req, size_t hdrlen,
			      uint32_t offs, struct kzt_nl_attr_pos *path,
			      unsigned int max);
int kzt_nl_errno(int nlerr);
void kzt_nl_err_set(struct kzt_nl_err *err, int error);
const char *kzt_nl_err_str(const struct kzt_nl_err *err, char *buf,
			   size_t len);

#endif /* KZT_NL_H */
