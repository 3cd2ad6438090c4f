/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kzt: sidecarless service-mesh data plane - generic netlink interface.
 *
 * Family "kzt", version KZT_GENL_VERSION. The family is per network
 * namespace (netnsok): each node netns has its own state, and a command acts
 * on the netns of the socket that sends it. Every command needs
 * CAP_NET_ADMIN in the initial user namespace (GENL_ADMIN_PERM). Errors come
 * back as a negative errno with an extended ack message naming the field at
 * fault (and its offset); unknown attributes, repeated single attributes
 * and unknown flag bits are rejected (strict validation).
 *
 * This header and Documentation/netlink/specs/kzt.yaml describe the same
 * family; tests/spec/check-spec.py fails when they disagree. The policy
 * semantics are in Documentation/policy.rst.
 *
 * Addresses. Every IP address is 16 bytes in network order: an IPv6
 * address, or an IPv4 address in its IPv4-mapped form ::ffff:a.b.c.d. An IP
 * block (KZT_CIDR_A_*) is such an address plus a prefix length over all 128
 * bits, so the IPv4 block 10.0.0.0/8 is ::ffff:10.0.0.0/104. Host bits
 * below the prefix must be zero.
 *
 * Strings are NUL-terminated; the *_MAX lengths below exclude the NUL.
 *
 * ---- Node configuration ----
 *
 * KZT_CMD_CONFIG_GET - read the node configuration of the caller's netns.
 *   request:  (no attributes)
 *   reply:    KZT_CMD_CONFIG_GET
 *               KZT_CONFIG_A_TUNNEL_PORT   u16
 *               KZT_CONFIG_A_CAPTURE       u8
 *               KZT_CONFIG_A_TRUST_DOMAIN  string
 *               KZT_CONFIG_A_NONMESH       u8, enum kzt_nonmesh
 *               KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS  u32
 *               KZT_CONFIG_A_IDLE_TIMEOUT_S        u32
 *               KZT_CONFIG_A_KEEPALIVE_IDLE_S      u32
 *               KZT_CONFIG_A_KEEPALIVE_INTERVAL_S  u32
 *               KZT_CONFIG_A_KEEPALIVE_PROBES      u8
 *               KZT_CONFIG_A_FLOW_STATS_INTERVAL_S u32
 *
 * KZT_CMD_CONFIG_SET - change the node configuration. Every attribute is
 *   optional, at least one must be given; an attribute left out keeps its
 *   value. Either the whole request is applied or nothing is.
 *   request:  KZT_CMD_CONFIG_SET
 *               KZT_CONFIG_A_TUNNEL_PORT   u16, 1..65535; the TCP port of
 *                                          this node's tunnel listener
 *                                          (default KZT_DEFAULT_TUNNEL_PORT)
 *               KZT_CONFIG_A_CAPTURE       u8, 0 or 1; whether kzt captures
 *                                          the TCP flows of enrolled
 *                                          workloads (default 0)
 *               KZT_CONFIG_A_TRUST_DOMAIN  string, a SPIFFE trust domain
 *                                          (lower-case letters, digits,
 *                                          '.', '-', '_'; at most
 *                                          KZT_TRUST_DOMAIN_MAX bytes;
 *                                          default KZT_DEFAULT_TRUST_DOMAIN)
 *               KZT_CONFIG_A_NONMESH       u8, enum kzt_nonmesh: what
 *                                          happens to flows between a
 *                                          local workload and a peer that
 *                                          does not speak kzt/1 (default
 *                                          KZT_NONMESH_DENY)
 *               KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS  u32, 100..600000; how
 *                                          long a tunnel may take from
 *                                          connect to the end of its
 *                                          handshake before the flow
 *                                          fails closed (default
 *                                          KZT_DEFAULT_HANDSHAKE_TIMEOUT_MS)
 *               KZT_CONFIG_A_IDLE_TIMEOUT_S  u32, 0..604800; a flow with
 *                                          no byte either way for this
 *                                          long is reset on both sides;
 *                                          0: never (default
 *                                          KZT_DEFAULT_IDLE_TIMEOUT_S)
 *               KZT_CONFIG_A_KEEPALIVE_IDLE_S  u32, 0..32767; TCP
 *                                          keepalive of every tunnel
 *                                          socket: seconds without a
 *                                          segment before the first
 *                                          probe; 0: no keepalive
 *                                          (default
 *                                          KZT_DEFAULT_KEEPALIVE_IDLE_S)
 *               KZT_CONFIG_A_KEEPALIVE_INTERVAL_S  u32, 1..32767;
 *                                          seconds between probes
 *                                          (default
 *                                          KZT_DEFAULT_KEEPALIVE_INTERVAL_S)
 *               KZT_CONFIG_A_KEEPALIVE_PROBES  u8, 1..127; probes
 *                                          unanswered before the tunnel
 *                                          is dead and its flow reset
 *                                          (default
 *                                          KZT_DEFAULT_KEEPALIVE_PROBES)
 *               KZT_CONFIG_A_FLOW_STATS_INTERVAL_S  u32, 0..86400;
 *                                          seconds between two
 *                                          KZT_CMD_FLOW_STATS of a live
 *                                          flow; 0: none (default
 *                                          KZT_DEFAULT_FLOW_STATS_INTERVAL_S)
 *             The keepalive values apply to tunnels opened or accepted
 *             after the change; a live tunnel keeps those it began with.
 *   reply:    none (ack)
 *
 * KZT_CMD_CONFIG_NTF - multicast on group KZT_MCGRP_CONFIG after every
 *   successful KZT_CMD_CONFIG_SET, with the full new configuration (same
 *   attributes as the KZT_CMD_CONFIG_GET reply). Subscribing to the group
 *   needs CAP_NET_ADMIN over the netns.
 *
 * ---- Workloads: IP address -> identity and location ----
 *
 * The workload table of a node maps an address to the workload that owns
 * it. An address is the key: one workload with two addresses is two
 * entries with the same identity.
 *
 * KZT_CMD_WORKLOAD_ADD - add a workload, or replace one with
 *   KZT_WORKLOAD_F_REPLACE.
 *   request:  KZT_CMD_WORKLOAD_ADD
 *               KZT_WORKLOAD_A_ADDR      binary[16], required; the key
 *               KZT_WORKLOAD_A_ID        string, the SPIFFE ID
 *                                        spiffe://<td>/ns/<ns>/sa/<sa>;
 *                                        required unless the protocol is
 *                                        KZT_PROTO_PLAINTEXT or
 *                                        KZT_PROTO_REFUSED
 *               KZT_WORKLOAD_A_PROTOCOL  u8, enum kzt_proto (default
 *                                        KZT_PROTO_KZT1). KZT_PROTO_REFUSED:
 *                                        a mesh workload kzt cannot reach
 *                                        the way the control plane asks
 *                                        (a waypoint): a flow from an
 *                                        enrolled pod to it is reset and
 *                                        counted KZT_STATS_A_REFUSED_WORKLOAD
 *                                        whatever the nonmesh mode, and so
 *                                        is any flow into a local one; its
 *                                        ID is optional
 *               KZT_WORKLOAD_A_NODE      binary[16], underlay address of
 *                                        the node hosting the workload;
 *                                        required for a remote workload.
 *                                        The workload's own ADDR means
 *                                        "dial the workload's address":
 *                                        its node takes the tunnel from
 *                                        the underlay, and any node with
 *                                        the workload's identity may
 *                                        speak for it (protocol.rst)
 *               KZT_WORKLOAD_A_IFINDEX   u32, for a workload on this node:
 *                                        the node-side interface of its pod
 *                                        (in this netns); its address is
 *                                        believed on that interface only
 *               KZT_WORKLOAD_A_FLAGS     u32, KZT_WORKLOAD_F_*
 *               KZT_WORKLOAD_A_TXN       u32, stage the workload in the open
 *                                        transaction with this id instead
 *                                        of changing the live table
 *   Exactly one of NODE (remote) and IFINDEX (local) is given.
 *   errors:   -EEXIST the address is taken and no REPLACE flag;
 *             -ENODEV no interface IFINDEX in this netns;
 *             -ENOSPC the table holds KZT_WORKLOADS_MAX entries;
 *             -ENOENT no open transaction TXN of the caller.
 *
 * KZT_CMD_WORKLOAD_DEL - remove the workload of an address.
 *   request:  KZT_WORKLOAD_A_ADDR        binary[16], required
 *             KZT_WORKLOAD_A_TXN         u32, remove it from the staging
 *                                        table of this open transaction
 *                                        instead of the live table
 *   errors:   -ENOENT no such workload (in the table the request acts on),
 *             or no open transaction TXN of the caller.
 *
 * KZT_CMD_WORKLOAD_GET - do: one workload by KZT_WORKLOAD_A_ADDR; dump:
 *   every workload, one message each, in no particular order.
 *   reply:    KZT_WORKLOAD_A_ADDR, _ID (absent for a plaintext workload
 *             without one), _PROTOCOL, _NODE or _IFINDEX.
 *   A dump that races with a change is flagged NLM_F_DUMP_INTR; start it
 *   again for a consistent view.
 *
 * ---- Authorization policies (Istio AuthorizationPolicy, L4 subset) ----
 *
 * KZT_CMD_POLICY_ADD - add a policy, or replace one of the same name with
 *   KZT_POLICY_F_REPLACE.
 *   request:  KZT_CMD_POLICY_ADD
 *               KZT_POLICY_A_NAME        string, required, unique per node,
 *                                        1..KZT_POLICY_NAME_MAX bytes
 *               KZT_POLICY_A_ACTION      u8, enum kzt_action, required
 *               KZT_POLICY_A_SCOPE       u8, enum kzt_scope, required
 *               KZT_POLICY_A_NAMESPACE   string, the namespace of a
 *                                        KZT_SCOPE_NAMESPACE policy (and
 *                                        only there)
 *               KZT_POLICY_A_SCOPE_ID    string, repeated 1..
 *                                        KZT_SCOPE_IDS_MAX times: the SPIFFE
 *                                        IDs a KZT_SCOPE_WORKLOADS policy
 *                                        applies to (and only there)
 *               KZT_POLICY_A_SCOPE_ADDR  binary[16], repeated 1..
 *                                        KZT_SCOPE_IDS_MAX times: the
 *                                        workload addresses a
 *                                        KZT_SCOPE_ADDRESSES policy applies
 *                                        to (and only there): a flow whose
 *                                        destination address is one of them
 *                                        (Istio's WORKLOAD_SELECTOR scope,
 *                                        resolved to the selected pods)
 *               KZT_POLICY_A_RULE        nest, repeated 0..
 *                                        KZT_POLICY_RULES_MAX times
 *                 KZT_RULE_A_CLAUSE          nest, repeated 0..
 *                                            KZT_RULE_CLAUSES_MAX times
 *                   KZT_CLAUSE_A_MATCH         nest, repeated 0..
 *                                              KZT_CLAUSE_MATCHES_MAX times
 *                     KZT_MATCH_A_*              the fields, as below
 *                 or, the short form of one clause of one match, the
 *                 fields directly (never both in one rule):
 *                 KZT_RULE_A_PRINCIPAL       string, repeated
 *                 KZT_RULE_A_NOT_PRINCIPAL   string, repeated
 *                 KZT_RULE_A_NAMESPACE       string, repeated
 *                 KZT_RULE_A_NOT_NAMESPACE   string, repeated
 *                 KZT_RULE_A_IP_BLOCK        nest, repeated: the source
 *                   KZT_CIDR_A_ADDR            binary[16], required
 *                   KZT_CIDR_A_PREFIX_LEN      u8, 0..128, required
 *                 KZT_RULE_A_NOT_IP_BLOCK    nest, repeated, as IP_BLOCK
 *                 KZT_RULE_A_PORT            u16, 1..65535, repeated
 *                 KZT_RULE_A_NOT_PORT        u16, 1..65535, repeated
 *                 KZT_RULE_A_DESTINATION_IP  nest, repeated, as IP_BLOCK:
 *                                            the destination address
 *                 KZT_RULE_A_NOT_DESTINATION_IP  nest, repeated, as IP_BLOCK
 *                 KZT_RULE_A_SERVICE_ACCOUNT string "NS/SA", repeated
 *                 KZT_RULE_A_NOT_SERVICE_ACCOUNT  string "NS/SA", repeated
 *               KZT_POLICY_A_FLAGS       u32, KZT_POLICY_F_*
 *               KZT_POLICY_A_TXN         u32, stage in transaction TXN
 *               KZT_POLICY_A_DRY_RUN     flag: the policy is decided and
 *                                        counted but never enforced (Istio's
 *                                        dry-run); see below
 *   The grammar is Istio's (istio.security.Authorization, as ztunnel
 *   enforces it): a policy matches when one of its rules does; a rule when
 *   each of its clauses does; a clause when one of its matches does; a
 *   match when each field it has does; a field when one of its values does
 *   (a not-field: when none does). A policy without rules matches nothing;
 *   a rule without clauses (an empty RULE nest) and a clause without
 *   matches match all; a match without fields matches nothing. Each field
 *   of a match holds at most KZT_RULE_VALUES_MAX values. A policy is always
 *   sent whole in one message: its attributes (as a GET reply carries
 *   them) take at most KZT_POLICY_SIZE_MAX bytes, else -EMSGSIZE; that
 *   bounds the rules (KZT_POLICY_RULES_MAX is what it allows) and every
 *   other count. Replies give each rule in the form it was added in.
 *   Principals are SPIFFE IDs without the "spiffe://" scheme, as in Istio
 *   ("cluster.local/ns/default/sa/web"), matched exactly, as a prefix
 *   (a trailing '*': "cluster.local/ns/default/..." then '*'), as a suffix
 *   (a leading '*') or as "*" alone (any authenticated peer); namespaces
 *   likewise. A service account "NS/SA" matches a peer whose ID is
 *   spiffe://<any trust domain>/ns/NS/sa/SA, exactly.
 *   A dry-run policy never changes a verdict and never ends a live flow:
 *   every flow is decided as if the dry-run policies did not exist. Each new flow a dry-run policy
 *   applies to (its scope covers the destination) is also decided with
 *   the dry-run policies enforced too, and that verdict is counted in the
 *   policy: would-allow or would-deny (Documentation/policy.rst).
 *   errors:   -EEXIST the name is taken and no REPLACE flag;
 *             -EMSGSIZE the policy is larger than KZT_POLICY_SIZE_MAX;
 *             -ENOSPC the node holds KZT_POLICIES_MAX policies.
 *
 * KZT_CMD_POLICY_DEL - remove a policy.
 *   request:  KZT_POLICY_A_NAME          string, required
 *             KZT_POLICY_A_TXN           u32, remove it from the staging
 *                                        set of this open transaction
 *   errors:   -ENOENT no such policy (in the set the request acts on), or
 *             no open transaction TXN of the caller.
 *
 * KZT_CMD_POLICY_GET - do: one policy by KZT_POLICY_A_NAME; dump: every
 *   policy in name order. Replies carry the ADD attributes (no FLAGS/TXN);
 *   dumps are flagged NLM_F_DUMP_INTR as for workloads. The replies of a
 *   dry-run policy also carry its counters:
 *               KZT_POLICY_A_WOULD_ALLOW u64, new flows it applied to that
 *                                        the dry-run verdict allowed
 *               KZT_POLICY_A_WOULD_DENY  u64, ... that it denied
 *   A policy object counts from 0 when it is made: a replaced policy, and
 *   every policy a transaction commits, start again from 0. A flow taken
 *   again after a change (a live flow re-decided) is not counted again.
 *
 * KZT_CMD_POLICY_CHECK - decide a flow as the data path would, without a
 *   flow: for operators and tests.
 *   request:  KZT_CHECK_A_SRC_ID      string, the peer's SPIFFE ID; absent
 *                                     for a plaintext peer
 *             KZT_CHECK_A_SRC_ADDR    binary[16], required
 *             KZT_CHECK_A_DST_ADDR    binary[16], required; must be a
 *                                     workload of this node's table
 *             KZT_CHECK_A_DST_PORT    u16, 1..65535, required
 *   reply:    KZT_CHECK_A_VERDICT     u8, enum kzt_verdict
 *             KZT_CHECK_A_REASON      u8, enum kzt_reason
 *             KZT_CHECK_A_POLICY      string, the deciding policy (with
 *                                     KZT_REASON_DENY_POLICY and
 *                                     KZT_REASON_ALLOW_POLICY)
 *             KZT_CHECK_A_DST_ID      string, the destination's identity
 *             only when a dry-run policy applies to the destination, the
 *             decision with the dry-run policies enforced too:
 *             KZT_CHECK_A_DRY_RUN_VERDICT  u8, enum kzt_verdict
 *             KZT_CHECK_A_DRY_RUN_REASON   u8, enum kzt_reason
 *             KZT_CHECK_A_DRY_RUN_POLICY   string, its deciding policy
 *   A check is a question, not a flow: it counts in no policy.
 *   errors:   -ENOENT the destination address is not a known workload.
 *
 * ---- Transactions: replace workloads and policies in one step ----
 *
 * A transaction stages a new table of workloads and policies and swaps it
 * in at commit, so a reader sees the old set or the new set and never a
 * mix (no moment without the old DENY policy and the new one). The staging
 * table starts empty (the caller stages everything the node is to hold),
 * or with KZT_TXN_F_FROM_LIVE as a copy of the live table, so that the
 * caller stages only changes: ADD (with REPLACE) and DEL with KZT_*_A_TXN.
 * One transaction may be open per netns; it belongs to the netlink socket
 * that began it and is aborted when that socket closes.
 *
 * KZT_CMD_TXN_BEGIN - open a transaction.
 *   request:  KZT_TXN_A_FLAGS         u32, KZT_TXN_F_*, optional
 *   reply:    KZT_TXN_A_ID            u32, to pass as KZT_*_A_TXN
 *   KZT_TXN_F_FROM_LIVE: the staging table starts as a copy of the live
 *   workloads and policies. The copy costs O(workloads + policies) once,
 *   in the kernel (figures in Documentation/netlink.rst); every change
 *   after it costs one request. Readers are not held up by it; other
 *   writers wait for it.
 *   errors:   -EBUSY another transaction is open;
 *             -ENOMEM no memory for the copy: nothing changed.
 *
 * KZT_CMD_TXN_COMMIT - replace the live workloads and policies with the
 *   staged ones, all at once, and close the transaction.
 *   request:  KZT_TXN_A_ID            u32, required
 *   errors:   -ENOENT no such open transaction of the caller;
 *             -EAGAIN the live table changed since KZT_CMD_TXN_BEGIN (by
 *                     an ADD or DEL outside the transaction): the
 *                     transaction is aborted, nothing changed; retry.
 *
 * KZT_CMD_TXN_ABORT - drop the staged table.
 *   request:  KZT_TXN_A_ID            u32, required
 *
 * ---- Handshake upcall (kernel -> kztd), like net/handshake ----
 *
 * kzt.ko owns every tunnel socket; kztd only runs the TLS 1.3 handshake on
 * it. The kernel queues a request per tunnel and multicasts
 * KZT_CMD_HANDSHAKE_READY on group KZT_MCGRP_HANDSHAKE; a daemon answers
 * with KZT_CMD_HANDSHAKE_ACCEPT until it gets -EAGAIN, runs each handshake
 * on the file descriptor it got, and reports with KZT_CMD_HANDSHAKE_DONE.
 * The kernel then installs the keys with TLS_TX and TLS_RX and wipes them.
 * Every request completes exactly once: by DONE, or by its deadline
 * (KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS, from ACCEPT), after which the flow
 * fails closed. A request waits for ACCEPT at most hs_queue_timeout_ms
 * (module parameter); at most max_queued_handshakes wait per netns, more
 * are refused at once (Documentation/handshake.rst, "Bursts").
 *
 * KZT_CMD_HANDSHAKE_READY - multicast: requests are waiting (no attribute).
 *
 * KZT_CMD_HANDSHAKE_ACCEPT - take the oldest waiting request; its deadline
 *   (KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS) starts now, not when it was queued.
 *   request:  KZT_HS_A_ROLE          u8, optional: a request of this role
 *                                    only (one pool per role in the daemon)
 *   reply:    KZT_HS_A_ID            u32, names the request in DONE
 *             KZT_HS_A_FD            s32, the tunnel's TCP socket, now a
 *                                    descriptor of the caller (O_CLOEXEC,
 *                                    blocking: set O_NONBLOCK if needed)
 *             KZT_HS_A_ROLE          u8, enum kzt_hs_role
 *             KZT_HS_A_LOCAL_ID      string, client: the SPIFFE ID whose
 *                                    certificate to present
 *             KZT_HS_A_PEER_ID       string, client: the SPIFFE ID the
 *                                    server must prove
 *             KZT_HS_A_DST_ADDR      binary[16], client: the destination
 *                                    workload, sent as the TLS server name
 *                                    (Documentation/protocol.rst)
 *             KZT_HS_A_TIMEOUT_MS    u32, time left before the deadline
 *   errors:   -EAGAIN no request is waiting.
 *
 * KZT_CMD_HANDSHAKE_DONE - complete a request; the caller should close its
 *   descriptor after this, whatever the answer. Only the holder of the
 *   request's socket may: FD is looked up in the caller's descriptor table
 *   and must be that socket (the ID alone is guessable).
 *   request:  KZT_HS_A_ID            u32, required
 *             KZT_HS_A_FD            s32, required: the descriptor ACCEPT
 *                                    gave (or a dup of it)
 *             KZT_HS_A_STATUS        u32, required: 0 on success, else a
 *                                    positive errno saying why it failed
 *                                    (EACCES: the peer's certificate was
 *                                    refused; EPROTO: a protocol error;
 *                                    ETIMEDOUT; ECONNRESET)
 *             with status 0, all of these are required:
 *             KZT_HS_A_CIPHER        u16, TLS_CIPHER_AES_GCM_128,
 *                                    TLS_CIPHER_AES_GCM_256 or
 *                                    TLS_CIPHER_CHACHA20_POLY1305
 *                                    (<linux/tls.h>)
 *             KZT_HS_A_TX_KEY        binary, 16 or 32 bytes as the cipher
 *             KZT_HS_A_TX_IV         binary[12], the TLS 1.3 write IV
 *             KZT_HS_A_TX_SEQ        u64, the next record sequence number
 *             KZT_HS_A_RX_KEY, KZT_HS_A_RX_IV, KZT_HS_A_RX_SEQ: the same
 *                                    for the read direction
 *             KZT_HS_A_PEER_ID       string, the peer's verified SPIFFE ID
 *             KZT_HS_A_LOCAL_ID      string, the SPIFFE ID presented
 *             optional with status 0:
 *             KZT_HS_A_PROTO         u8, 1 or 2: the protocol ALPN chose,
 *                                    kzt/1 (the default) or kzt/2
 *                                    (Documentation/protocol.rst)
 *   errors:   -ENOENT no such request accepted by the caller's netns (it
 *                     timed out, or was completed already);
 *             -EBADF  FD is not an open socket descriptor of the caller;
 *             -EPERM  FD is not the request's socket (nothing changes);
 *             -EINVAL keys that do not fit the cipher (the request fails).
 *
 * ---- Connections and statistics ----
 *
 * KZT_CMD_CONN_GET - dump: every flow of the node, like ss(8).
 *   reply:    KZT_CONN_A_ID          u64, unique per node while loaded
 *             KZT_CONN_A_DIR         u8, enum kzt_conn_dir
 *             KZT_CONN_A_STATE       u8, enum kzt_conn_state
 *             KZT_CONN_A_SRC_ADDR, KZT_CONN_A_SRC_PORT, KZT_CONN_A_DST_ADDR,
 *             KZT_CONN_A_DST_PORT    the pod-to-pod flow (binary[16], u16)
 *             KZT_CONN_A_SRC_ID, KZT_CONN_A_DST_ID  strings, identities
 *                                    (the verified peer's once known)
 *             KZT_CONN_A_PEER_NODE   binary[16], the other node
 *             KZT_CONN_A_CIPHER      u16, TLS_CIPHER_*; absent before
 *                                    the handshake or for same-node flows
 *             KZT_CONN_A_BYTES_OUT   u64, from the local pod to the peer
 *             KZT_CONN_A_BYTES_IN    u64, from the peer to the local pod
 *             KZT_CONN_A_AGE_MS      u64
 *             KZT_CONN_A_END         u8, enum kzt_conn_end: why a flow in
 *                                    CLOSING was ended early; absent
 *                                    otherwise
 *   The flows kzt carries come first, by ascending ID; then those it let
 *   through and revoked after a change (KZT_CONN_DIR_PLAIN), by ascending
 *   ID, for a few seconds each: ID, DIR, STATE (CLOSING), the four-tuple
 *   (the client's, the server's after DNAT), AGE_MS (since the
 *   revocation) and END only.
 *
 * KZT_CMD_FLOW_START, KZT_CMD_FLOW_STATS, KZT_CMD_FLOW_END - multicast on
 *   group KZT_MCGRP_FLOWS (subscribing needs CAP_NET_ADMIN over the netns),
 *   only while someone listens: the telemetry of the flows kzt carries
 *   (Documentation/telemetry.rst). FLOW_START when a flow is established
 *   (its handshake done, its header accepted); FLOW_STATS every
 *   KZT_CONFIG_A_FLOW_STATS_INTERVAL_S for each established flow not yet
 *   ended; FLOW_END when such a flow ends. A flow that never established
 *   sends none of them (the node counters count it). Attributes of the
 *   "conn" set, in each of the three:
 *             KZT_CONN_A_ID          u64, as in KZT_CMD_CONN_GET
 *             KZT_CONN_A_DIR         u8, enum kzt_conn_dir (OUTBOUND or
 *                                    INBOUND)
 *             KZT_CONN_A_STATE       u8, enum kzt_conn_state
 *             KZT_CONN_A_SRC_ADDR, _SRC_PORT, _DST_ADDR, _DST_PORT
 *             KZT_CONN_A_SRC_ID, KZT_CONN_A_DST_ID  strings: outbound, the
 *                                    local workload and the destination
 *                                    the peer node proved; inbound, the
 *                                    client the peer node proved and the
 *                                    identity presented for the local one
 *             KZT_CONN_A_PEER_NODE   binary[16]
 *             KZT_CONN_A_CIPHER      u16, TLS_CIPHER_*
 *             KZT_CONN_A_BYTES_OUT, KZT_CONN_A_BYTES_IN  u64, cumulative
 *                                    since the flow began
 *             KZT_CONN_A_AGE_MS      u64, since the flow began (at its
 *                                    end: its duration)
 *             KZT_CONN_A_START_NS    u64, when it began: CLOCK_REALTIME,
 *                                    nanoseconds since the epoch
 *             FLOW_END only:
 *             KZT_CONN_A_REASON      u8, enum kzt_flow_reason
 *             KZT_CONN_A_END         u8, enum kzt_conn_end, with REASON
 *                                    REVOKED or PEER_DEAD
 *   Multicast may drop events: an event that could not be built, or that
 *   no listener took (every listener's buffer full; a listener that set
 *   NETLINK_BROADCAST_ERROR counts alone), is counted in
 *   KZT_STATS_A_FLOW_EVENTS_DROPPED, and a listener that missed events
 *   gets ENOBUFS from recv().
 *
 * KZT_CMD_STATS_GET - the node's counters: one u64 attribute per
 *   enum kzt_stats_attr entry, all of them in every reply.
 *
 * ---- Trust ----
 *
 * KZT_CMD_REVOKE - end every flow of the netns whose peer identity (an
 *   inbound flow's verified client, an outbound flow's destination) is
 *   one of the given SPIFFE IDs: kztd sends it when a new trust bundle no
 *   longer verifies a peer (Documentation/kztd.rst). Each such flow is
 *   reset on both sides and listed CLOSING with KZT_CONN_END_TRUST; flows
 *   already CLOSING finish as they are. Nothing is remembered: a new flow
 *   of the same peer is decided (and verified by kztd) afresh.
 *   request:  KZT_REVOKE_A_PEER_ID    string, repeated 1..
 *                                     KZT_REVOKE_IDS_MAX times: a SPIFFE
 *                                     ID spiffe://<td>/<path> (a path is
 *                                     required), at most
 *                                     KZT_SPIFFE_ID_MAX bytes
 *   reply:    KZT_REVOKE_A_FLOWS      u32, the flows told to end
 *   errors:   -EINVAL no PEER_ID, or one that is not a SPIFFE ID of a
 *                     workload (the extack names it); nothing is ended;
 *             -E2BIG  more than KZT_REVOKE_IDS_MAX IDs.
 *
 * KZT_CMD_POOL_FLUSH - close every kept kzt/2 tunnel of the netns (the
 *   source node's pool and the destination's IDLE tunnels), and keep none
 *   of the tunnels carrying a flow now once it ends: kztd sends it when
 *   its credential set changes, so that new flows ride tunnels
 *   authenticated with the new certificates (Documentation/datapath.rst,
 *   "Tunnel reuse"). Flows are not touched.
 *   request:  nothing
 *   reply:    KZT_POOL_A_CLOSED       u32, kept tunnels closed
 */
