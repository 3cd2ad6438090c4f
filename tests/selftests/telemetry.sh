#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flow telemetry (Documentation/telemetry.rst): the FLOW_START, FLOW_STATS
# and FLOW_END events of the "flows" group, as `kztctl -j monitor` prints
# them on each node, for flows across the two nodes of mesh-lib.sh:
#
#   pod a1 10.1.1.2 --- node1 ==== kTLS tunnel ==== node2 --- pod b1 10.1.2.2
#   (client)        monitor1 (outbound)    monitor2 (inbound)    (server)
#
# An exact flow moves XFER_OUT bytes a1 -> b1 and XFER_IN bytes b1 -> a1
# (kzt-xfer) and closes cleanly: both nodes report it with those counts,
# the identities, addresses, peer node, direction and reason "closed". A
# streaming flow (kzt-stream) with flow-stats-interval 1 gets FLOW_STATS
# with growing counts, and its FLOW_END the count the pods saw. Interval 0
# sends no FLOW_STATS. Unloading kzt with the periodic pass armed and a
# listener subscribed leaves the kernel clean.
#
# kztd on each node counts the same events as Istio's TCP metrics: after
# the exact flow, /stats/prometheus of node1 (reporter="source") and of
# node2 (reporter="destination") have istio_tcp_received_bytes_total =
# XFER_OUT and istio_tcp_sent_bytes_total = XFER_IN for the label set of
# a1 -> b1, one open and one close, promtool clean; each kztd logged a
# "connection opened" and a "connection complete" JSON line with the
# flow's tuple, identities and bytes. A real Prometheus server (Debian's
# prometheus, in node1) scrapes both kztds and a PromQL query returns the
# exact figures. The streaming flow's bytes show in the metrics while it
# lives (flow-stats-interval 1). With access_log_rate 1 a burst of flows
# writes about a line a second, the drops are told and counted; with
# access_log off, nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mesh-lib.sh"
source "$(dirname "$0")/flows-lib.sh"

PORT=7401
XFER_PORT=7400
XFER_OUT=123457
XFER_IN=654321
PROM_PORT=9390
declare -A MON_PID=()
PROM_PID=

