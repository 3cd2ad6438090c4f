// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink requests over libnl-genl, with the kernel's extended ack.
 *
 * libnl 3.7 neither turns on NETLINK_EXT_ACK nor hands the extack
 * attributes to the caller, so this file does both: the socket gets
 * NETLINK_EXT_ACK and NETLINK_CAP_ACK (the kernel then does not echo our
 * request back in its errors), and the ack/error handlers parse the TLVs
 * that follow struct nlmsgerr.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct kzt_nl {
	struct nl_sock *sk;
	int timeout_ms;
};

/* State of one request while its replies come in. */
struct kzt_nl_req {
	const struct nlmsghdr *req;
	uint32_t seq;
	bool want_ack;
	bool dump;
	bool done;
	bool intr;		/* a dump reply had NLM_F_DUMP_INTR */
	kzt_nl_reply_fn fn;
	void *arg;
	int reply_err;
	struct kzt_nl_err *err;
};

/**
 * kzt_nl_errno() - turn a libnl error code into an errno
 * @nlerr: NLE_* value, either sign
 *
 * @retval the closest errno; EIO when there is none
 */
int kzt_nl_errno(int nlerr)
{
	static const int map[] = {
		[NLE_SUCCESS]		= 0,
		[NLE_INTR]		= EINTR,
		[NLE_BAD_SOCK]		= EBADF,
		[NLE_AGAIN]		= EAGAIN,
		[NLE_NOMEM]		= ENOMEM,
		[NLE_EXIST]		= EEXIST,
		[NLE_INVAL]		= EINVAL,
		[NLE_RANGE]		= ERANGE,
		[NLE_MSGSIZE]		= EMSGSIZE,
		[NLE_OPNOTSUPP]		= EOPNOTSUPP,
		[NLE_AF_NOSUPPORT]	= EAFNOSUPPORT,
		[NLE_OBJ_NOTFOUND]	= ENOENT,
		[NLE_NOATTR]		= ENODATA,
		[NLE_MISSING_ATTR]	= EINVAL,
		[NLE_SEQ_MISMATCH]	= EPROTO,
		[NLE_MSG_OVERFLOW]	= ENOBUFS,
		[NLE_MSG_TRUNC]		= EMSGSIZE,
		[NLE_NOADDR]		= EADDRNOTAVAIL,
		[NLE_MSG_TOOSHORT]	= EBADMSG,
		[NLE_MSGTYPE_NOSUPPORT]	= EOPNOTSUPP,
		[NLE_BUSY]		= EBUSY,
		[NLE_PROTO_MISMATCH]	= EPROTONOSUPPORT,
		[NLE_NOACCESS]		= EACCES,
		[NLE_PERM]		= EPERM,
		[NLE_PARSE_ERR]		= EINVAL,
		[NLE_NODEV]		= ENODEV,
		[NLE_DUMP_INTR]		= EINTR,
		[NLE_ATTRSIZE]		= ERANGE,
	};

	if (nlerr < 0)
		nlerr = -nlerr;
	if (nlerr >= (int)(sizeof(map) / sizeof(map[0])) || !map[nlerr])
		return nlerr ? EIO : 0;
	return map[nlerr];
}

/**
 * kzt_nl_err_set() - reset @err to a plain errno without extack
 * @err:   may be NULL
 * @error: positive errno or 0
 */
void kzt_nl_err_set(struct kzt_nl_err *err, int error)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->error = error;
	err->bad_attr = -1;
}

static bool nla_fits(const struct nlattr *nla, size_t rem)
{
	return rem >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	       nla->nla_len <= rem;
}

static const struct nlattr *nla_step(const struct nlattr *nla, size_t *rem)
{
	size_t step = NLA_ALIGN(nla->nla_len);

	if (step > *rem) {
		*rem = 0;
		return NULL;
	}
	*rem -= step;
	return (const struct nlattr *)((const char *)nla + step);
}

static bool nla_u32(const struct nlattr *nla, uint32_t *v)
{
	if (nla->nla_len != NLA_HDRLEN + sizeof(*v))
		return false;
	memcpy(v, (const char *)nla + NLA_HDRLEN, sizeof(*v));
	return true;
}

