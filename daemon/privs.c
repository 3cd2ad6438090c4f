// SPDX-License-Identifier: GPL-2.0
/*
 * kztd's privileges. From its first instruction kztd is not dumpable: it
 * holds private keys and TLS secrets, and no core file, ptrace by an
 * unprivileged process of the same uid or /proc/PID/mem read may expose
 * them. Once started (netlink sockets open, configuration applied, keys
 * and key log open) it keeps one capability, CAP_NET_ADMIN, which every
 * kzt netlink request it makes later needs, and gives up the rest, for
 * good: the bounding set and the ambient set lose them too, and
 * no_new_privs stops any exec from regaining any.
 *
 * What this leaves: reloads read the configuration and the certificate
 * directory with the file permissions of kztd's uid alone (no
 * CAP_DAC_OVERRIDE), so those files must belong to that uid, as the
 * defaults (root, 0600 keys) do.
 *
 * Raw capget/capset, not libcap: two system calls do not need a library.
 */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kztd.h"

#define CAP_BIT(c)	(1ULL << (c))
#define KZTD_CAPS_KEPT	CAP_BIT(CAP_NET_ADMIN)

struct caps {
	uint64_t eff, prm, inh;
};

static int caps_get(struct caps *c)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return errno;
	c->eff = data[0].effective | (uint64_t)data[1].effective << 32;
	c->prm = data[0].permitted | (uint64_t)data[1].permitted << 32;
	c->inh = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	return 0;
}

static int caps_set(const struct caps *c)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {
		{ (uint32_t)c->eff, (uint32_t)c->prm, (uint32_t)c->inh },
		{ c->eff >> 32, c->prm >> 32, c->inh >> 32 },
	};

	return syscall(SYS_capset, &hdr, data) ? errno : 0;
}

/**
 * kztd_privs_undumpable() - keep kztd's memory out of core files and ptrace
 *
 * Called first thing in main(), before any secret is read.
 *
 * @retval 0     done
 * @retval other errno of prctl()
 */
int kztd_privs_undumpable(void)
{
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) ? errno : 0;
}

/**
 * kztd_privs_drop() - keep CAP_NET_ADMIN only, for the rest of kztd's life
 *
 * The bounding set is emptied but for CAP_NET_ADMIN when kztd may
 * (CAP_SETPCAP; under systemd, CapabilityBoundingSet= did it already),
 * the ambient and inheritable sets entirely, the permitted and effective
 * sets to CAP_NET_ADMIN if kztd had it; then no_new_privs is set.
 *
 * @retval 0     only CAP_NET_ADMIN (or nothing) is left
 * @retval other errno of the call that failed (logged); kztd must stop
 */
int kztd_privs_drop(void)
{
	struct caps c = { 0 };
	int ret;

	ret = caps_get(&c);
	if (ret)
		goto out_err;
	if (c.eff & CAP_BIT(CAP_SETPCAP)) {
		/* Up to the kernel's last capability: it says EINVAL after. */
		for (int cap = 0; cap < 64; cap++) {
			if (CAP_BIT(cap) & KZTD_CAPS_KEPT)
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
				if (errno == EINVAL)
					break;
				ret = errno;
				goto out_err;
			}
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL) {
		ret = errno;
		goto out_err;
	}
	c.prm &= KZTD_CAPS_KEPT;
	c.eff = c.prm;
	c.inh = 0;
	ret = caps_set(&c);
	if (ret)
		goto out_err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		ret = errno;
		goto out_err;
	}
	if (c.prm)
		log_info("privileges dropped: only CAP_NET_ADMIN is left");
	else
		log_warn("privileges dropped: CAP_NET_ADMIN was not granted, kzt requests will be refused");
	return 0;

out_err:
	log_err("Unable to drop privileges: %s", strerror(ret));
	return ret;
}
