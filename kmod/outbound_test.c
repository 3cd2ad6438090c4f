// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_outbound: the per-source outbound counts of outbound.h.
 * One source cannot take more than its limits, never touches another's
 * count (even one in the same bucket), a refusal takes nothing, a lowered
 * limit only refuses new flows, and when every flow is released the
 * table is empty. A differential case checks random sequences against a
 * plain array model.
 */
#include <kunit/test.h>
#include <linux/prandom.h>

#include "outbound.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define V4(a, b, c, d) \
	((struct in6_addr){ .s6_addr = { [10] = 0xff, [11] = 0xff, a, b, c, d } })

#define KZT_OB_HELD	64

struct kzt_ob_env {
	struct kzt_outbound ob;
	struct kzt_outbound_slot held[KZT_OB_HELD];
	unsigned int n;
};

static void kzt_ob_exit(void *data)
{
	struct kzt_ob_env *env = data;

	/* Leaves nothing behind even when a case failed half-way. */
	while (env->n)
		kzt_outbound_release(&env->ob, &env->held[--env->n]);
	kzt_outbound_destroy(&env->ob);
}

static struct kzt_ob_env *kzt_ob_env(struct kunit *test)
{
	struct kzt_ob_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	kzt_outbound_init(&env->ob);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_ob_exit, env), 0);
	return env;
}

/* Take a slot for @src; keep it when admitted. */
static enum kzt_outbound_verdict kzt_ob_take(struct kunit *test,
					     struct kzt_ob_env *env,
					     const struct kzt_outbound_limits *l,
					     struct in6_addr src)
{
	struct kzt_outbound_slot slot;
	enum kzt_outbound_verdict v;

	v = kzt_outbound_take(&env->ob, l, &src, &slot);
	if (v == KZT_OUTBOUND_OK) {
		KUNIT_ASSERT_LT(test, env->n, KZT_OB_HELD);
		KUNIT_EXPECT_NOT_NULL(test, slot.source);
		KUNIT_EXPECT_TRUE(test, slot.handshake);
		env->held[env->n++] = slot;
	} else {
		KUNIT_EXPECT_NULL(test, slot.source);
	}
	return v;
}

static void kzt_outbound_limits_test(struct kunit *test)
{
	const struct kzt_outbound_limits l = { .flows = 6, .handshakes = 3 };
	const struct in6_addr a = V4(10, 1, 0, 2), b = V4(10, 1, 0, 3);
	struct kzt_ob_env *env = kzt_ob_env(test);
	unsigned int i, hs;

	/* Handshakes first: three, then refused, and b is not touched. */
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &l, a), KZT_OUTBOUND_OK);
	KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &l, a),
			KZT_OUTBOUND_HANDSHAKE_LIMIT);
	KUNIT_EXPECT_EQ(test, kzt_outbound_count(&env->ob, &a, &hs), 3);
	KUNIT_EXPECT_EQ(test, hs, 3);
	KUNIT_EXPECT_EQ(test, kzt_outbound_count(&env->ob, &b, &hs), 0);
	KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &l, b), KZT_OUTBOUND_OK);

	/* Established flows leave the handshake count, not the flow count. */
	for (i = 0; i < 3; i++)
		kzt_outbound_established(&env->ob, &env->held[i]);
	kzt_outbound_established(&env->ob, &env->held[0]);	/* once only */
	KUNIT_EXPECT_EQ(test, kzt_outbound_count(&env->ob, &a, &hs), 3);
	KUNIT_EXPECT_EQ(test, hs, 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &l, a), KZT_OUTBOUND_OK);
	/* Six flows: refused, even once no handshake is under way... */
	for (i = 4; i < 7; i++)
		kzt_outbound_established(&env->ob, &env->held[i]);
	KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &l, a),
			KZT_OUTBOUND_FLOW_LIMIT);
	KUNIT_EXPECT_EQ(test, kzt_outbound_count(&env->ob, &a, NULL), 6);
	/* ... and b still has all of its own. */
	KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &l, b), KZT_OUTBOUND_OK);

	/* Release gives back both counts, once; the entries go at zero. */
	KUNIT_EXPECT_EQ(test, kzt_outbound_sources(&env->ob), 2);
	while (env->n) {
		struct kzt_outbound_slot *s = &env->held[--env->n];

		kzt_outbound_release(&env->ob, s);
		KUNIT_EXPECT_NULL(test, s->source);
		kzt_outbound_release(&env->ob, s);
	}
	KUNIT_EXPECT_EQ(test, kzt_outbound_sources(&env->ob), 0);
	KUNIT_EXPECT_EQ(test, kzt_outbound_count(&env->ob, &a, &hs), 0);
	KUNIT_EXPECT_EQ(test, hs, 0);
	KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &l, a), KZT_OUTBOUND_OK);
}