static bool nla_u64(const struct nlattr *nla, uint64_t *v)
{
	if (nla->nla_len != NLA_HDRLEN + sizeof(*v))
		return false;
	memcpy(v, (const char *)nla + NLA_HDRLEN, sizeof(*v));
	return true;
}

/* NLMSGERR_ATTR_POLICY: keep what an operator needs, the valid range. */
static void extack_parse_policy(const struct nlattr *pol,
				struct kzt_nl_err *err)
{
	size_t rem = pol->nla_len - NLA_HDRLEN;
	const struct nlattr *nla = (const void *)((const char *)pol + NLA_HDRLEN);
	uint64_t u;
	uint32_t u32;

	for (; nla && nla_fits(nla, rem); nla = nla_step(nla, &rem)) {
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
			if (nla_u64(nla, &u)) {
				err->min_u = u;
				err->has_range = true;
			}
			break;
		case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
			if (nla_u64(nla, &u)) {
				err->max_u = u;
				err->has_range = true;
			}
			break;
		case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
			if (nla_u64(nla, &u)) {
				err->min_s = (int64_t)u;
				err->has_range = err->range_signed = true;
			}
			break;
		case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
			if (nla_u64(nla, &u)) {
				err->max_s = (int64_t)u;
				err->has_range = err->range_signed = true;
			}
			break;
		case NL_POLICY_TYPE_ATTR_MIN_LENGTH:
			if (nla_u32(nla, &u32)) {
				err->min_len = u32;
				err->has_len = true;
			}
			break;
		case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
			if (nla_u32(nla, &u32)) {
				err->max_len = u32;
				err->has_len = true;
			}
			break;
		}
	}
}

