// SPDX-License-Identifier: GPL-2.0
/*
 * kzt: sidecarless service-mesh data plane. Module init and exit only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include <linux/kzt.h>

#include "capture.h"
#include "flow.h"
#include "handshake.h"
#include "kzt.h"
#include "recheck.h"
#include "version.h"

static int __init kzt_init(void)
{
	int err;

	/* ORDER: pernet exit frees snapshots through the tables workqueue. */
	err = kzt_tables_module_init();
	if (err)
		return err;

	/* ORDER: pernet exit waits for handshake deadlines on their queue. */
	err = kzt_handshake_module_init();
	if (err)
		goto out_tables_exit;

	/* ORDER: pernet exit waits for flows that run on the flow workqueue. */
	err = kzt_flow_module_init();
	if (err)
		goto out_handshake_exit;

	/* ORDER: netlink handlers use the pernet state, so it comes first. */
	err = kzt_pernet_register();
	if (err)
		goto out_flow_exit;

	err = kzt_txn_notifier_register();
	if (err)
		goto out_unregister_pernet;

	/* ORDER: after the pernet state, which its events reach. */
	err = kzt_recheck_module_init();
	if (err)
		goto out_unregister_notifier;

	err = kzt_genl_register();
	if (err)
		goto out_recheck_exit;

	pr_info("version " KZT_VERSION " loaded\n");
	return 0;

out_recheck_exit:
	kzt_recheck_module_exit();
out_unregister_notifier:
	kzt_txn_notifier_unregister();
out_unregister_pernet:
	kzt_pernet_unregister();
out_flow_exit:
	kzt_flow_module_exit();
out_handshake_exit:
	kzt_handshake_module_exit();
out_tables_exit:
	kzt_tables_module_exit();
	return err;
}

static void __exit kzt_exit(void)
{
	kzt_genl_unregister();
	kzt_recheck_module_exit();
	kzt_txn_notifier_unregister();
	kzt_pernet_unregister();
	kzt_flow_module_exit();
	kzt_handshake_module_exit();
	kzt_tables_module_exit();
}

module_init(kzt_init);
module_exit(kzt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kzt: in-kernel zero-trust service-mesh data plane");
MODULE_VERSION(KZT_VERSION);
MODULE_ALIAS_GENL_FAMILY(KZT_GENL_NAME);
/*
 * kzt calls nothing in tls.ko (TCP_ULP "tls" reaches it), so no symbol
 * dependency loads it: modprobe does with this. Without it (insmod), the
 * TCP_ULP setsockopt still autoloads it, as the daemon that sends DONE has
 * CAP_NET_ADMIN; failing that, DONE says "load the tls module".
 */
MODULE_SOFTDEP("pre: tls");