#ifndef _UAPI_LINUX_KZT_H
#define _UAPI_LINUX_KZT_H

#define KZT_GENL_NAME		"kzt"
#define KZT_GENL_VERSION	1

#define KZT_MCGRP_CONFIG	"config"
#define KZT_MCGRP_HANDSHAKE	"handshake"
#define KZT_MCGRP_FLOWS		"flows"

#define KZT_DEFAULT_TUNNEL_PORT		15008
#define KZT_DEFAULT_TRUST_DOMAIN	"cluster.local"
#define KZT_DEFAULT_HANDSHAKE_TIMEOUT_MS	10000
#define KZT_DEFAULT_IDLE_TIMEOUT_S	0
#define KZT_HANDSHAKE_TIMEOUT_MS_MIN	100
#define KZT_HANDSHAKE_TIMEOUT_MS_MAX	600000
#define KZT_IDLE_TIMEOUT_S_MAX		604800
/* TCP keepalive of tunnels: ztunnel's values, the kernel's limits. */
#define KZT_DEFAULT_KEEPALIVE_IDLE_S	180
#define KZT_DEFAULT_KEEPALIVE_INTERVAL_S	180
#define KZT_DEFAULT_KEEPALIVE_PROBES	9
#define KZT_KEEPALIVE_IDLE_S_MAX	32767	/* MAX_TCP_KEEPIDLE */
#define KZT_KEEPALIVE_INTERVAL_S_MAX	32767	/* MAX_TCP_KEEPINTVL */
#define KZT_KEEPALIVE_PROBES_MAX	127	/* MAX_TCP_KEEPCNT */
/* KZT_CMD_FLOW_STATS of each live flow, seconds; 0: none. */
#define KZT_DEFAULT_FLOW_STATS_INTERVAL_S	15
#define KZT_FLOW_STATS_INTERVAL_S_MAX	86400