static void extack_parse_msg(const struct nlattr *nla, struct kzt_nl_err *err)
{
	const char *s = (const char *)nla + NLA_HDRLEN;
	size_t n = nla->nla_len - NLA_HDRLEN;
	const char *nul = memchr(s, '\0', n);

	if (nul)
		n = nul - s;
	if (n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	memcpy(err->msg, s, n);
	while (n && err->msg[n - 1] == '\n')
		n--;
	err->msg[n] = '\0';
}

/**
 * kzt_nl_extack_parse() - read an NLMSG_ERROR message, extack included
 * @nlh: the message
 * @len: bytes readable at @nlh (at least @nlh->nlmsg_len)
 * @err: filled from scratch; err->error is 0 for a plain ack
 *
 * Extack attributes that are damaged are ignored from the point of damage
 * on; the errno is still reported.
 *
 * @retval 0       @err is filled
 * @retval EBADMSG @nlh is not a complete NLMSG_ERROR message; @err holds
 *                 EBADMSG
 */
int kzt_nl_extack_parse(const struct nlmsghdr *nlh, size_t len,
			struct kzt_nl_err *err)
{
	const struct nlmsgerr *e;
	const struct nlattr *nla;
	size_t off, rem;

	kzt_nl_err_set(err, EBADMSG);
	if (len < NLMSG_HDRLEN || nlh->nlmsg_len > len ||
	    nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return EBADMSG;

	e = NLMSG_DATA(nlh);
	/* A negative errno (MAX_ERRNO is 4095), else not a kernel's. */
	err->error = e->error <= 0 && e->error >= -4095 ? -e->error : EPROTO;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;

	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_HDRLEN + NLMSG_ALIGN(off);
	if (off >= nlh->nlmsg_len)
		return 0;

	rem = nlh->nlmsg_len - off;
	nla = (const void *)((const char *)nlh + off);
	for (; nla && nla_fits(nla, rem); nla = nla_step(nla, &rem)) {
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			extack_parse_msg(nla, err);
			break;
		case NLMSGERR_ATTR_OFFS:
			err->has_offs = nla_u32(nla, &err->offs);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			err->has_miss_type = nla_u32(nla, &err->miss_type);
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			err->has_miss_nest = nla_u32(nla, &err->miss_nest);
			break;
		case NLMSGERR_ATTR_POLICY:
			extack_parse_policy(nla, err);
			break;
		}
	}
	return 0;
}

/**
 * kzt_nl_attr_at() - which attribute of a genl request sits at an offset
 * @req:    the request as it was sent
 * @hdrlen: the family's own header length (0 for kzt and nlctrl)
 * @offs:   byte offset from the start of @req (NLMSGERR_ATTR_OFFS)
 *
 * @retval the type of the top-level attribute that contains @offs
 * @retval -1 when @offs is not inside any of them
 */
int kzt_nl_attr_at(const struct nlmsghdr *req, size_t hdrlen, uint32_t offs)
{
	size_t start = NLMSG_HDRLEN + GENL_HDRLEN + NLMSG_ALIGN(hdrlen);
	const struct nlattr *nla;
	size_t rem, pos;

	if (req->nlmsg_len <= start || offs < start || offs >= req->nlmsg_len)
		return -1;
	rem = req->nlmsg_len - start;
	pos = start;
	nla = (const void *)((const char *)req + start);
	for (; nla && nla_fits(nla, rem); nla = nla_step(nla, &rem)) {
		if (offs >= pos && offs < pos + nla->nla_len)
			return nla->nla_type & NLA_TYPE_MASK;
		pos += NLA_ALIGN(nla->nla_len);
	}
	return -1;
}

/**
 * kzt_nl_attr_path() - the attribute at an offset, through nests
 * @req:    the request as it was sent
 * @hdrlen: the family's own header length (0 for kzt)
 * @offs:   byte offset from the start of @req
 * @path:   filled with the attribute that contains @offs, then, inside it
 *          when it is a nest (NLA_F_NESTED), the attribute that contains
 *          @offs there, and so on
 * @max:    size of @path
 *
 * The index of each step counts the earlier attributes of the same type
 * at that level, so "the second rule's first IP block" reads
 * {RULE, 1}, {IP_BLOCK, 0}.
 *
 * @retval the number of steps filled; 0 when @offs is in no attribute
 */
unsigned int kzt_nl_attr_path(const struct nlmsghdr *req, size_t hdrlen,
			      uint32_t offs, struct kzt_nl_attr_pos *path,
			      unsigned int max)
{
	size_t level = NLMSG_HDRLEN + GENL_HDRLEN + NLMSG_ALIGN(hdrlen);
	size_t level_len, pos, rem;
	unsigned int depth = 0;

	if (req->nlmsg_len <= level || offs < level || offs >= req->nlmsg_len)
		return 0;
	level_len = req->nlmsg_len - level;
	while (depth < max && level_len) {
		const struct nlattr *first = (const void *)((const char *)req + level);
		const struct nlattr *nla, *hit = NULL;
		uint16_t type, index = 0;

		pos = level;
		rem = level_len;
		for (nla = first; nla && nla_fits(nla, rem); nla = nla_step(nla, &rem)) {
			if (offs >= pos && offs < pos + nla->nla_len) {
				hit = nla;
				break;
			}
			pos += NLA_ALIGN(nla->nla_len);
		}
		if (!hit)
			break;
		type = hit->nla_type & NLA_TYPE_MASK;
		rem = level_len;
		for (nla = first; nla != hit; nla = nla_step(nla, &rem))
			if ((nla->nla_type & NLA_TYPE_MASK) == type)
				index++;
		path[depth].type = type;
		path[depth].index = index;
		depth++;
		if (!(hit->nla_type & NLA_F_NESTED) || offs < pos + NLA_HDRLEN)
			break;
		level = pos + NLA_HDRLEN;
		level_len = hit->nla_len - NLA_HDRLEN;
	}
	return depth;
}

static size_t str_append(char *buf, size_t len, size_t pos,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t str_append(char *buf, size_t len, size_t pos,
			 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (pos >= len)
		return pos;
	va_start(ap, fmt);
	n = vsnprintf(buf + pos, len - pos, fmt, ap);
	va_end(ap);
	return n < 0 ? pos : pos + n;
}

/**
 * kzt_nl_err_str() - one line for a person: errno text, extack, details
 * @err: the error
 * @buf: where to write, e.g. "Invalid argument: integer out of range
 *       (expected 1..65535)"
 * @len: size of @buf
 *
 * Attribute numbers are left out: naming them is the caller's business
 * (it knows the family).
 *
 * @retval @buf
 */
const char *kzt_nl_err_str(const struct kzt_nl_err *err, char *buf, size_t len)
{
	size_t pos = 0;
	const char *sep = " (";

	if (!len)
		return buf;
	buf[0] = '\0';
	if (err->error)
		pos = str_append(buf, len, pos, "%s", strerror(err->error));
	if (err->msg[0])
		pos = str_append(buf, len, pos, "%s%s", pos ? ": " : "",
				 err->msg);
	if (err->has_range && err->range_signed) {
		pos = str_append(buf, len, pos, "%sexpected %lld..%lld", sep,
				 (long long)err->min_s, (long long)err->max_s);
		sep = ", ";
	} else if (err->has_range) {
		pos = str_append(buf, len, pos, "%sexpected %llu..%llu", sep,
				 (unsigned long long)err->min_u,
				 (unsigned long long)err->max_u);
		sep = ", ";
	}
	if (err->has_len) {
		pos = str_append(buf, len, pos, "%slength %u..%u", sep,
				 err->min_len, err->max_len);
		sep = ", ";
	}
	if (sep[0] == ',')
		str_append(buf, len, pos, ")");
	return buf;
}

/**
 * kzt_nl_open() - open a generic netlink socket with extended acks
 * @nlp: where to store the new handle
 *
 * @retval 0      *@nlp is set; close it with kzt_nl_close()
 * @retval ENOMEM out of memory
 * @retval other  errno of socket() or connect()
 */
int kzt_nl_open(struct kzt_nl **nlp)
{
	struct kzt_nl *nl;
	int one = 1;
	int fd, ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return ENOMEM;
	nl->timeout_ms = KZT_NL_TIMEOUT_MS;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		ret = kzt_nl_errno(ret);
		goto out_free;
	}

	/* Both exist since Linux 4.12; without them errors lose their text. */
	fd = nl_socket_get_fd(nl->sk);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		ret = errno;
		goto out_free;
	}
	*nlp = nl;
	return 0;

out_free:
	nl_socket_free(nl->sk);
	free(nl);
	return ret;
}

