// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl workload add | del | list | show: the workload table of this
 * netns (address -> identity and location).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "kztctl.h"

static void workload_usage(FILE *f)
{
	fprintf(f, "Usage: %s workload add ADDR id SPIFFE_ID (node NODE_ADDR | dev IFNAME)\n"
		   "                          [protocol kzt|plaintext|refused] [replace]\n"
		   "       %s workload del ADDR\n"
		   "       %s [-j] workload list\n"
		   "       %s [-j] workload show [ADDR]\n\n"
		   "  ADDR            the workload's IPv4 or IPv6 address (the key)\n"
		   "  id SPIFFE_ID    spiffe://TD/ns/NS/sa/SA; optional for plaintext, refused\n"
		   "  node NODE_ADDR  a remote workload: the underlay address of its node\n"
		   "  dev IFNAME      a local workload: the node-side interface of its pod\n"
		   "  protocol        kzt (default: reached through kzt/1), plaintext, or\n"
		   "                  refused (in the mesh, but every flow to it is reset)\n"
		   "  replace         replace the workload of ADDR if there is one\n",
		prog, prog, prog, prog);
}

static int text_row(struct kztctl_table *t, const struct kzt_workload *w)
{
	char a[KZT_ADDR_STRLEN], where[KZT_ADDR_STRLEN + 32];
	char ifname[IF_NAMESIZE];
	const char *cells[4];

	if (w->has_node)
		snprintf(where, sizeof(where), "node %s",
			 kzt_addr_str(&w->node, a, sizeof(a)));
	else if (if_indextoname(w->ifindex, ifname))
		snprintf(where, sizeof(where), "dev %s", ifname);
	else
		snprintf(where, sizeof(where), "ifindex %u", w->ifindex);
	cells[0] = kzt_addr_str(&w->addr, a, sizeof(a));
	cells[1] = w->id;
	cells[2] = kzt_proto_name(w->protocol);
	cells[3] = where;
	return kztctl_table_add(t, cells);
}

static int print_list(const struct kzt_workloads *list)
{
	static const char *const head[] = {
		"ADDRESS", "IDENTITY", "PROTOCOL", "LOCATION",
	};
	struct kztctl_table *t;
	struct kzt_json j;
	int ret = 0;

	if (kztctl_opts.json) {
		kzt_json_init(&j, stdout);
		kzt_json_object_begin(&j, NULL);
		kzt_json_array_begin(&j, "workloads");
		for (size_t i = 0; i < list->n; i++)
			kztctl_json_workload(&j, &list->v[i]);
		kzt_json_array_end(&j);
		kzt_json_object_end(&j);
		return kzt_json_finish(&j);
	}
	t = kztctl_table_new(4, head);
	if (!t)
		return ENOMEM;
	for (size_t i = 0; i < list->n && !ret; i++)
		ret = text_row(t, &list->v[i]);
	return kztctl_table_done(t, ret);
}

static int print_one(const struct kzt_workload *w)
{
	struct kzt_workloads one = { .v = (struct kzt_workload *)w, .n = 1 };
	struct kzt_json j;

	if (!kztctl_opts.json)
		return print_list(&one);
	kzt_json_init(&j, stdout);
	kztctl_json_workload(&j, w);
	return kzt_json_finish(&j);
}

static int workload_show(int argc, char *argv[])
{
	const char *what = "show the workloads";
	struct kzt_workloads list;
	struct kzt_workload w;
	struct in6_addr addr;
	struct kzt_nl_err err;
	struct kzt_client c;
	int ret;

	if (argc > 2)
		return kztctl_usage_error(workload_usage, "%s takes one address at most",
					  argv[0]);
	if (argc == 2 && kzt_addr_parse(argv[1], &addr))
		return kztctl_usage_error(NULL, "workload %s: invalid address '%s': not an IP address",
					  argv[0], argv[1]);
	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	if (argc == 2) {
		what = "show the workload";
		ret = kzt_workload_get(&c, &addr, &w, &err);
		kzt_client_close(&c);
		if (ret)
			return kztctl_fail(what, ret, &err);
		ret = print_one(&w);
		kzt_workload_free(&w);
	} else {
		ret = kzt_workload_dump(&c, &list, &err);
		kzt_client_close(&c);
		if (ret)
			return kztctl_fail(what, ret, &err);
		ret = print_list(&list);
		kzt_workloads_free(&list);
	}
	return ret ? kztctl_fail(what, ret, NULL) : KZTCTL_EXIT_OK;
}

static int workload_add(int argc, char *argv[])
{
	const char *what = "add the workload";
	struct kzt_add_opts opts = { 0 };
	char ifname[IF_NAMESIZE], msg[512];
	struct kzt_workload w;
	struct kzt_nl_err err;
	struct kzt_client c;
	int ret;

	ret = kztctl_parse_workload_add(argc - 1, argv + 1, &w, ifname,
					&opts.replace, msg, sizeof(msg));
	if (ret == ENOMEM)
		return kztctl_fail(what, ret, NULL);
	if (ret)
		return kztctl_usage_error(workload_usage, "workload add: %s", msg);
	if (ifname[0]) {
		w.ifindex = if_nametoindex(ifname);
		if (!w.ifindex) {
			kzt_workload_free(&w);
			return kztctl_usage_error(NULL,
						  "workload add: invalid dev '%s': no such interface",
						  ifname);
		}
	}
	ret = kztctl_open(&c, what);
	if (!ret) {
		ret = kzt_workload_add(&c, &w, &opts, &err);
		kzt_client_close(&c);
		if (ret)
			ret = kztctl_fail(what, ret, &err);
	}
	kzt_workload_free(&w);
	return ret;
}

static int workload_del(int argc, char *argv[])
{
	const char *what = "delete the workload";
	struct in6_addr addr;
	struct kzt_nl_err err;
	struct kzt_client c;
	int ret;

	if (argc != 2)
		return kztctl_usage_error(workload_usage, "workload del needs one address");
	if (kzt_addr_parse(argv[1], &addr))
		return kztctl_usage_error(NULL, "workload del: invalid address '%s': not an IP address",
					  argv[1]);
	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	ret = kzt_workload_del(&c, &addr, &err);
	kzt_client_close(&c);
	return ret ? kztctl_fail(what, ret, &err) : KZTCTL_EXIT_OK;
}

int workload_main(int argc, char *argv[])
{
	if (argc == 1)
		return workload_show(argc, argv);
	if (kztctl_is_help(argv[1]) || (argc > 2 && kztctl_is_help(argv[2]))) {
		workload_usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "list")) {
		if (argc > 2)
			return kztctl_usage_error(workload_usage,
						  "workload list takes no arguments");
		return workload_show(1, argv + 1);
	}
	if (!strcmp(argv[1], "show"))
		return workload_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "add"))
		return workload_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return workload_del(argc - 1, argv + 1);
	return kztctl_usage_error(workload_usage, "unknown workload command '%s'",
				  argv[1]);
}