/* Limits; string lengths exclude the terminating NUL. */
#define KZT_TRUST_DOMAIN_MAX	255
#define KZT_SPIFFE_ID_MAX	2048
#define KZT_NAMESPACE_MAX	63
#define KZT_POLICY_NAME_MAX	253
#define KZT_POLICY_RULES_MAX	8000	/* KZT_POLICY_SIZE_MAX / 4: empty rules */
#define KZT_RULE_CLAUSES_MAX	64
#define KZT_CLAUSE_MATCHES_MAX	256
#define KZT_RULE_VALUES_MAX	256	/* per field of a match */
#define KZT_SCOPE_IDS_MAX	1024
#define KZT_WORKLOADS_MAX	1048576
#define KZT_POLICIES_MAX	65536
#define KZT_POLICY_SIZE_MAX	32000	/* bytes of a policy's attributes */
#define KZT_REVOKE_IDS_MAX	1024	/* peer IDs in one KZT_CMD_REVOKE */

enum kzt_nonmesh {
	KZT_NONMESH_DENY,		/* refuse, and count */
	KZT_NONMESH_PASSTHROUGH,	/* let through in the clear, and count */

	__KZT_NONMESH_MAX
};

enum kzt_proto {
	KZT_PROTO_PLAINTEXT,	/* not enrolled: no kzt/1 */
	KZT_PROTO_KZT1,		/* reached through kzt/1 */
	KZT_PROTO_REFUSED,	/* in the mesh, not reachable as asked: every
				 * flow to it from a local pod, and into it,
				 * is refused
				 */