void kzt_nl_close(struct kzt_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

int kzt_nl_fd(const struct kzt_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

/**
 * kzt_nl_set_timeout() - how long a request waits for each reply
 * @nl:         the socket
 * @timeout_ms: milliseconds; a request sent without NLM_F_ACK counts
 *              silence for this long as success
 */
void kzt_nl_set_timeout(struct kzt_nl *nl, int timeout_ms)
{
	nl->timeout_ms = timeout_ms;
}

/**
 * kzt_nl_msg_new() - start a generic netlink message
 * @fam:     the family (its id and header size are used)
 * @cmd:     genl command
 * @version: genl version field
 * @flags:   netlink flags, e.g. NLM_F_REQUEST | NLM_F_ACK; sent as given
 * @msgp:    where to store the message; free it with nlmsg_free()
 *
 * @retval 0      *@msgp is set
 * @retval ENOMEM out of memory
 */
int kzt_nl_msg_new(const struct kzt_nl_family *fam, uint8_t cmd,
		   uint8_t version, uint16_t flags, struct nl_msg **msgp)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc_size(KZT_NL_MSG_MAX);
	if (!msg)
		return ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, fam->id, fam->hdrsize,
			 flags, cmd, version)) {
		nlmsg_free(msg);
		return ENOMEM;
	}
	*msgp = msg;
	return 0;
}

static int req_seq_check(struct nl_msg *msg, void *arg)
{
	struct kzt_nl_req *r = arg;

	/* A late answer to an earlier request that timed out: drop it. */
	return nlmsg_hdr(msg)->nlmsg_seq == r->seq ? NL_OK : NL_SKIP;
}

/* @err from the NLMSG_ERROR @nlh, its offsets mapped into request @req. */
static void err_from_ack(struct kzt_nl_err *err, const struct nlmsghdr *nlh,
			 const struct nlmsghdr *req)
{
	const struct genlmsghdr *ghdr = NLMSG_DATA(req);

	kzt_nl_extack_parse(nlh, nlh->nlmsg_len, err);
	if (req->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN))
		err->cmd = ghdr->cmd;
	if (err->has_offs) {
		err->bad_attr = kzt_nl_attr_at(req, 0, err->offs);
		err->depth = kzt_nl_attr_path(req, 0, err->offs, err->path,
					      KZT_NL_PATH_MAX);
	}
	if (err->has_miss_nest)
		err->miss_depth = kzt_nl_attr_path(req, 0, err->miss_nest,
						   err->miss_path,
						   KZT_NL_PATH_MAX);
}