cleanup() {
	local p
	for p in "${MON_PID[@]}"; do kill "$p" 2>/dev/null; done
	[ -z "$PROM_PID" ] || { kill "$PROM_PID" 2>/dev/null; wait "$PROM_PID" 2>/dev/null; }
	flows_cleanup
	mesh_down
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd jq curl promtool prometheus

_mon_ready() { grep -q "listening for flow events" "$1"; }

# monitor_start NODE [text]: kztctl -j monitor on the node, into
# $MESH_DIR/monNODE (plain kztctl monitor into monNODE.txt with "text").
monitor_start() {
	local node=$1 out=$MESH_DIR/mon$1 json=-j
	[ "${2:-}" != text ] || { out=$out.txt; json=; }
	: > "$out.err"
	# Not through mesh_kztctl: $! must be kztctl itself.
	ip netns exec "$(mesh_ns node$node)" kztctl $json monitor > "$out" 2> "$out.err" &
	MON_PID[$node${2:-}]=$!
	busywait 10000 _mon_ready "$out.err" || {
		echo "monitor on node$node did not subscribe:"; cat "$out.err"; return 1; }
}

# events NODE SRC_PORT: the node's events of the flow from that port.
events() {
	jq -c --argjson p "$2" 'select(.source.port == $p)' "$MESH_DIR/mon$1"
}

_has_event() { # _has_event NODE SRC_PORT EVENT [MIN_COUNT]
	[ "$(events "$1" "$2" | jq -s --arg e "$3" 'map(select(.event == $e)) | length')" \
		-ge "${4:-1}" ]
}

# Debian's prometheus in node1, scraping both kztds every second; its
# TSDB in the test's directory (the guest's root is read-only).
prom_start() {
	local dir=$MESH_DIR/prom
	mkdir -p "$dir"
	cat > "$dir/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: kztd
	    metrics_path: /stats/prometheus
	    static_configs:
	      - targets: ['127.0.0.1:15020', '${MESH_UNDERLAY[2]}:15020']
	EOF
	ip netns exec "$(mesh_ns node1)" prometheus --config.file="$dir/prometheus.yml" \
		--storage.tsdb.path="$dir/data" \
		--web.listen-address="127.0.0.1:$PROM_PORT" > "$dir/log" 2>&1 &
	PROM_PID=$!
}

# promql QUERY: the value of the query's only result ("none": no result).
promql() {
	in_pod node1 curl -sS --max-time 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" \
		--data-urlencode "query=$1" |
		jq -r 'if .data.result | length == 1 then .data.result[0].value[1]
		       else "none (\(.data.result | length) results)" end'
}

test_setup() {
	mesh_up || return 1
	monitor_start 1 && monitor_start 2 && monitor_start 1 text || return 1
	prom_start
}

# check_exact NODE DIR OUT IN PEER_NODE PORT: the node's events of the
# exact flow: one start with 0 bytes, at most some stats, one end with
# OUT and IN bytes, reason closed; the same id, tuple and identities.
check_exact() {
	local node=$1 dir=$2 out=$3 in=$4 peer=$5 port=$6 ev
	ev=$(events "$node" "$port" | jq -s -c .)
	expect_eq "node$node events" "$(jq -r 'map(.event) | [first, last] | join(",")' <<<"$ev")" \
		"start,end" &&
	expect_eq "node$node one start, one end" \
		"$(jq -r '[map(select(.event == "start")), map(select(.event == "end"))] |
			map(length) | join(",")' <<<"$ev")" "1,1" &&
	expect_eq "node$node the same flow id throughout" \
		"$(jq -r 'map(.id) | unique | length' <<<"$ev")" 1 &&
	expect_eq "node$node direction" "$(jq -r 'map(.direction) | unique | join(",")' <<<"$ev")" "$dir" &&
	expect_eq "node$node tuple" \
		"$(jq -r 'first | [.source.address, .source.port, .destination.address,
			.destination.port] | join(" ")' <<<"$ev")" \
		"${MESH_IP[a1]} $port ${MESH_IP[b1]} $XFER_PORT" &&
	expect_eq "node$node identities" \
		"$(jq -r 'map([.source.id, .destination.id] | join(" ")) | unique | join(",")' <<<"$ev")" \
		"$(mesh_id a1) $(mesh_id b1)" &&
	expect_eq "node$node peer node" "$(jq -r 'map(.peer_node) | unique | join(",")' <<<"$ev")" "$peer" &&
	expect_match "node$node cipher" "$(jq -r 'first.cipher' <<<"$ev")" "^(AES-128-GCM|AES-256-GCM|CHACHA20-POLY1305)$" &&
	expect_eq "node$node start bytes" "$(jq -r 'first | "\(.bytes_out) \(.bytes_in)"' <<<"$ev")" "0 0" &&
	expect_eq "node$node end bytes" "$(jq -r 'last | "\(.bytes_out) \(.bytes_in)"' <<<"$ev")" "$out $in" &&
	expect_eq "node$node end reason" "$(jq -r 'last | "\(.reason) \(.end)"' <<<"$ev")" "closed null" &&
	expect_eq "node$node start carries no reason" "$(jq -r 'first.reason' <<<"$ev")" null &&
	expect_eq "node$node start_ns is one wall-clock time, near now" \
		"$(jq -r --argjson now "$(date +%s)" \
			'map(.start_ns) | unique | length == 1 and
			 (first / 1e9 - $now | if . < 0 then -. else . end) < 300' <<<"$ev")" true &&
	expect_eq "node$node duration grows" \
		"$(jq -r '(last.age_ms >= first.age_ms)' <<<"$ev")" true
}

# XFER_OUT bytes a1 -> b1, XFER_IN back, clean close on both sides.
test_exact() {
	local srv cli port sent got
	srv=$MESH_DIR/xfer-srv
	ip netns exec "$(mesh_ns b1)" kzt-xfer server "$XFER_PORT" "$XFER_IN" > "$srv" &
	busywait 10000 in_pod b1 sh -c "ss -Hltn 'sport = :$XFER_PORT' | grep -q ." || return 1
	cli=$(in_pod a1 kzt-xfer client "${MESH_IP[b1]}" "$XFER_PORT" "$XFER_OUT") || return 1
	read -r port sent got <<<"$cli"
	expect_eq "client sent, received" "$sent $got" "$XFER_OUT $XFER_IN" || return 1
	busywait 10000 test -s "$srv" || { echo "server did not finish"; return 1; }
	expect_eq "server received, sent" "$(cut -d' ' -f2,3 "$srv")" "$XFER_OUT $XFER_IN" || return 1
	busywait 10000 _has_event 1 "$port" end && busywait 10000 _has_event 2 "$port" end || {
		echo "no end event on both nodes:"; cat "$MESH_DIR/mon1" "$MESH_DIR/mon2"; return 1; }
	# Outbound on node1: out is a1's bytes. Inbound on node2: out is b1's.
	check_exact 1 outbound "$XFER_OUT" "$XFER_IN" "${MESH_UNDERLAY[2]}" "$port" &&
	check_exact 2 inbound "$XFER_IN" "$XFER_OUT" "${MESH_UNDERLAY[1]}" "$port" &&
	busywait 5000 grep -q ":$port .* reason closed$" "$MESH_DIR/mon1.txt" &&
	expect_match "text line" "$(grep ":$port " "$MESH_DIR/mon1.txt" | tail -1)" \
		"^end [0-9]+ outbound ${MESH_IP[a1]}:$port $(mesh_id a1) -> ${MESH_IP[b1]}:$XFER_PORT $(mesh_id b1) peer ${MESH_UNDERLAY[2]} [A-Z0-9-]+ out $XFER_OUT in $XFER_IN age [0-9]+m?s reason closed$"
}