/* A lowered limit keeps the flows over it and refuses new ones. */
static void kzt_outbound_lowered_test(struct kunit *test)
{
	const struct kzt_outbound_limits wide = { .flows = 8, .handshakes = 8 };
	const struct kzt_outbound_limits narrow = { .flows = 2, .handshakes = 1 };
	const struct kzt_outbound_limits none = { .flows = 0, .handshakes = 8 };
	const struct in6_addr a = V4(10, 1, 0, 2), c = V4(10, 1, 0, 9);
	struct kzt_ob_env *env = kzt_ob_env(test);
	unsigned int i;

	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &wide, a), KZT_OUTBOUND_OK);
	KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &narrow, a),
			KZT_OUTBOUND_FLOW_LIMIT);
	KUNIT_EXPECT_EQ(test, kzt_outbound_count(&env->ob, &a, NULL), 5);
	/* A refused new source leaves no entry behind. */
	KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &none, c),
			KZT_OUTBOUND_FLOW_LIMIT);
	KUNIT_EXPECT_EQ(test, kzt_outbound_sources(&env->ob), 1);
	while (env->n > 1)
		kzt_outbound_release(&env->ob, &env->held[--env->n]);
	/* One left, still in its handshake: narrow's one handshake is taken. */
	KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &narrow, a),
			KZT_OUTBOUND_HANDSHAKE_LIMIT);
	kzt_outbound_established(&env->ob, &env->held[0]);
	KUNIT_EXPECT_EQ(test, kzt_ob_take(test, env, &narrow, a), KZT_OUTBOUND_OK);
}

/* Random takes, establishments and releases against a plain model. */
static void kzt_outbound_model_test(struct kunit *test)
{
	const struct kzt_outbound_limits l = { .flows = 5, .handshakes = 2 };
	struct kzt_ob_env *env = kzt_ob_env(test);
	unsigned int flows[4] = {}, hs[4] = {}, owner[KZT_OB_HELD];
	struct rnd_state rnd;
	unsigned int step, k, got, got_hs, live;
	enum kzt_outbound_verdict v, want;
	struct in6_addr src;

	prandom_seed_state(&rnd, 42);
	for (step = 0; step < 4000; step++) {
		k = prandom_u32_state(&rnd) % 4;
		src = V4(10, 2, 0, k);
		switch (prandom_u32_state(&rnd) % 3) {
		case 0:
			want = flows[k] >= l.flows ? KZT_OUTBOUND_FLOW_LIMIT :
			       hs[k] >= l.handshakes ?
			       KZT_OUTBOUND_HANDSHAKE_LIMIT : KZT_OUTBOUND_OK;
			if (env->n == KZT_OB_HELD)
				break;
			v = kzt_ob_take(test, env, &l, src);
			KUNIT_ASSERT_EQ(test, v, want);
			if (v == KZT_OUTBOUND_OK) {
				owner[env->n - 1] = k;
				flows[k]++;
				hs[k]++;
			}
			break;
		case 1:
			if (!env->n)
				break;
			got = prandom_u32_state(&rnd) % env->n;
			if (env->held[got].handshake)
				hs[owner[got]]--;
			kzt_outbound_established(&env->ob, &env->held[got]);
			break;
		default:
			if (!env->n)
				break;
			got = prandom_u32_state(&rnd) % env->n;
			k = owner[got];
			flows[k]--;
			if (env->held[got].handshake)
				hs[k]--;
			kzt_outbound_release(&env->ob, &env->held[got]);
			env->held[got] = env->held[--env->n];
			owner[got] = owner[env->n];
			break;
		}
		live = 0;
		for (k = 0; k < 4; k++) {
			src = V4(10, 2, 0, k);
			got = kzt_outbound_count(&env->ob, &src, &got_hs);
			KUNIT_ASSERT_EQ(test, got, flows[k]);
			KUNIT_ASSERT_EQ(test, got_hs, hs[k]);
			live += !!flows[k];
		}
		KUNIT_ASSERT_EQ(test, kzt_outbound_sources(&env->ob), live);
	}
}

static struct kunit_case kzt_outbound_test_cases[] = {
	KUNIT_CASE(kzt_outbound_limits_test),
	KUNIT_CASE(kzt_outbound_lowered_test),
	KUNIT_CASE(kzt_outbound_model_test),
	{}
};

static struct kunit_suite kzt_outbound_suite = {
	.name = "kzt_outbound",
	.test_cases = kzt_outbound_test_cases,
};

kunit_test_suite(kzt_outbound_suite);