	__KZT_PROTO_MAX
};

enum kzt_action {
	KZT_ACTION_ALLOW,
	KZT_ACTION_DENY,

	__KZT_ACTION_MAX
};

enum kzt_scope {
	KZT_SCOPE_GLOBAL,	/* every workload of the node */
	KZT_SCOPE_NAMESPACE,	/* workloads whose ID has /ns/<NAMESPACE>/ */
	KZT_SCOPE_WORKLOADS,	/* workloads whose ID is one of SCOPE_ID */
	KZT_SCOPE_ADDRESSES,	/* flows to an address of SCOPE_ADDR */

	__KZT_SCOPE_MAX
};

enum kzt_verdict {
	KZT_VERDICT_ALLOW,
	KZT_VERDICT_DENY,

	__KZT_VERDICT_MAX
};

enum kzt_reason {
	KZT_REASON_NO_POLICY,		/* allow: no ALLOW policy applies */
	KZT_REASON_ALLOW_POLICY,	/* allow: an ALLOW policy matched */
	KZT_REASON_DENY_POLICY,		/* deny: a DENY policy matched */
	KZT_REASON_NO_ALLOW_MATCH,	/* deny: ALLOW policies apply, none matched */

	__KZT_REASON_MAX
};

enum kzt_hs_role {
	KZT_HS_ROLE_CLIENT = 1,	/* connect side: the source node */
	KZT_HS_ROLE_SERVER,	/* listen side: the destination node */