scrape() { # scrape NODE: the node's kztd metrics
	in_pod "node$1" curl -sS --max-time 5 http://127.0.0.1:15020/stats/prometheus
}

# The label set of a1 -> b1 as NODE reports it (no istiod: names unknown,
# namespaces from the identities).
labels_ab() {
	local rep=source
	[ "$1" = 1 ] || rep=destination
	printf '{reporter="%s",source_workload="unknown",source_canonical_service="unknown",' "$rep"
	printf 'source_canonical_revision="unknown",source_workload_namespace="demo",'
	printf 'source_principal="%s",source_app="unknown",source_version="unknown",' "$(mesh_id a1)"
	printf 'source_cluster="unknown",destination_service="unknown",'
	printf 'destination_service_namespace="unknown",destination_service_name="unknown",'
	printf 'destination_workload="unknown",destination_canonical_service="unknown",'
	printf 'destination_canonical_revision="unknown",destination_workload_namespace="demo",'
	printf 'destination_principal="%s",destination_app="unknown",' "$(mesh_id b1)"
	printf 'destination_version="unknown",destination_cluster="unknown",'
	printf 'request_protocol="tcp",response_flags="-",connection_security_policy="mutual_tls"}'
}

# metric NODE NAME [FILE]: the value of NAME for a1 -> b1 in the node's
# scrape (or in FILE, a scrape of it).
metric() {
	local line
	line=$(if [ -n "${3:-}" ]; then cat "$3"; else scrape "$1"; fi |
	       grep -F "$2$(labels_ab "$1") ") || { echo none; return; }
	echo "${line##* }"
}

# After the exact flow: both nodes count it, both ways, exactly.
test_metrics_exact() {
	local node out
	for node in 1 2; do
		scrape "$node" > "$MESH_DIR/scrape$node" || return 1
		out=$(promtool check metrics < "$MESH_DIR/scrape$node" 2>&1) ||
			{ echo "promtool, node$node: $out"; return 1; }
		expect_eq "node$node opened, closed, received (request), sent (response)" \
			"$(for m in connections_opened connections_closed received_bytes sent_bytes; do
				metric "$node" "istio_tcp_${m}_total" "$MESH_DIR/scrape$node"; done |
				tr '\n' ' ')" \
			"1 1 $XFER_OUT $XFER_IN " || return 1
		expect_eq "node$node: only that label set" \
			"$(grep -c '^istio_tcp_' "$MESH_DIR/scrape$node")" 4 || return 1
		expect_eq "node$node: no series dropped, no flow left, no events lost" \
			"$(grep -E '^kzt_telemetry_(series_dropped_total|flows|flow_events_lost_total) ' \
				"$MESH_DIR/scrape$node" | cut -d' ' -f2 | tr '\n' ' ')" "0 0 0 " || return 1
	done
}

# access_lines NODE PORT: the access log lines of the flow from that port.
access_lines() {
	grep '^{' "$MESH_DIR/kztd$1.log" |
		jq -c --arg a "${MESH_IP[a1]}:$2" 'select(.target == "access" and ."src.addr" == $a)'
}

_has_access() { # _has_access NODE PORT: its "connection complete" line is there
	access_lines "$1" "$2" | jq -e -s 'any(.message == "connection complete")' > /dev/null
}

