// SPDX-License-Identifier: GPL-2.0
/*
 * lib/kztnl_handshake.c: ACCEPT replies read (and their descriptor never
 * leaked when they are malformed), DONE messages built with exactly the
 * attributes include/uapi/linux/kzt.h asks for.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kztnl.h"
#include "tls13.h"

#define CID "spiffe://cluster.local/ns/a/sa/client"
#define SID "spiffe://cluster.local/ns/b/sa/server"

static struct nl_msg *reply(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, 42, 0, 0, cmd, 1));
	return msg;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void test_accept_client(void **state)
{
	struct nl_msg *msg = reply(KZT_CMD_HANDSHAKE_ACCEPT);
	struct in6_addr a = { .s6_addr = { [10] = 0xff, [11] = 0xff, 10, 1, 0, 2 } };
	struct kzt_hs_request req;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)state;
	nla_put_u32(msg, KZT_HS_A_ID, 7);
	nla_put_u32(msg, KZT_HS_A_FD, fd);
	nla_put_u8(msg, KZT_HS_A_ROLE, KZT_HS_ROLE_CLIENT);
	nla_put_string(msg, KZT_HS_A_LOCAL_ID, CID);
	nla_put_string(msg, KZT_HS_A_PEER_ID, SID);
	nla_put(msg, KZT_HS_A_DST_ADDR, 16, &a);
	nla_put_u32(msg, KZT_HS_A_TIMEOUT_MS, 9500);
	assert_int_equal(kzt_hs_request_from_msg(nlmsg_hdr(msg), &req), 0);
	assert_int_equal(req.id, 7);
	assert_int_equal(req.fd, fd);
	assert_int_equal(req.role, KZT_HS_ROLE_CLIENT);
	assert_string_equal(req.local_id, CID);
	assert_string_equal(req.peer_id, SID);
	assert_true(req.has_dst_addr);
	assert_memory_equal(&req.dst_addr, &a, 16);
	assert_int_equal(req.timeout_ms, 9500);
	assert_true(fd_open(fd));
	close(fd);
	nlmsg_free(msg);
}

/* A server request has no identities: the server name picks one. */
static void test_accept_server(void **state)
{
	struct nl_msg *msg = reply(KZT_CMD_HANDSHAKE_ACCEPT);
	struct kzt_hs_request req;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)state;
	nla_put_u32(msg, KZT_HS_A_ID, 8);
	nla_put_u32(msg, KZT_HS_A_FD, fd);
	nla_put_u8(msg, KZT_HS_A_ROLE, KZT_HS_ROLE_SERVER);
	nla_put_u32(msg, KZT_HS_A_TIMEOUT_MS, 100);
	assert_int_equal(kzt_hs_request_from_msg(nlmsg_hdr(msg), &req), 0);
	assert_int_equal(req.role, KZT_HS_ROLE_SERVER);
	assert_string_equal(req.local_id, "");
	close(fd);
	nlmsg_free(msg);
}

/* Each malformed reply: EBADMSG, and the descriptor it carried closed. */
static void test_accept_malformed(void **state)
{
	enum { NO_ID, NO_TIMEOUT, BAD_ROLE, CLIENT_NO_PEER, CLIENT_NO_DST, N };

	(void)state;
	for (int i = 0; i < N; i++) {
		struct nl_msg *msg = reply(KZT_CMD_HANDSHAKE_ACCEPT);
		struct kzt_hs_request req;
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		bool client = i == CLIENT_NO_PEER || i == CLIENT_NO_DST;
		struct in6_addr a = { 0 };

		if (i != NO_ID)
			nla_put_u32(msg, KZT_HS_A_ID, 9);
		nla_put_u32(msg, KZT_HS_A_FD, fd);
		nla_put_u8(msg, KZT_HS_A_ROLE, i == BAD_ROLE ? 3 :
			   client ? KZT_HS_ROLE_CLIENT : KZT_HS_ROLE_SERVER);
		if (i != NO_TIMEOUT)
			nla_put_u32(msg, KZT_HS_A_TIMEOUT_MS, 100);
		if (client) {
			nla_put_string(msg, KZT_HS_A_LOCAL_ID, CID);
			if (i != CLIENT_NO_PEER)
				nla_put_string(msg, KZT_HS_A_PEER_ID, SID);
			if (i != CLIENT_NO_DST)
				nla_put(msg, KZT_HS_A_DST_ADDR, 16, &a);
		}
		assert_int_equal(kzt_hs_request_from_msg(nlmsg_hdr(msg), &req),
				 EBADMSG);
		assert_int_equal(req.fd, -1);
		if (fd_open(fd))
			fail_msg("case %d: the descriptor was leaked", i);
		if (i != NO_ID)
			assert_int_equal(req.id, 9);
		nlmsg_free(msg);
	}
}