	__KZT_HS_ROLE_MAX
};

enum kzt_conn_dir {
	KZT_CONN_DIR_OUTBOUND,	/* a local pod to a pod on another node */
	KZT_CONN_DIR_INBOUND,	/* a pod on another node to a local pod */
	/*
	 * One kzt lets through without carrying it (same node, non-mesh
	 * peer, plaintext into a pod): listed only once revoked, CLOSING,
	 * while it closes.
	 */
	KZT_CONN_DIR_PLAIN,

	__KZT_CONN_DIR_MAX
};

enum kzt_conn_state {
	KZT_CONN_STATE_CONNECTING,	/* tunnel TCP connect */
	KZT_CONN_STATE_HANDSHAKE,	/* waiting for kztd */
	KZT_CONN_STATE_HEADER,		/* kzt/1 header and status */
	KZT_CONN_STATE_POD_CONNECT,	/* inbound: connecting to the pod */
	KZT_CONN_STATE_ESTABLISHED,	/* bytes flow both ways */
	KZT_CONN_STATE_HALF_CLOSED,	/* one direction has ended */
	KZT_CONN_STATE_CLOSING,		/* both ended or reset; going away */
	KZT_CONN_STATE_IDLE,		/* inbound kzt/2 tunnel between two
					 * flows: waiting for the next header
					 */