static void req_error(struct kzt_nl_req *r, const struct nlmsghdr *nlh)
{
	err_from_ack(r->err, nlh, r->req);
	r->done = true;
}

static int req_valid(struct nl_msg *msg, void *arg)
{
	struct kzt_nl_req *r = arg;
	int ret;

	if (r->fn) {
		ret = r->fn(nlmsg_hdr(msg), r->arg);
		if (ret && !r->reply_err)
			r->reply_err = ret;
	}
	if (!r->want_ack && !r->dump) {
		r->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int req_dump_intr(struct nl_msg *msg, void *arg)
{
	struct kzt_nl_req *r = arg;

	(void)msg;
	r->intr = true;	/* read on to NLMSG_DONE; the caller starts again */
	return NL_OK;
}

static int req_ack(struct nl_msg *msg, void *arg)
{
	struct kzt_nl_req *r = arg;

	req_error(r, nlmsg_hdr(msg));	/* error 0, maybe a warning text */
	return NL_STOP;
}

static int req_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct kzt_nl_req *r = arg;
	const struct nlmsghdr *nlh;

	(void)nla;
	/* libnl passes nlmsg_data() of a message it has length-checked. */
	nlh = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	req_error(r, nlh);
	return NL_STOP;
}

static int req_finish(struct nl_msg *msg, void *arg)
{
	struct kzt_nl_req *r = arg;
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int e;

	/* NLMSG_DONE of a dump carries the dump's own result. */
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(e))) {
		memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
		if (e < 0)
			kzt_nl_err_set(r->err, -e);
	}
	r->done = true;
	return NL_STOP;
}

static int req_invalid(struct nl_msg *msg, void *arg)
{
	struct kzt_nl_req *r = arg;

	(void)msg;
	kzt_nl_err_set(r->err, EBADMSG);
	r->done = true;
	return NL_STOP;
}

static int req_overrun(struct nl_msg *msg, void *arg)
{
	struct kzt_nl_req *r = arg;

	(void)msg;
	kzt_nl_err_set(r->err, ENOBUFS);
	r->done = true;
	return NL_STOP;
}

static int req_wait(struct kzt_nl *nl, struct nl_cb *cb, struct kzt_nl_req *r)
{
	struct pollfd pfd = { .fd = kzt_nl_fd(nl), .events = POLLIN };
	int ret;

	while (!r->done) {
		ret = poll(&pfd, 1, nl->timeout_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return errno;
		if (ret == 0)
			return r->want_ack || r->dump ? ETIMEDOUT : 0;

		ret = nl_recvmsgs(nl->sk, cb);
		if (r->done)
			break;
		if (ret < 0)
			return kzt_nl_errno(ret);
	}
	if (r->err->error)
		return r->err->error;
	if (r->reply_err)
		return r->reply_err;
	return r->intr ? EINTR : 0;
}

/**
 * kzt_nl_request() - send a request and read its replies up to the end
 * @nl:  the socket
 * @msg: the request from kzt_nl_msg_new(); the caller still owns it
 * @fn:  called for every reply message; may be NULL
 * @arg: for @fn
 * @err: the kernel's answer; may be NULL
 *
 * The request ends with its ack or error (NLM_F_ACK), with NLMSG_DONE
 * (NLM_F_DUMP), with the first reply, or, for a request that asked for
 * none of those, with silence for the timeout.
 *
 * @retval 0         the kernel accepted the request
 * @retval EINTR     a dump was interrupted by a change (NLM_F_DUMP_INTR):
 *                   every reply was read and handed to @fn, but they may
 *                   not be a consistent view; start the dump again
 * @retval ETIMEDOUT no answer in time
 * @retval other     errno from the kernel (extack in @err), from @fn, or
 *                   from the socket
 */
int kzt_nl_request(struct kzt_nl *nl, struct nl_msg *msg,
		   kzt_nl_reply_fn fn, void *arg, struct kzt_nl_err *err)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct kzt_nl_err local;
	struct kzt_nl_req r = {
		.req = nlh,
		.want_ack = nlh->nlmsg_flags & NLM_F_ACK,
		.dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP,
		.fn = fn,
		.arg = arg,
		.err = err ? err : &local,
	};
	struct nl_cb *cb;
	int ret;

	kzt_nl_err_set(r.err, 0);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		kzt_nl_err_set(r.err, ENOMEM);
		return ENOMEM;
	}
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, req_seq_check, &r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, req_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, req_ack, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, req_finish, &r);
	nl_cb_set(cb, NL_CB_INVALID, NL_CB_CUSTOM, req_invalid, &r);
	nl_cb_set(cb, NL_CB_OVERRUN, NL_CB_CUSTOM, req_overrun, &r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, req_dump_intr, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, req_err, &r);

	/* Sent as built: no nl_complete_msg(), which would add flags. */
	r.seq = nl_socket_use_seq(nl->sk);
	nlh->nlmsg_seq = r.seq;
	nlh->nlmsg_pid = 0;
	ret = nl_send(nl->sk, msg);
	if (ret < 0)
		ret = kzt_nl_errno(ret);
	else
		ret = req_wait(nl, cb, &r);
	nl_cb_put(cb);

	if (ret != r.err->error) {
		/* A local failure: keep no stale extack from a warning ack. */
		kzt_nl_err_set(r.err, ret);
	}
	return ret;
}

