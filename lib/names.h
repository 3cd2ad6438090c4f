/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of the names and identities an operator writes, shared by
 * kztctl's command line and apply files. Each returns NULL when the value
 * is fine, else what is wrong with it, for "<field>: <what>" messages.
 */
#ifndef KZT_NAMES_H
#define KZT_NAMES_H

const char *kzt_spiffe_id_check(const char *s);
const char *kzt_workload_id_check(const char *s);
const char *kzt_trust_domain_str_check(const char *s);
const char *kzt_namespace_check(const char *s);
const char *kzt_ns_match_check(const char *s);
const char *kzt_principal_check(const char *s);
const char *kzt_service_account_check(const char *s);
const char *kzt_policy_name_check(const char *s);

#endif /* KZT_NAMES_H */