# Each kztd logged the exact flow: opened, then complete with its bytes.
test_access_log() {
	local port node lines want_out want_in dir
	port=$(jq -r --argjson p "$XFER_PORT" 'select(.destination.port == $p and .event == "end") |
		.source.port' "$MESH_DIR/mon1" | head -1)
	for node in 1 2; do
		if [ "$node" = 1 ]; then
			dir=outbound want_out=$XFER_OUT want_in=$XFER_IN
		else
			dir=inbound want_out=$XFER_IN want_in=$XFER_OUT
		fi
		busywait 5000 _has_access "$node" "$port" ||
			{ echo "node$node: no access line for port $port"; tail -5 "$MESH_DIR/kztd$node.log"; return 1; }
		lines=$(access_lines "$node" "$port" | jq -s -c .)
		expect_eq "node$node messages" "$(jq -r 'map(.message) | join(",")' <<<"$lines")" \
			"connection opened,connection complete" &&
		expect_eq "node$node tuple, identities, direction" \
			"$(jq -r 'map([."src.addr", ."src.identity", ."src.namespace", ."dst.addr",
				."dst.identity", ."dst.namespace", .direction, .peer_node] | join(" ")) |
				unique | join(",")' <<<"$lines")" \
			"${MESH_IP[a1]}:$port $(mesh_id a1) demo ${MESH_IP[b1]}:$XFER_PORT $(mesh_id b1) demo $dir ${MESH_UNDERLAY[$((3 - node))]}" &&
		expect_eq "node$node bytes, reason, flags" \
			"$(jq -r 'last | "\(.bytes_sent) \(.bytes_recv) \(.reason) \(.response_flags) \(.level)"' <<<"$lines")" \
			"$want_out $want_in closed - info" &&
		expect_match "node$node duration" "$(jq -r 'last.duration' <<<"$lines")" '^[0-9]+ms$' &&
		expect_eq "node$node the same id" "$(jq -r 'map(.id) | unique | length' <<<"$lines")" 1 ||
			return 1
	done
}

_prom_ready() { in_pod node1 curl -sf --max-time 2 "http://127.0.0.1:$PROM_PORT/-/ready" > /dev/null; }

_prom_value() { # _prom_value QUERY WANT
	[ "$(promql "$1")" = "$2" ]
}

# Prometheus scraped both kztds: PromQL gives the exact transfer.
test_prometheus() {
	local q sel
	busywait 60000 _prom_ready || { echo "prometheus not ready:"; tail -5 "$MESH_DIR/prom/log"; return 1; }
	sel="source_principal=\"$(mesh_id a1)\",destination_principal=\"$(mesh_id b1)\""
	for q in "istio_tcp_sent_bytes_total{reporter=\"destination\",$sel} $XFER_IN" \
		 "istio_tcp_sent_bytes_total{reporter=\"source\",$sel} $XFER_IN" \
		 "istio_tcp_received_bytes_total{reporter=\"destination\",$sel} $XFER_OUT" \
		 "istio_tcp_received_bytes_total{reporter=\"source\",$sel} $XFER_OUT" \
		 "sum(istio_tcp_connections_opened_total{$sel}) 2" \
		 "sum(istio_tcp_connections_closed_total{$sel}) 2"; do
		busywait 15000 _prom_value "${q% *}" "${q##* }" ||
			{ expect_eq "PromQL ${q% *}" "$(promql "${q% *}")" "${q##* }"; return 1; }
	done
	expect_eq "both targets up" "$(promql 'sum(up{job="kztd"})')" 2 || return 1
	# Its scrapes would only slow the tests that follow (TCG).
	kill "$PROM_PID"
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}

# expect_growing NODE PORT FIELD: the flow's stats events, in order, have
# strictly growing FIELD and age_ms, and the end has at least the last.
expect_growing() {
	local ev
	ev=$(events "$1" "$2" | jq -s -c .)
	expect_eq "node$1 stats $3 grows" "$(jq -r --arg f "$3" '
		map(select(.event == "stats")) as $s |
		[range(1; $s | length) | $s[.][$f] > $s[. - 1][$f] and
		 $s[.].age_ms > $s[. - 1].age_ms] | all' <<<"$ev")" true &&
	expect_eq "node$1 end $3 >= last stats" "$(jq -r --arg f "$3" '
		(map(select(.event == "stats")) | last[$f]) <= last[$f] and
		last.event == "end"' <<<"$ev")" true
}

