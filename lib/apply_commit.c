// SPDX-License-Identifier: GPL-2.0
/*
 * Applying a loaded apply file: one transaction that stages the new
 * workload and policy tables and swaps them in at once, then the node
 * configuration. See Documentation/apply.rst.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netlink/msg.h>

#include "apply.h"

/* A live table that changes under us this often is given up on. */
#define KZT_APPLY_TRIES	5

static int addr_ptr_cmp(const void *a, const void *b)
{
	const struct in6_addr *const *pa = a, *const *pb = b;

	return kzt_addr_cmp(*pa, *pb);
}

static int name_ptr_cmp(const void *a, const void *b)
{
	const char *const *pa = a, *const *pb = b;

	return strcmp(*pa, *pb);
}

/* The keys of the file, sorted, to tell which live entries it names. */
struct file_keys {
	const struct in6_addr **addrs;
	const char **names;
	size_t n_addrs, n_names;
};

static int keys_build(struct file_keys *k, const struct kzt_apply_file *f)
{
	k->n_addrs = f->workloads.n;
	k->n_names = f->policies.n;
	k->addrs = calloc(k->n_addrs + 1, sizeof(*k->addrs));
	k->names = calloc(k->n_names + 1, sizeof(*k->names));
	if (!k->addrs || !k->names)
		return ENOMEM;
	for (size_t i = 0; i < k->n_addrs; i++)
		k->addrs[i] = &f->workloads.v[i].addr;
	for (size_t i = 0; i < k->n_names; i++)
		k->names[i] = f->policies.v[i].name;
	qsort(k->addrs, k->n_addrs, sizeof(*k->addrs), addr_ptr_cmp);
	qsort(k->names, k->n_names, sizeof(*k->names), name_ptr_cmp);
	return 0;
}

static bool keys_has_addr(const struct file_keys *k, const struct in6_addr *a)
{
	return bsearch(&a, k->addrs, k->n_addrs, sizeof(*k->addrs),
		       addr_ptr_cmp) != NULL;
}

static bool keys_has_name(const struct file_keys *k, const char *name)
{
	return bsearch(&name, k->names, k->n_names, sizeof(*k->names),
		       name_ptr_cmp) != NULL;
}

/*
 * Staging requests go out KZT_NL_MANY_MAX at a time without waiting for
 * each ack: a large file costs a fraction of the round trips.
 */
struct stager {
	struct kzt_client *c;
	struct kzt_add_opts opts;
	const struct kzt_apply_file *f;
	struct nl_msg *msgs[KZT_NL_MANY_MAX];
	/* What each message stages, to say which one the kernel refused. */
	const struct kzt_workload *w[KZT_NL_MANY_MAX];
	const struct kzt_policy *p[KZT_NL_MANY_MAX];
	long file_index[KZT_NL_MANY_MAX];	/* -1: a kept live entry */
	size_t n;
};

static void stage_describe(const struct stager *st, size_t i, char *what,
			   size_t whatlen)
{
	const struct kzt_apply_file *f = st->f;
	const struct kzt_apply_pos *pos = NULL;
	char a[KZT_ADDR_STRLEN];
	long fi = st->file_index[i];

	if (st->w[i]) {
		if (fi >= 0)
			pos = &f->origins[fi].addr;
		snprintf(what, whatlen, "%s workload %s", fi >= 0 ? "stage" : "keep",
			 kzt_addr_str(&st->w[i]->addr, a, sizeof(a)));
	} else {
		if (fi >= 0)
			pos = &f->policy_pos[fi];
		snprintf(what, whatlen, "%s policy %s", fi >= 0 ? "stage" : "keep",
			 st->p[i]->name);
	}
	if (pos) {
		size_t len = strlen(what);

		snprintf(what + len, whatlen - len, " (%s:%zu:%zu: %s)", f->name,
			 pos->line, pos->col, pos->path);
	}
}

static int stage_flush(struct stager *st, struct kzt_nl_err *err, char *what,
		       size_t whatlen)
{
	size_t failed;
	int ret = 0;

	if (st->n)
		ret = kzt_nl_request_many(st->c->nl, st->msgs, st->n, &failed, err);
	if (ret && failed < st->n)
		stage_describe(st, failed, what, whatlen);
	else if (ret)
		snprintf(what, whatlen, "stage the tables");
	for (size_t i = 0; i < st->n; i++)
		nlmsg_free(st->msgs[i]);
	st->n = 0;
	return ret;
}

/* Queue one ADD of @w or @p (one of them is NULL); flush when full. */
static int stage(struct stager *st, const struct kzt_workload *w,
		 const struct kzt_policy *p, long file_index,
		 struct kzt_nl_err *err, char *what, size_t whatlen)
{
	uint8_t cmd = w ? KZT_CMD_WORKLOAD_ADD : KZT_CMD_POLICY_ADD;
	struct nl_msg *msg;
	int ret;

	ret = kzt_nl_msg_new(&st->c->family, cmd, KZT_GENL_VERSION,
			     NLM_F_REQUEST | NLM_F_ACK, &msg);
	if (!ret) {
		ret = w ? kzt_workload_put(msg, w, &st->opts) :
			  kzt_policy_put(msg, p, &st->opts);
		if (ret)
			nlmsg_free(msg);
	}
	st->w[st->n] = w;
	st->p[st->n] = p;
	st->file_index[st->n] = file_index;
	if (ret) {
		kzt_nl_err_set(err, ret);
		stage_describe(st, st->n, what, whatlen);
		return ret;
	}
	st->msgs[st->n] = msg;
	if (++st->n < KZT_NL_MANY_MAX)
		return 0;
	return stage_flush(st, err, what, whatlen);
}