/* Read acks of requests @base..@base + @sent - 1 until all have come. */
static int many_wait(struct kzt_nl *nl, struct nl_msg **msgs, uint32_t base,
		     size_t sent, size_t *failed, struct kzt_nl_err *err)
{
	static char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct pollfd pfd = { .fd = kzt_nl_fd(nl), .events = POLLIN };
	size_t acked = 0;
	int first = 0;		/* errno of the lowest failed index, *failed */
	ssize_t len;

	while (acked < sent) {
		int ret = poll(&pfd, 1, nl->timeout_ms);

		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			return ret ? errno : ETIMEDOUT;
		len = recv(pfd.fd, buf, sizeof(buf), 0);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return errno;	/* ENOBUFS: acks were lost */
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		     NLMSG_OK(nlh, (size_t)len); nlh = NLMSG_NEXT(nlh, len)) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);
			size_t idx = nlh->nlmsg_seq - base;

			/* Late answers to an earlier request are not ours. */
			if (nlh->nlmsg_type != NLMSG_ERROR || idx >= sent ||
			    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				continue;
			acked++;
			if (!e->error || (first && idx >= *failed))
				continue;
			err_from_ack(err, nlh, nlmsg_hdr(msgs[idx]));
			first = err->error;
			*failed = idx;
		}
	}
	return first;
}

/**
 * kzt_nl_request_many() - send requests that want only an ack, pipelined
 * @nl:     the socket
 * @msgs:   the requests, each with NLM_F_ACK; the caller still owns them
 * @n:      how many, at most KZT_NL_MANY_MAX
 * @failed: on error, the index of the first request the kernel refused
 *          (or that could not be sent); @n when the socket failed
 * @err:    its answer (extack); may be NULL
 *
 * All requests are sent before any ack is read, which saves a round trip
 * per request. The kernel handles each on its own: those after a refused
 * one are still carried out, so use this where a failure aborts the whole
 * (a transaction).
 *
 * @retval 0      the kernel accepted every request
 * @retval EINVAL @n is out of range
 * @retval other  errno of the first refused request (*@failed says which,
 *                @err why), or of the socket
 */