	__KZT_CONN_STATE_MAX
};

/*
 * Why kzt ended a flow early (KZT_CONN_A_END): the decision was taken
 * again after a change and came out different, the peer node died, or an
 * identity of the flow is no longer trusted.
 * Both pods see a reset; the flow stays in the list, CLOSING, for a moment.
 */
enum kzt_conn_end {
	KZT_CONN_END_POLICY = 1,	/* a policy now denies it */
	KZT_CONN_END_WORKLOAD,		/* a workload or its interface changed */
	KZT_CONN_END_CAPTURE,		/* capture was turned off */
	KZT_CONN_END_PEER_DEAD,		/* the tunnel timed out (keepalive) */
	KZT_CONN_END_TRUST,		/* an identity no longer trusted */
	KZT_CONN_END_NONMESH,		/* the nonmesh mode now refuses it */

	__KZT_CONN_END_MAX
};

/* How a flow that was established ended (KZT_CMD_FLOW_END). */
enum kzt_flow_reason {
	KZT_FLOW_REASON_CLOSED = 1,	/* both directions ended cleanly */
	KZT_FLOW_REASON_RESET,		/* a side reset, or a socket error */
	KZT_FLOW_REASON_TLS_ERROR,	/* bad record, alert, truncation */
	KZT_FLOW_REASON_IDLE,		/* the idle timeout */
	KZT_FLOW_REASON_ABORT,		/* netns exit, or kzt unloading */
	KZT_FLOW_REASON_REVOKED,	/* no longer allowed: KZT_CONN_A_END */
	KZT_FLOW_REASON_PEER_DEAD,	/* the tunnel timed out */
	KZT_FLOW_REASON_KEY_LIMIT,	/* an AES-GCM key's record limit */
	KZT_FLOW_REASON_FAILED,		/* kzt could not go on (no memory) */

	__KZT_FLOW_REASON_MAX
};

enum kzt_workload_flags {
	KZT_WORKLOAD_F_REPLACE = 1U << 0,

	__KZT_WORKLOAD_F_ALL = KZT_WORKLOAD_F_REPLACE
};

enum kzt_policy_flags {
	KZT_POLICY_F_REPLACE = 1U << 0,

	__KZT_POLICY_F_ALL = KZT_POLICY_F_REPLACE
};

enum kzt_txn_flags {
	KZT_TXN_F_FROM_LIVE = 1U << 0,

	__KZT_TXN_F_ALL = KZT_TXN_F_FROM_LIVE
};

enum kzt_cmd {
	KZT_CMD_UNSPEC,
	KZT_CMD_CONFIG_GET,
	KZT_CMD_CONFIG_SET,
	KZT_CMD_CONFIG_NTF,
	KZT_CMD_WORKLOAD_ADD,
	KZT_CMD_WORKLOAD_DEL,
	KZT_CMD_WORKLOAD_GET,
	KZT_CMD_POLICY_ADD,
	KZT_CMD_POLICY_DEL,
	KZT_CMD_POLICY_GET,
	KZT_CMD_POLICY_CHECK,
	KZT_CMD_TXN_BEGIN,
	KZT_CMD_TXN_COMMIT,
	KZT_CMD_TXN_ABORT,
	KZT_CMD_HANDSHAKE_READY,
	KZT_CMD_HANDSHAKE_ACCEPT,
	KZT_CMD_HANDSHAKE_DONE,
	KZT_CMD_CONN_GET,
	KZT_CMD_STATS_GET,
	KZT_CMD_REVOKE,
	KZT_CMD_FLOW_START,
	KZT_CMD_FLOW_STATS,
	KZT_CMD_FLOW_END,
	KZT_CMD_POOL_FLUSH,

	__KZT_CMD_MAX
};

#define KZT_CMD_MAX (__KZT_CMD_MAX - 1)

enum kzt_config_attr {
	KZT_CONFIG_A_UNSPEC,
	KZT_CONFIG_A_TUNNEL_PORT,
	KZT_CONFIG_A_CAPTURE,
	KZT_CONFIG_A_TRUST_DOMAIN,
	KZT_CONFIG_A_NONMESH,
	KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS,
	KZT_CONFIG_A_IDLE_TIMEOUT_S,
	KZT_CONFIG_A_KEEPALIVE_IDLE_S,
	KZT_CONFIG_A_KEEPALIVE_INTERVAL_S,
	KZT_CONFIG_A_KEEPALIVE_PROBES,
	KZT_CONFIG_A_FLOW_STATS_INTERVAL_S,

	__KZT_CONFIG_A_MAX
};

#define KZT_CONFIG_A_MAX (__KZT_CONFIG_A_MAX - 1)

