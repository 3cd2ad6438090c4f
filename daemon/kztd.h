/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kztd: the node daemon. For now it owns the node configuration: it applies
 * its config file to the kernel and logs every change the kernel reports.
 */
#ifndef KZTD_H
#define KZTD_H

#include <stdbool.h>

#include "conf.h"
#include "kztnl.h"
#include "log.h"

struct kztd {
	const char *conf_path;
	bool conf_path_given;		/* -c: a missing file is an error */
	bool verbose;			/* -v: debug, whatever log_level says */
	struct kzt_conf conf;		/* the file as last loaded */
	struct kzt_client client;	/* requests */
	struct kzt_nl *events;		/* kzt "config" and nlctrl "notify" */
	uint32_t config_group;		/* kzt's "config" group id */
	bool kzt_gone;			/* the module was unloaded */
	int signal_fd;
};

/* config.c */
int kztd_conf_load(const struct kztd *d, struct kzt_conf *conf);
void kztd_conf_use_log_level(const struct kztd *d, const struct kzt_conf *conf);
int kztd_conf_apply(struct kztd *d, const struct kzt_conf *conf);
int kztd_config_log(struct kztd *d, const char *what);
void kztd_reload(struct kztd *d);

/* events.c */
int kztd_events_open(struct kztd *d);
int kztd_events_read(struct kztd *d);

/* loop.c */
int kztd_signals_block(struct kztd *d);
int kztd_loop(struct kztd *d);

#endif /* KZTD_H */