static void test_done_success(void **state)
{
	const struct kzt_tls_cipher *c = kzt_tls_cipher_by_name("aes256");
	struct kzt_tls_keys k = { .cipher = c };
	struct kzt_hs_result res = {
		.id = 5, .fd = 7, .keys = &k, .peer_id = SID, .local_id = CID,
	};
	struct nl_msg *msg = reply(KZT_CMD_HANDSHAKE_DONE);
	struct nlattr *tb[KZT_HS_A_MAX + 1];

	(void)state;
	memset(k.tx.key, 0x11, sizeof(k.tx.key));
	memset(k.rx.key, 0x22, sizeof(k.rx.key));
	memset(k.tx.iv, 0x33, sizeof(k.tx.iv));
	memset(k.rx.iv, 0x44, sizeof(k.rx.iv));
	k.rx.seq = 3;
	assert_int_equal(kzt_hs_result_put(msg, &res), 0);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(msg), 0, tb, KZT_HS_A_MAX, NULL), 0);
	assert_int_equal(nla_get_u32(tb[KZT_HS_A_ID]), 5);
	assert_int_equal((int)nla_get_u32(tb[KZT_HS_A_FD]), 7);
	assert_int_equal(nla_get_u32(tb[KZT_HS_A_STATUS]), 0);
	assert_int_equal(nla_get_u16(tb[KZT_HS_A_CIPHER]), c->kernel);
	assert_int_equal(nla_len(tb[KZT_HS_A_TX_KEY]), 32);
	assert_memory_equal(nla_data(tb[KZT_HS_A_TX_KEY]), k.tx.key, 32);
	assert_memory_equal(nla_data(tb[KZT_HS_A_RX_KEY]), k.rx.key, 32);
	assert_int_equal(nla_len(tb[KZT_HS_A_TX_IV]), 12);
	assert_memory_equal(nla_data(tb[KZT_HS_A_RX_IV]), k.rx.iv, 12);
	assert_int_equal(nla_get_u64(tb[KZT_HS_A_TX_SEQ]), 0);
	assert_int_equal(nla_get_u64(tb[KZT_HS_A_RX_SEQ]), 3);
	assert_string_equal(nla_get_string(tb[KZT_HS_A_PEER_ID]), SID);
	assert_string_equal(nla_get_string(tb[KZT_HS_A_LOCAL_ID]), CID);
	nlmsg_free(msg);

	/* AES-128: 16-byte keys, never the whole buffer. */
	k.cipher = kzt_tls_cipher_by_name("aes128");
	msg = reply(KZT_CMD_HANDSHAKE_DONE);
	assert_int_equal(kzt_hs_result_put(msg, &res), 0);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(msg), 0, tb, KZT_HS_A_MAX, NULL), 0);
	assert_int_equal(nla_len(tb[KZT_HS_A_TX_KEY]), 16);
	nlmsg_free(msg);

	res.keys = NULL;	/* success without keys: refused */
	msg = reply(KZT_CMD_HANDSHAKE_DONE);
	assert_int_equal(kzt_hs_result_put(msg, &res), EINVAL);
	nlmsg_free(msg);
}

static void test_done_failure(void **state)
{
	struct kzt_hs_result res = { .id = 6, .fd = 0, .status = EACCES };
	struct nl_msg *msg = reply(KZT_CMD_HANDSHAKE_DONE);
	struct nlattr *tb[KZT_HS_A_MAX + 1];

	(void)state;
	assert_int_equal(kzt_hs_result_put(msg, &res), 0);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(msg), 0, tb, KZT_HS_A_MAX, NULL), 0);
	assert_int_equal(nla_get_u32(tb[KZT_HS_A_STATUS]), EACCES);
	for (int t = KZT_HS_A_CIPHER; t <= KZT_HS_A_RX_SEQ; t++)
		assert_null(tb[t]);
	assert_null(tb[KZT_HS_A_PEER_ID]);
	assert_int_equal((int)nla_get_u32(tb[KZT_HS_A_FD]), 0);
	nlmsg_free(msg);

	/* No descriptor: the kernel would refuse it, so it is not sent. */
	res.fd = -1;
	msg = reply(KZT_CMD_HANDSHAKE_DONE);
	assert_int_equal(kzt_hs_result_put(msg, &res), EINVAL);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_client),
		cmocka_unit_test(test_accept_server),
		cmocka_unit_test(test_accept_malformed),
		cmocka_unit_test(test_done_success),
		cmocka_unit_test(test_done_failure),
	};

	return cmocka_run_group_tests_name("hs_nl", tests, NULL, NULL);
}