# A streaming flow with flow-stats-interval 1: 3 stats events or more on
# each node, growing; the end carries what the pods counted.
test_stats_growing() {
	local port n ends count
	mesh_kztctl 1 config set flow-stats-interval 1 &&
	mesh_kztctl 2 config set flow-stats-interval 1 || return 1
	server_start b1 && flow_start s a1 b1 || return 1
	port=$(cat "$MESH_DIR/s.port")
	busywait 15000 _has_event 1 "$port" stats 3 &&
	busywait 15000 _has_event 2 "$port" stats 3 || {
		echo "fewer than 3 stats events in 15 s:"; events 1 "$port"; events 2 "$port"; return 1; }
	# The live flow's bytes are in the metrics already (the exact flow's
	# XFER_OUT is in the same label set), and grow; it is not closed.
	_grown() { [ "$(metric "$1" istio_tcp_received_bytes_total)" -gt "$2" ]; }
	n=$(metric 1 istio_tcp_received_bytes_total)
	expect_eq "node1 live flow open, not closed" \
		"$(metric 1 istio_tcp_connections_opened_total) $(metric 1 istio_tcp_connections_closed_total)" \
		"2 1" &&
	[ "$n" -gt "$XFER_OUT" ] && busywait 5000 _grown 1 "$n" &&
	busywait 5000 _grown 2 "$XFER_OUT" ||
		{ echo "live bytes not in the metrics: node1 $n, then $(metric 1 istio_tcp_received_bytes_total)"; return 1; }
	flow_stop s || return 1
	ends=$(flow_ends s) || return 1
	count=$(cut -d' ' -f2 <<<"${ends%%|*}")
	busywait 10000 _has_event 1 "$port" end && busywait 10000 _has_event 2 "$port" end ||
		{ echo "no end event"; return 1; }
	expect_growing 1 "$port" bytes_out && expect_growing 2 "$port" bytes_in &&
	n=$(events 1 "$port" | jq -s 'last | "\(.bytes_out) \(.reason)"') &&
	expect_eq "node1 end: the bytes the client sent" "$n" "\"$count closed\"" &&
	n=$(events 2 "$port" | jq -s 'last | "\(.bytes_in) \(.reason)"') &&
	expect_eq "node2 end: the bytes the server read" "$n" "\"$count closed\""
}

# Interval 0: a live flow gets no stats event (3 s at what was 1 s).
test_stats_off() {
	local port
	mesh_kztctl 1 config set flow-stats-interval 0 &&
	mesh_kztctl 2 config set flow-stats-interval 0 || return 1
	expect_eq "config" "$(mesh_kztctl 1 -j config | json_get flow_stats_interval_s)" 0 || return 1
	flow_start off a1 b1 || return 1
	port=$(cat "$MESH_DIR/off.port")
	busywait 10000 _has_event 1 "$port" start || { echo "no start"; return 1; }
	sleep 3
	flow_stop off || return 1
	busywait 10000 _has_event 1 "$port" end || { echo "no end"; return 1; }
	expect_eq "node1 stats events" \
		"$(events 1 "$port" | jq -s 'map(select(.event == "stats")) | length')" 0
}

# conns N: N short flows a1 -> b1's kzt-stream server at once, each
# through (a byte, then both sides close); their ports.
conns() {
	in_pod a1 /usr/bin/python3 - "${MESH_IP[b1]}" "$PORT" "$1" <<-'PY'
	import socket, sys
	socks = [socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
	         for _ in range(int(sys.argv[3]))]
	for s in socks:
	    s.sendall(b"x")
	    s.shutdown(socket.SHUT_WR)
	for s in socks:
	    while s.recv(4096):
	        pass
	    print(s.getsockname()[1], flush=True)
	    s.close()
	PY
}

# kztd1_reload LINE...: node1's kztd config plus LINEs, SIGHUP, applied.
kztd1_reload() {
	local conf=$MESH_DIR/kztd1.conf n
	n=$(grep -c "reloaded" "$MESH_DIR/kztd1.log")
	{ printf 'certs = %s\nlog_level = debug\n' "$MESH_DIR/certs1"; printf '%s\n' "$@"; } > "$conf"
	kill -HUP "${MESH_KZTD_PID[1]}"
	busywait 10000 _more_lines "$MESH_DIR/kztd1.log" reloaded "$n"
}

_more_lines() { [ "$(grep -c "$2" "$1")" -gt "$3" ]; }

_ended_on_1() { # _ended_on_1 PORT...: node1's monitor has the END of each
	local p
	for p in "$@"; do _has_event 1 "$p" end || return 1; done
}