int kzt_nl_request_many(struct kzt_nl *nl, struct nl_msg **msgs, size_t n,
			size_t *failed, struct kzt_nl_err *err)
{
	struct kzt_nl_err local;
	uint32_t base = 0;
	size_t sent;
	int ret = 0, wait_ret;

	if (!err)
		err = &local;
	kzt_nl_err_set(err, 0);
	*failed = n;
	if (!n || n > KZT_NL_MANY_MAX) {
		kzt_nl_err_set(err, EINVAL);
		return EINVAL;
	}
	for (sent = 0; sent < n; sent++) {
		struct nlmsghdr *nlh = nlmsg_hdr(msgs[sent]);
		uint32_t seq = nl_socket_use_seq(nl->sk);

		if (!sent)
			base = seq;
		nlh->nlmsg_seq = base + sent;	/* consecutive, even on wrap */
		nlh->nlmsg_pid = 0;
		ret = nl_send(nl->sk, msgs[sent]);
		if (ret < 0) {
			ret = kzt_nl_errno(ret);
			break;
		}
		ret = 0;
	}
	/* The acks of what was sent are read even after a local failure. */
	wait_ret = sent ? many_wait(nl, msgs, base, sent, failed, err) : 0;
	if (wait_ret && err->error != wait_ret)
		kzt_nl_err_set(err, wait_ret);	/* the socket's, not the kernel's */
	if (!ret)
		return wait_ret;
	if (!wait_ret) {
		*failed = sent;
		kzt_nl_err_set(err, ret);
	}
	return wait_ret ? wait_ret : ret;
}

struct family_ctx {
	struct kzt_nl_family *fam;
	bool found;
};

static int family_parse_mcgrps(struct nlattr *grps, struct kzt_nl_family *fam)
{
	static struct nla_policy policy[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
		[CTRL_ATTR_MCAST_GRP_NAME]	= { .type = NLA_STRING },
		[CTRL_ATTR_MCAST_GRP_ID]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct nlattr *grp;
	int rem;

	nla_for_each_nested(grp, grps, rem) {
		struct kzt_nl_mcgrp *g;

		if (fam->n_mcgrps >= KZT_NL_MCGRPS_MAX)
			break;
		if (nla_parse_nested(tb, CTRL_ATTR_MCAST_GRP_MAX, grp, policy) < 0)
			return EBADMSG;
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		g = &fam->mcgrps[fam->n_mcgrps++];
		nla_strlcpy(g->name, tb[CTRL_ATTR_MCAST_GRP_NAME],
			    sizeof(g->name));
		g->id = nla_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return 0;
}

static int family_reply(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID]	= { .type = NLA_U16 },
		[CTRL_ATTR_FAMILY_NAME]	= { .type = NLA_STRING },
		[CTRL_ATTR_VERSION]	= { .type = NLA_U32 },
		[CTRL_ATTR_HDRSIZE]	= { .type = NLA_U32 },
		[CTRL_ATTR_MAXATTR]	= { .type = NLA_U32 },
		[CTRL_ATTR_MCAST_GROUPS] = { .type = NLA_NESTED },
	};
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct family_ctx *ctx = arg;
	struct kzt_nl_family *fam = ctx->fam;

	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, policy) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_FAMILY_NAME])
		return EBADMSG;

	fam->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	nla_strlcpy(fam->name, tb[CTRL_ATTR_FAMILY_NAME], sizeof(fam->name));
	if (tb[CTRL_ATTR_VERSION])
		fam->version = nla_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_HDRSIZE])
		fam->hdrsize = nla_get_u32(tb[CTRL_ATTR_HDRSIZE]);
	if (tb[CTRL_ATTR_MAXATTR])
		fam->maxattr = nla_get_u32(tb[CTRL_ATTR_MAXATTR]);
	ctx->found = true;
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		return family_parse_mcgrps(tb[CTRL_ATTR_MCAST_GROUPS], fam);
	return 0;
}

/**
 * kzt_nl_family_resolve() - look a generic netlink family up by name
 * @nl:   the socket
 * @name: family name, e.g. "kzt"
 * @fam:  filled with its id, version, header size and multicast groups
 * @err:  the kernel's answer; may be NULL
 *
 * Needs no privilege. The kernel may load the module that provides the
 * family (MODULE_ALIAS_GENL_FAMILY) when the caller may load modules.
 *
 * @retval 0      @fam is filled
 * @retval ENOENT no such family in this kernel (its module is not loaded)
 * @retval other  errno from the kernel or the socket
 */
