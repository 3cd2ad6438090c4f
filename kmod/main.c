// SPDX-License-Identifier: GPL-2.0
/*
 * kzt: sidecarless service-mesh data plane. Module init and exit only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include <linux/kzt.h>

#include "kzt.h"
#include "version.h"

static int __init kzt_init(void)
{
	int err;

	/* ORDER: netlink handlers use the pernet state, so it comes first. */
	err = kzt_pernet_register();
	if (err)
		return err;

	err = kzt_genl_register();
	if (err)
		goto out_unregister_pernet;

	pr_info("version " KZT_VERSION " loaded\n");
	return 0;

out_unregister_pernet:
	kzt_pernet_unregister();
	return err;
}

static void __exit kzt_exit(void)
{
	kzt_genl_unregister();
	kzt_pernet_unregister();
}

module_init(kzt_init);
module_exit(kzt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kzt: in-kernel zero-trust service-mesh data plane");
MODULE_VERSION(KZT_VERSION);
MODULE_ALIAS_GENL_FAMILY(KZT_GENL_NAME);