enum kzt_workload_attr {
	KZT_WORKLOAD_A_UNSPEC,
	KZT_WORKLOAD_A_ADDR,
	KZT_WORKLOAD_A_ID,
	KZT_WORKLOAD_A_PROTOCOL,
	KZT_WORKLOAD_A_NODE,
	KZT_WORKLOAD_A_IFINDEX,
	KZT_WORKLOAD_A_FLAGS,
	KZT_WORKLOAD_A_TXN,

	__KZT_WORKLOAD_A_MAX
};

#define KZT_WORKLOAD_A_MAX (__KZT_WORKLOAD_A_MAX - 1)

enum kzt_policy_attr {
	KZT_POLICY_A_UNSPEC,
	KZT_POLICY_A_NAME,
	KZT_POLICY_A_ACTION,
	KZT_POLICY_A_SCOPE,
	KZT_POLICY_A_NAMESPACE,
	KZT_POLICY_A_SCOPE_ID,
	KZT_POLICY_A_RULE,
	KZT_POLICY_A_FLAGS,
	KZT_POLICY_A_TXN,
	KZT_POLICY_A_DRY_RUN,
	KZT_POLICY_A_PAD,
	KZT_POLICY_A_WOULD_ALLOW,
	KZT_POLICY_A_WOULD_DENY,
	KZT_POLICY_A_SCOPE_ADDR,

	__KZT_POLICY_A_MAX
};

#define KZT_POLICY_A_MAX (__KZT_POLICY_A_MAX - 1)

enum kzt_rule_attr {
	KZT_RULE_A_UNSPEC,
	KZT_RULE_A_PRINCIPAL,
	KZT_RULE_A_NOT_PRINCIPAL,
	KZT_RULE_A_NAMESPACE,
	KZT_RULE_A_NOT_NAMESPACE,
	KZT_RULE_A_IP_BLOCK,
	KZT_RULE_A_NOT_IP_BLOCK,
	KZT_RULE_A_PORT,
	KZT_RULE_A_NOT_PORT,
	KZT_RULE_A_DESTINATION_IP,
	KZT_RULE_A_NOT_DESTINATION_IP,
	KZT_RULE_A_SERVICE_ACCOUNT,
	KZT_RULE_A_NOT_SERVICE_ACCOUNT,
	KZT_RULE_A_CLAUSE,

	__KZT_RULE_A_MAX
};

#define KZT_RULE_A_MAX (__KZT_RULE_A_MAX - 1)

enum kzt_clause_attr {
	KZT_CLAUSE_A_UNSPEC,
	KZT_CLAUSE_A_MATCH,

	__KZT_CLAUSE_A_MAX
};

#define KZT_CLAUSE_A_MAX (__KZT_CLAUSE_A_MAX - 1)

/* The fields of a rule's short form, with the same values. */
enum kzt_match_attr {
	KZT_MATCH_A_UNSPEC,
	KZT_MATCH_A_PRINCIPAL,
	KZT_MATCH_A_NOT_PRINCIPAL,
	KZT_MATCH_A_NAMESPACE,
	KZT_MATCH_A_NOT_NAMESPACE,
	KZT_MATCH_A_IP_BLOCK,
	KZT_MATCH_A_NOT_IP_BLOCK,
	KZT_MATCH_A_PORT,
	KZT_MATCH_A_NOT_PORT,
	KZT_MATCH_A_DESTINATION_IP,
	KZT_MATCH_A_NOT_DESTINATION_IP,
	KZT_MATCH_A_SERVICE_ACCOUNT,
	KZT_MATCH_A_NOT_SERVICE_ACCOUNT,

	__KZT_MATCH_A_MAX
};

#define KZT_MATCH_A_MAX (__KZT_MATCH_A_MAX - 1)

enum kzt_cidr_attr {
	KZT_CIDR_A_UNSPEC,
	KZT_CIDR_A_ADDR,
	KZT_CIDR_A_PREFIX_LEN,

	__KZT_CIDR_A_MAX
};

#define KZT_CIDR_A_MAX (__KZT_CIDR_A_MAX - 1)

enum kzt_check_attr {
	KZT_CHECK_A_UNSPEC,
	KZT_CHECK_A_SRC_ID,
	KZT_CHECK_A_SRC_ADDR,
	KZT_CHECK_A_DST_ADDR,
	KZT_CHECK_A_DST_PORT,
	KZT_CHECK_A_VERDICT,
	KZT_CHECK_A_REASON,
	KZT_CHECK_A_POLICY,
	KZT_CHECK_A_DST_ID,
	KZT_CHECK_A_DRY_RUN_VERDICT,
	KZT_CHECK_A_DRY_RUN_REASON,
	KZT_CHECK_A_DRY_RUN_POLICY,

	__KZT_CHECK_A_MAX
};

#define KZT_CHECK_A_MAX (__KZT_CHECK_A_MAX - 1)

enum kzt_txn_attr {
	KZT_TXN_A_UNSPEC,
	KZT_TXN_A_ID,
	KZT_TXN_A_FLAGS,

	__KZT_TXN_A_MAX
};

#define KZT_TXN_A_MAX (__KZT_TXN_A_MAX - 1)

enum kzt_hs_attr {
	KZT_HS_A_UNSPEC,
	KZT_HS_A_PAD,
	KZT_HS_A_ID,
	KZT_HS_A_FD,
	KZT_HS_A_ROLE,
	KZT_HS_A_LOCAL_ID,
	KZT_HS_A_PEER_ID,
	KZT_HS_A_DST_ADDR,
	KZT_HS_A_TIMEOUT_MS,
	KZT_HS_A_STATUS,
	KZT_HS_A_CIPHER,
	KZT_HS_A_TX_KEY,
	KZT_HS_A_TX_IV,
	KZT_HS_A_TX_SEQ,
	KZT_HS_A_RX_KEY,
	KZT_HS_A_RX_IV,
	KZT_HS_A_RX_SEQ,
	KZT_HS_A_PROTO,

	__KZT_HS_A_MAX
};

#define KZT_HS_A_MAX (__KZT_HS_A_MAX - 1)

enum kzt_conn_attr {
	KZT_CONN_A_UNSPEC,
	KZT_CONN_A_PAD,
	KZT_CONN_A_ID,
	KZT_CONN_A_DIR,
	KZT_CONN_A_STATE,
	KZT_CONN_A_SRC_ADDR,
	KZT_CONN_A_SRC_PORT,
	KZT_CONN_A_DST_ADDR,
	KZT_CONN_A_DST_PORT,
	KZT_CONN_A_SRC_ID,
	KZT_CONN_A_DST_ID,
	KZT_CONN_A_PEER_NODE,
	KZT_CONN_A_CIPHER,
	KZT_CONN_A_BYTES_OUT,
	KZT_CONN_A_BYTES_IN,
	KZT_CONN_A_AGE_MS,
	KZT_CONN_A_END,
	KZT_CONN_A_START_NS,
	KZT_CONN_A_REASON,

	__KZT_CONN_A_MAX
};