static void stage_drop(struct stager *st)
{
	for (size_t i = 0; i < st->n; i++)
		nlmsg_free(st->msgs[i]);
	st->n = 0;
}

/*
 * One try: begin, stage (the live entries the file does not name unless
 * @prune, then the file's), commit. On failure the transaction is
 * aborted, or was by the kernel (EAGAIN at commit).
 */
static int apply_once(struct kzt_client *c, const struct kzt_apply_file *f,
		      const struct file_keys *keys, bool prune,
		      struct kzt_apply_result *res, struct kzt_nl_err *err,
		      char *what, size_t whatlen)
{
	struct stager st = { .c = c, .f = f, .opts = { .in_txn = true } };
	struct kzt_workloads live_w = { 0 };
	struct kzt_policies live_p = { 0 };
	int ret;

	memset(res, 0, sizeof(*res));
	snprintf(what, whatlen, "begin a transaction");
	ret = kzt_txn_begin(c, &st.opts.txn, err);
	if (ret)
		return ret;

	/* Read after the begin: a change from now on fails the commit. */
	snprintf(what, whatlen, "read the live workloads");
	ret = kzt_workload_dump(c, &live_w, err);
	if (ret)
		goto out_abort;
	snprintf(what, whatlen, "read the live policies");
	ret = kzt_policy_dump(c, &live_p, err);
	if (ret)
		goto out_abort;

	for (size_t i = 0; i < live_w.n; i++) {
		if (keys_has_addr(keys, &live_w.v[i].addr))
			continue;
		if (prune) {
			res->removed_workloads++;
			continue;
		}
		ret = stage(&st, &live_w.v[i], NULL, -1, err, what, whatlen);
		if (ret)
			goto out_abort;
		res->workloads++;
	}
	for (size_t i = 0; i < live_p.n; i++) {
		if (keys_has_name(keys, live_p.v[i].name))
			continue;
		if (prune) {
			res->removed_policies++;
			continue;
		}
		ret = stage(&st, NULL, &live_p.v[i], -1, err, what, whatlen);
		if (ret)
			goto out_abort;
		res->policies++;
	}
	for (size_t i = 0; i < f->workloads.n; i++) {
		ret = stage(&st, &f->workloads.v[i], NULL, i, err, what, whatlen);
		if (ret)
			goto out_abort;
		res->workloads++;
	}
	for (size_t i = 0; i < f->policies.n; i++) {
		ret = stage(&st, NULL, &f->policies.v[i], i, err, what, whatlen);
		if (ret)
			goto out_abort;
		res->policies++;
	}
	ret = stage_flush(&st, err, what, whatlen);
	if (ret)
		goto out_abort;

	snprintf(what, whatlen, "commit the transaction");
	ret = kzt_txn_commit(c, st.opts.txn, err);
	goto out;	/* on EAGAIN the kernel has aborted it */

out_abort:
	stage_drop(&st);
	kzt_txn_abort(c, st.opts.txn, NULL);
out:
	kzt_workloads_free(&live_w);
	kzt_policies_free(&live_p);
	return ret;
}

/**
 * kzt_apply_commit() - make the node's tables what @f says, atomically
 * @c:       an open client
 * @f:       a loaded file whose interfaces are resolved (kzt_apply_resolve())
 * @prune:   remove the live workloads and policies @f does not name; without
 *           it they are kept, and @f's entries replace those with the same
 *           address or name
 * @res:     the counts, on success
 * @err:     the kernel's answer, on failure
 * @what:    on failure, the step that failed ("stage policy default/x
 *           (FILE:LINE:COL: PATH)")
 * @whatlen: size of @what
 *
 * The workloads and policies change in one transaction: a flow sees the
 * old tables or the new ones. When the live tables change between the
 * begin and the commit, the whole transaction is tried again, a few times.
 * The node section is applied afterwards with CONFIG_SET: if that fails,
 * the tables are already committed (@what says so).
 *
 * @retval 0      applied
 * @retval EAGAIN the live tables kept changing
 * @retval other  errno from the kernel (@err) or the socket; nothing of
 *                the tables changed unless @what says the config failed
 */
int kzt_apply_commit(struct kzt_client *c, const struct kzt_apply_file *f,
		     bool prune, struct kzt_apply_result *res,
		     struct kzt_nl_err *err, char *what, size_t whatlen)
{
	struct file_keys keys = { 0 };
	const struct kzt_config *cfg = &f->node;
	int ret;

	ret = keys_build(&keys, f);
	if (ret) {
		kzt_nl_err_set(err, ret);
		snprintf(what, whatlen, "prepare");
		goto out;
	}
	for (int try = 0; try < KZT_APPLY_TRIES; try++) {
		/* 10, 20, 40, 80 ms: let a burst of changes pass. */
		struct timespec pause = { 0, 10000000L << (try ? try - 1 : 0) };

		if (try)
			nanosleep(&pause, NULL);
		ret = apply_once(c, f, &keys, prune, res, err, what, whatlen);
		if (ret != EAGAIN || strcmp(what, "commit the transaction"))
			break;
	}
	if (ret == EAGAIN && !strcmp(what, "commit the transaction"))
		snprintf(what, whatlen,
			 "commit the transaction (the live tables changed during each of %d tries)",
			 KZT_APPLY_TRIES);
	if (ret)
		goto out;
	if (kzt_config_any(cfg)) {
		snprintf(what, whatlen,
			 "set the node configuration (the workloads and policies are committed)");
		ret = kzt_config_set(c, cfg, err);
	}
out:
	free(keys.addrs);
	free(keys.names);
	return ret;
}
