// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_admit: the inbound budgets of admit.h. One source
 * address cannot take more than its share, the other sources' pool
 * cannot take the peer nodes' slots, a refusal takes nothing, and a
 * release gives everything back.
 */
#include <kunit/test.h>

#include "admit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define V4(a, b, c, d) \
	((struct in6_addr){ .s6_addr = { [10] = 0xff, [11] = 0xff, a, b, c, d } })

static const struct kzt_admit_limits limits = {
	.peers = 4, .others = 8, .per_source = 3,
};

struct kzt_admit_env {
	struct kunit *test;
	struct kzt_admit admit;
	struct kzt_admission held[32];
	unsigned int n;
};

static struct kzt_admit_env *kzt_admit_env(struct kunit *test)
{
	struct kzt_admit_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	env->test = test;
	kzt_admit_init(&env->admit);
	/* A fixed key: which addresses share a bucket is the same each run. */
	env->admit.key = (siphash_key_t){ { 1, 2 } };
	return env;
}

/* Admit one tunnel from @src; keep what it holds when admitted. */
static enum kzt_admit_verdict kzt_admit_one(struct kzt_admit_env *env,
					    struct in6_addr src, bool peer)
{
	struct kzt_admission adm;
	enum kzt_admit_verdict v;

	v = kzt_admit(&env->admit, &limits, &src, peer, &adm);
	if (v == KZT_ADMIT_OK) {
		KUNIT_ASSERT_LT(env->test, env->n, ARRAY_SIZE(env->held));
		env->held[env->n++] = adm;
	} else {
		/* A refusal holds nothing. */
		KUNIT_EXPECT_NULL(env->test, adm.pool);
		KUNIT_EXPECT_NULL(env->test, adm.source);
	}
	return v;
}

static unsigned int kzt_admit_buckets_sum(struct kzt_admit *admit)
{
	unsigned int i, sum = 0;

	for (i = 0; i < KZT_ADMIT_SOURCE_BUCKETS; i++)
		sum += atomic_read(&admit->per_source[i]);
	return sum;
}

static void kzt_admit_budgets_test(struct kunit *test)
{
	struct kzt_admit_env *env = kzt_admit_env(test);
	const struct in6_addr attacker = V4(192, 168, 100, 3);
	unsigned int i;

	/* One source: its share, then refused. */
	for (i = 0; i < limits.per_source; i++)
		KUNIT_EXPECT_EQ(test, kzt_admit_one(env, attacker, false), KZT_ADMIT_OK);
	KUNIT_EXPECT_EQ(test, kzt_admit_one(env, attacker, false),
			KZT_ADMIT_SOURCE_LIMIT);

	/* Other sources fill the rest of the pool, then it is full. */
	for (i = 0; atomic_read(&env->admit.others) < limits.others && i < 200; i++)
		kzt_admit_one(env, V4(10, 9, i / 100, i % 100), false);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->admit.others), limits.others);
	KUNIT_EXPECT_EQ(test, kzt_admit_buckets_sum(&env->admit), limits.others);
	for (i = 200; i < 220; i++)
		KUNIT_EXPECT_NE(test, kzt_admit_one(env, V4(10, 9, 2, i), false),
				KZT_ADMIT_OK);
	/* A refused tunnel took no slot of its source's either. */
	KUNIT_EXPECT_EQ(test, kzt_admit_buckets_sum(&env->admit), limits.others);

	/* The peer nodes' pool is untouched by all of that. */
	for (i = 0; i < limits.peers; i++)
		KUNIT_EXPECT_EQ(test, kzt_admit_one(env, V4(192, 168, 100, 1), true),
				KZT_ADMIT_OK);
	/* Only the others have a hello deadline of their own. */
	KUNIT_EXPECT_EQ(test, kzt_admit_hello_timeout_ms(&env->held[env->n - 1]), 0);
	KUNIT_EXPECT_NE(test, kzt_admit_hello_timeout_ms(&env->held[0]), 0);
	KUNIT_EXPECT_EQ(test, kzt_admit_one(env, V4(192, 168, 100, 2), true),
			KZT_ADMIT_OVERLOAD);

	/* Everything comes back, once. */
	for (i = 0; i < env->n; i++) {
		kzt_admit_release(&env->held[i]);
		kzt_admit_release(&env->held[i]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&env->admit.peers), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&env->admit.others), 0);
	KUNIT_EXPECT_EQ(test, kzt_admit_buckets_sum(&env->admit), 0);
	KUNIT_EXPECT_EQ(test, kzt_admit_one(env, attacker, false), KZT_ADMIT_OK);
}

/* 2001:db8:0:@net::/64, interface identifier @iid. */
static struct in6_addr kzt_v6(u32 net, u64 iid)
{
	return (struct in6_addr){ .s6_addr32 = {
		htonl(0x20010db8), htonl(net), htonl(iid >> 32), htonl((u32)iid) } };
}

/*
 * An IPv6 source is its /64: addresses of one /64 share its share;
 * another /64 has its own. IPv4 sources stay whole addresses.
 */
static void kzt_admit_ipv6_prefix_test(struct kunit *test)
{
	struct kzt_admit_env *env = kzt_admit_env(test);
	u64 i;

	for (i = 0; i < limits.per_source; i++)
		KUNIT_EXPECT_EQ(test, kzt_admit_one(env, kzt_v6(1, i * 0x1000001ULL + 1), false),
				KZT_ADMIT_OK);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, kzt_admit_one(env, kzt_v6(1, ~0ULL - i), false),
				KZT_ADMIT_SOURCE_LIMIT);
	/* The next /64 (and, with this key, another bucket) is served. */
	KUNIT_EXPECT_EQ(test, kzt_admit_one(env, kzt_v6(2, 1), false), KZT_ADMIT_OK);
	/* Two IPv4 addresses that differ only in their low bits do not share. */
	KUNIT_EXPECT_EQ(test, kzt_admit_one(env, V4(10, 0, 0, 1), false), KZT_ADMIT_OK);
	KUNIT_EXPECT_EQ(test, kzt_admit_one(env, V4(10, 0, 0, 2), false), KZT_ADMIT_OK);
	for (i = 0; i < env->n; i++)
		kzt_admit_release(&env->held[i]);
	KUNIT_EXPECT_EQ(test, kzt_admit_buckets_sum(&env->admit), 0);
}

static struct kunit_case kzt_admit_test_cases[] = {
	KUNIT_CASE(kzt_admit_budgets_test),
	KUNIT_CASE(kzt_admit_ipv6_prefix_test),
	{}
};

static struct kunit_suite kzt_admit_suite = {
	.name = "kzt_admit",
	.test_cases = kzt_admit_test_cases,
};

kunit_test_suite(kzt_admit_suite);