#define KZT_CONN_A_MAX (__KZT_CONN_A_MAX - 1)

enum kzt_revoke_attr {
	KZT_REVOKE_A_UNSPEC,
	KZT_REVOKE_A_PEER_ID,
	KZT_REVOKE_A_FLOWS,

	__KZT_REVOKE_A_MAX
};

#define KZT_REVOKE_A_MAX (__KZT_REVOKE_A_MAX - 1)

enum kzt_pool_attr {
	KZT_POOL_A_UNSPEC,
	KZT_POOL_A_CLOSED,

	__KZT_POOL_A_MAX
};

#define KZT_POOL_A_MAX (__KZT_POOL_A_MAX - 1)

/*
 * Node counters (KZT_CMD_STATS_GET), each a u64 since the netns was
 * created or kzt loaded. Every refused flow is counted exactly once, by
 * the step that refused it.
 */
enum kzt_stats_attr {
	KZT_STATS_A_UNSPEC,
	KZT_STATS_A_PAD,
	/* capture (netfilter hooks) */
	KZT_STATS_A_CAPTURED,		/* outbound flows taken into kzt */
	KZT_STATS_A_LOCAL_ALLOWED,	/* same-node flows allowed */
	KZT_STATS_A_LOCAL_DENIED,	/* same-node flows refused by policy */
	KZT_STATS_A_INBOUND_PLAIN_ALLOWED, /* plaintext to a local workload */
	KZT_STATS_A_INBOUND_PLAIN_DENIED,
	KZT_STATS_A_NONMESH_PASSED,	/* to a non-mesh peer, in the clear */
	KZT_STATS_A_NONMESH_DENIED,
	KZT_STATS_A_SPOOFED,		/* a workload address on another link */
	KZT_STATS_A_STRAY,		/* captured-flow packet with no socket */
	/* handshakes */
	KZT_STATS_A_HS_STARTED,
	KZT_STATS_A_HS_OK,
	KZT_STATS_A_HS_FAILED,		/* kztd reported a failure */
	KZT_STATS_A_HS_TIMEOUT,		/* not done in time (or kztd: ETIMEDOUT) */
	KZT_STATS_A_HS_NO_DAEMON,	/* no kztd listening */
	KZT_STATS_A_HS_BAD_PEER,	/* verified peer is not the one asked */
	/* tunnels */
	KZT_STATS_A_TUNNEL_CONNECT_FAILED,
	KZT_STATS_A_TUNNEL_ACCEPTED,
	KZT_STATS_A_HEADER_BAD,		/* BAD_REQUEST sent */
	KZT_STATS_A_HEADER_TIMEOUT,
	KZT_STATS_A_STATUS_OK,		/* sent (inbound) or got (outbound) */
	KZT_STATS_A_STATUS_DENIED,
	KZT_STATS_A_STATUS_NO_ROUTE,
	KZT_STATS_A_STATUS_REFUSED,
	KZT_STATS_A_STATUS_TIMEOUT,
	KZT_STATS_A_STATUS_INTERNAL,
	KZT_STATS_A_STATUS_BAD_REQUEST,
	/* flows */
	KZT_STATS_A_FLOWS_OPENED,	/* reached ESTABLISHED */
	KZT_STATS_A_FLOWS_CLOSED,	/* ended cleanly (close_notify, FIN) */
	KZT_STATS_A_FLOWS_RESET,	/* ended by a reset or an error */
	KZT_STATS_A_FLOWS_IDLE,		/* ended by the idle timeout */
	KZT_STATS_A_TLS_ERRORS,		/* bad record, alert, truncation */
	KZT_STATS_A_TUNNEL_OVERLOAD,	/* reset: its pool of unauthenticated
					 * tunnels was full (max_unauthenticated
					 * or max_unauthenticated_peers)
					 */
	KZT_STATS_A_IPV6_REFUSED,	/* enrolled workload, IPv6: no capture yet */
	KZT_STATS_A_FLOWS_REVOKED,	/* allowed, then ended by a change */
	KZT_STATS_A_FLOWS_PEER_DEAD,	/* the tunnel timed out: peer node dead */
	KZT_STATS_A_PLAIN_REVOKED,	/* same-node, non-mesh or plaintext
					 * flow allowed, then reset by a change
					 */
	KZT_STATS_A_FLOWS_UNTRUSTED,	/* revoked (also in FLOWS_REVOKED): trust */
	KZT_STATS_A_SOURCE_REFUSED,	/* inbound header: a source address the
					 * peer node may not claim (DENIED or
					 * BAD_REQUEST sent)
					 */
	KZT_STATS_A_TUNNEL_SOURCE_LIMIT, /* reset: one source address held
					  * max_unauthenticated_per_source
					  */
	KZT_STATS_A_TUNNEL_HELLO_TIMEOUT, /* reset: no first byte in time */
	KZT_STATS_A_BAD_PORT,		/* connection request with port 0: reset */
	KZT_STATS_A_FLOWS_KEY_LIMIT,	/* reset: an AES-GCM key reached its record limit */
	KZT_STATS_A_FLOWS_SOURCE_LIMIT,	/* outbound, reset at once: its source
					 * held max_outbound_flows_per_source
					 * or max_outbound_handshakes_per_source
					 */
	KZT_STATS_A_FLOWS_NO_MEMORY,	/* reset: no memory for the pump buffers */
	KZT_STATS_A_HS_QUEUE_FULL,	/* handshake refused at once: its
					 * queue held max_queued_handshakes
					 */
	KZT_STATS_A_HS_QUEUE_TIMEOUT,	/* no daemon took the request within
					 * hs_queue_timeout_ms
					 */
	/* a FLOW_* event not built (no memory) or that no listener took */
	KZT_STATS_A_FLOW_EVENTS_DROPPED,
	KZT_STATS_A_TUNNEL_TAKEN,	/* tunnels to a local pod's own address
					 * taken from the underlay
					 */
	KZT_STATS_A_REFUSED_WORKLOAD,	/* connection requests to or into a
					 * KZT_PROTO_REFUSED workload: reset
					 */
	KZT_STATS_A_TUNNELS_KEPT,	/* kzt/2 tunnels kept open for the next
					 * flow when theirs ended
					 */
	KZT_STATS_A_TUNNELS_REUSED,	/* flows that rode a kept tunnel: no
					 * handshake
					 */
	KZT_STATS_A_TUNNELS_EXPIRED,	/* kept tunnels closed unused after the
					 * pool's idle time
					 */
	KZT_STATS_A_TUNNEL_RETRIES,	/* outbound: a kept tunnel failed before
					 * the status; the flow took a new one
					 */

	__KZT_STATS_A_MAX
};

#define KZT_STATS_A_MAX (__KZT_STATS_A_MAX - 1)

#endif /* _UAPI_LINUX_KZT_H */