int kzt_nl_family_resolve(struct kzt_nl *nl, const char *name,
			  struct kzt_nl_family *fam, struct kzt_nl_err *err)
{
	static const struct kzt_nl_family ctrl = { .id = GENL_ID_CTRL };
	struct family_ctx ctx = { .fam = fam };
	struct nl_msg *msg;
	int ret;

	memset(fam, 0, sizeof(*fam));
	ret = kzt_nl_msg_new(&ctrl, CTRL_CMD_GETFAMILY, 1,
			     NLM_F_REQUEST | NLM_F_ACK, &msg);
	if (ret) {
		kzt_nl_err_set(err, ret);
		return ret;
	}
	if (nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name) < 0) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, EINVAL);
		return EINVAL;
	}
	ret = kzt_nl_request(nl, msg, family_reply, &ctx, err);
	nlmsg_free(msg);
	if (!ret && !ctx.found) {
		ret = ENOENT;
		kzt_nl_err_set(err, ret);
	}
	return ret;
}

/**
 * kzt_nl_family_mcgrp() - find a multicast group of a family by name
 * @fam:  the resolved family
 * @name: group name
 * @id:   where to store the group id
 *
 * @retval 0      *@id is set
 * @retval ENOENT the family has no such group
 */
int kzt_nl_family_mcgrp(const struct kzt_nl_family *fam, const char *name,
			uint32_t *id)
{
	for (unsigned int i = 0; i < fam->n_mcgrps; i++) {
		if (!strcmp(fam->mcgrps[i].name, name)) {
			*id = fam->mcgrps[i].id;
			return 0;
		}
	}
	return ENOENT;
}

/**
 * kzt_nl_subscribe() - make @nl a listener of one more multicast group
 * @nl:    a socket used for nothing else (notifications carry seq 0)
 * @group: group id from kzt_nl_family_mcgrp()
 *
 * The socket becomes non-blocking; read it with kzt_nl_events_read().
 * A socket may listen to groups of several families.
 *
 * @retval 0     subscribed
 * @retval other errno of setsockopt() or fcntl()
 */
int kzt_nl_subscribe(struct kzt_nl *nl, uint32_t group)
{
	int one = 1, ret;

	nl_socket_disable_seq_check(nl->sk);
	/*
	 * A notification this socket has no room for then fails its sender
	 * with ENOBUFS instead of looking as if nobody listened: kzt.ko keeps
	 * a handshake request queued on ENOBUFS (we read ENOBUFS too, and
	 * sweep with ACCEPT), but takes -ESRCH for "no daemon".
	 */
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK,
		       NETLINK_BROADCAST_ERROR, &one, sizeof(one)) < 0)
		return errno;
	ret = nl_socket_add_membership(nl->sk, group);
	if (ret < 0)
		return kzt_nl_errno(ret);
	ret = nl_socket_set_nonblocking(nl->sk);
	if (ret < 0)
		return kzt_nl_errno(ret);
	return 0;
}

/**
 * kzt_nl_unsubscribe() - leave a multicast group
 * @nl:    a socket set up by kzt_nl_subscribe()
 * @group: the group id
 *
 * @retval 0     done
 * @retval other errno of setsockopt()
 */
int kzt_nl_unsubscribe(struct kzt_nl *nl, uint32_t group)
{
	int ret = nl_socket_drop_membership(nl->sk, group);

	return ret < 0 ? kzt_nl_errno(ret) : 0;
}

/**
 * kzt_nl_events_read() - hand every queued notification to @fn
 * @nl:  a socket set up by kzt_nl_subscribe()
 * @fn:  called for each message that is not a netlink control message
 * @arg: for @fn
 *
 * Reads until the socket has nothing more.
 *
 * @retval 0       all queued messages were read
 * @retval ENOBUFS the kernel dropped notifications because the socket's
 *                 queue was full; the socket stays usable, but the caller
 *                 has missed events and should read the state again
 * @retval other   errno of recv()
 */
int kzt_nl_events_read(struct kzt_nl *nl, kzt_nl_event_fn fn, void *arg)
{
	static char buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	ssize_t n;

	for (;;) {
		n = recv(kzt_nl_fd(nl), buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;

		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			fn(nlh, arg);
		}
	}
}