# access_log_rate = 1: of the 20 lines of 10 flows at once, about one a
# second goes out (one at once, then one per second elapsed); the next
# line after a pause is preceded by a warning of how many were dropped,
# and kzt_access_log_dropped_total counts them. access_log = off: none.
test_access_rate() {
	local ports n_lines told missing p t0 t1
	in_pod b1 ss -Hltn "sport = :$PORT" | grep -q . || server_start b1 || return 1
	kztd1_reload "access_log_rate = 1" || { echo "no reload"; return 1; }
	t0=$(date +%s%3N)
	ports=$(conns 10) || return 1
	# shellcheck disable=SC2086
	busywait 10000 _ended_on_1 $ports || { echo "flows did not end"; return 1; }
	t1=$(date +%s%3N)
	n_lines=0
	for p in $ports; do
		n_lines=$((n_lines + $(access_lines 1 "$p" | wc -l)))
	done
	[ "$n_lines" -lt 20 ] && [ "$n_lines" -le $((2 + (t1 - t0) / 1000)) ] ||
		{ echo "$n_lines of 20 lines written in $((t1 - t0)) ms at 1 a second"; return 1; }
	sleep 1.2
	p=$(conns 1) || return 1
	busywait 10000 _ended_on_1 "$p" || { echo "flow did not end"; return 1; }
	busywait 5000 sh -c "grep -q '\"src.addr\":\"${MESH_IP[a1]}:$p\"' '$MESH_DIR/kztd1.log'" ||
		{ echo "no line after the pause"; return 1; }
	told=$(grep -o 'access log: [0-9]* lines dropped (more than access_log_rate = 1 a second)' \
		"$MESH_DIR/kztd1.log" | awk '{ s += $3 } END { print s + 0 }')
	# The pause's flow: its opened line went out; its complete one may not have.
	missing=$((2 - $(access_lines 1 "$p" | wc -l)))
	expect_eq "lines dropped, told" "$told" "$((20 - n_lines))" &&
	expect_eq "kzt_access_log_dropped_total" \
		"$(scrape 1 | grep '^kzt_access_log_dropped_total ' | cut -d' ' -f2)" "$((told + missing))" ||
		return 1

	kztd1_reload "access_log = off" || { echo "no reload"; return 1; }
	p=$(conns 1) || return 1
	busywait 10000 _ended_on_1 "$p" || { echo "flow did not end"; return 1; }
	expect_eq "access_log = off: lines" "$(access_lines 1 "$p" | wc -l)" 0
}

# Each node lost nothing: the monitors kept up.
test_none_dropped() {
	expect_eq "node1 flow_events_dropped" "$(mesh_stat 1 flow_events_dropped)" 0 &&
	expect_eq "node2 flow_events_dropped" "$(mesh_stat 2 flow_events_dropped)" 0
}

# Unload with the periodic pass armed (interval 1, a live flow) and the
# monitors subscribed: pernet exit stops the pass; nothing is left.
test_unload_with_stats() {
	local port
	mesh_kztctl 1 config set flow-stats-interval 1 &&
	mesh_kztctl 2 config set flow-stats-interval 1 || return 1
	flow_start u a1 b1 || return 1
	port=$(cat "$MESH_DIR/u.port")
	busywait 10000 _has_event 1 "$port" stats || { echo "no stats before unload"; return 1; }
	mesh_kztd_stop 1
	mesh_kztd_stop 2
	rmmod kzt || return 1
	! kzt_loaded
}

run_test --debug "telemetry: two nodes, a monitor on each" test_setup || exit $RET
run_test --debug "telemetry: exact bytes each way, identities, tuple, reason, both nodes" \
	test_exact
run_test "telemetry: kztd istio_tcp_* metrics of the exact flow, both nodes; promtool clean" \
	test_metrics_exact
run_test "telemetry: kztd access log: opened and complete lines of the exact flow" \
	test_access_log
run_test "telemetry: Prometheus scrapes both kztds; PromQL gives the exact bytes" \
	test_prometheus
run_test --debug "telemetry: flow-stats-interval 1: stats grow, end has the pods' count; live bytes in the metrics" \
	test_stats_growing
run_test "telemetry: flow-stats-interval 0: no stats events" test_stats_off
run_test "telemetry: access_log_rate 1: lines dropped, told, counted; access_log off" \
	test_access_rate
run_test "telemetry: no event dropped" test_none_dropped
run_test --debug "telemetry: module unload with the stats pass armed, listeners on" \
	test_unload_with_stats
exit $RET
