#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kztd's HTTP servers: Prometheus scrapes (GET /stats/prometheus) give the
# node's counters exactly as `kztctl stats` reads them, in a format
# promtool accepts; the readiness probe says ready once kztd runs and 503
# when the module is gone. Hostile clients (silent, slow, oversized,
# too many) never stop a scrape for longer than a client deadline, and
# the addresses follow the config file on SIGHUP.
#
#   ns node: kztd -c $TMP/kztd.conf (metrics on 15120, readiness 15121)
source "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d)
NS= PID= HOLDER=

cleanup() {
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	ns_cleanup
	kzt_unload 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd curl promtool /usr/bin/python3

CONF=$TMP/kztd.conf
LOG=$TMP/kztd.log
M=http://127.0.0.1:15120
R=http://127.0.0.1:15121

get() { # get URL [CURL-ARGS...]: the body; fails on a refused connection
	ip netns exec "$NS" curl -sS --max-time 10 "$@"
}

code() { # code URL [CURL-ARGS...]: the HTTP status
	get "$@" -o /dev/null -w '%{http_code}'
}

test_start() {
	printf 'metrics_address = 0.0.0.0:15120\nreadiness_address = 127.0.0.1:15121\n' > "$CONF"
	ip netns exec "$NS" kztd -c "$CONF" --log stderr > "$LOG" 2>&1 &
	PID=$!
	busywait 5000 get "$R/healthz/ready" -o /dev/null ||
		{ echo "readiness not served:"; cat "$LOG"; return 1; }
	expect_eq "ready" "$(get "$R/healthz/ready")" ready
}

# Every kztctl counter, as kzt_<key>_total, with the value kztctl reads
# (nothing moves them meanwhile: no traffic in this namespace); kztd's own
# counters and the istio_tcp_* families (none yet) are there too.
test_counters() {
	local want got
	ip netns exec "$NS" kztctl config set tunnel-port 15008 || return 1
	want=$(ip netns exec "$NS" kztctl -j stats | grep -o '"[a-z0-9_]*":[0-9]*' |
	       sed 's/^"\(.*\)":/kzt_\1_total /' | sort) || return 1
	get "$M/stats/prometheus" > "$TMP/scrape" || return 1
	# kztd's own (kzt_ca_*, ..., Documentation/telemetry.rst) are not the node's.
	got=$(grep '^kzt_' "$TMP/scrape" |
	      grep -Ev '^kzt_(ca|handshakes|xds|telemetry|access_log)_' | sort)
	[ "$(echo "$want" | wc -l)" -ge 40 ] || { echo "kztctl gave: $want"; return 1; }
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); return 1; }
	promtool check metrics < "$TMP/scrape" || return 1
	expect_eq "kztd's own: no istiod, no certificates, no flows" \
		"$(grep -E '^(kzt_ca_certificates_issued_total|kzt_xds_connected|kzt_telemetry_flows) ' \
			"$TMP/scrape" | tr '\n' ' ')" \
		"kzt_ca_certificates_issued_total 0 kzt_xds_connected 0 kzt_telemetry_flows 0 " &&
	expect_eq "istio_tcp_* families, no samples" \
		"$(grep -c '^# TYPE istio_tcp_[a-z_]*_total counter$' "$TMP/scrape") $(grep -c '^istio_' "$TMP/scrape")" \
		"4 0" || return 1
	expect_match "content type" \
		"$(get "$M/stats/prometheus" -o /dev/null -w '%{content_type}')" \
		'^text/plain; version=0.0.4'
}

test_http_errors() {
	expect_eq "unknown path" "$(code "$M/nope")" 404 &&
	expect_eq "readiness path on metrics" "$(code "$M/healthz/ready")" 404 &&
	expect_eq "POST" "$(code "$M/stats/prometheus" -X POST -d x)" 405 &&
	expect_eq "HEAD body" "$(get "$M/stats/prometheus" -I | grep -c '^kzt_')" 0 &&
	expect_eq "query ignored" "$(code "$M/metrics?x=1")" 200 &&
	expect_eq "HTTP/1.0" "$(code "$M/metrics" --http1.0)" 200
}

# Raw requests, one connection each: the status line of each reply.
raw_requests() {
	ip netns exec "$NS" /usr/bin/python3 - <<'EOF'
import socket
for req in [b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 5000 + b"\r\n\r\n",
            b"GET /metrics\0 HTTP/1.1\r\n\r\n",
            b"GET /metrics\r\n\r\n",
            b"GET /metrics HTTP/2.0\r\n\r\n"]:
    s = socket.create_connection(("127.0.0.1", 15120), timeout=10)
    s.sendall(req)
    print(s.makefile("rb").readline().decode(errors="replace").strip())
    s.close()
EOF
}

test_bad_requests() {
	local out
	out=$(raw_requests | tr '\n' ' ')
	expect_eq "5000-byte head, NUL, no version, HTTP/2.0" "$out" \
		"HTTP/1.1 431 Request Header Fields Too Large HTTP/1.1 400 Bad Request HTTP/1.1 400 Bad Request HTTP/1.1 505 HTTP Version Not Supported " &&
	kill -0 "$PID"
}

# Hold N silent connections open in the background until killed.
hold() { # hold N
	ip netns exec "$NS" /usr/bin/python3 - "$1" > "$TMP/hold.log" 2>&1 <<'EOF' &
import socket, sys, time
held = [socket.create_connection(("127.0.0.1", 15120)) for _ in range(int(sys.argv[1]))]
print("held", len(held), flush=True)
time.sleep(60)
EOF
	HOLDER=$!
	busywait 10000 grep -q '^held' "$TMP/hold.log"
}

# 20 silent clients: the 16 slots fill, the rest are closed at once (and
# warned about); within the 5 s client deadline the slots free and a
# scrape works again, while kztd answered its other server throughout.
test_silent_clients() {
	hold 20 || { cat "$TMP/hold.log"; return 1; }
	busywait 5000 grep -q 'metrics: 16 connections open: closing a new one' "$LOG" ||
		{ echo "no warning:"; cat "$LOG"; return 1; }
	expect_eq "readiness while metrics is full" "$(get "$R/healthz/ready")" ready || return 1
	busywait 10000 get "$M/metrics" -o /dev/null ||
		{ echo "no scrape within 10 s"; return 1; }
	kill "$HOLDER"
	HOLDER=
}

test_reload_address() {
	printf 'metrics_address = [::]:15130\nreadiness_address = off\n' > "$CONF"
	kill -HUP "$PID"
	busywait 5000 get http://[::1]:15130/metrics -o /dev/null ||
		{ echo "not serving on [::]:15130:"; cat "$LOG"; return 1; }
	expect_eq "IPv4 on [::]" "$(code http://127.0.0.1:15130/metrics)" 200 &&
	expect_eq "old metrics port" "$(code "$M/metrics")" 000 &&
	expect_eq "readiness off" "$(code "$R/healthz/ready")" 000
}

test_bad_address() {
	printf 'metrics_address = 10.0.0.1\n' > "$TMP/bad.conf"
	local out
	out=$(kztd --check-config -c "$TMP/bad.conf" 2>&1) && { echo "accepted: $out"; return 1; }
	expect_match "message" "$out" "bad.conf:1: metrics_address: invalid value '10.0.0.1': expected ADDR:PORT"
}

test_module_gone() {
	printf 'metrics_address = 127.0.0.1:15120\nreadiness_address = 127.0.0.1:15121\n' > "$CONF"
	kill -HUP "$PID"
	busywait 5000 get "$R/healthz/ready" -o /dev/null || { cat "$LOG"; return 1; }
	ip netns exec "$NS" kztctl config set capture off || return 1
	kzt_unload || { echo "rmmod failed"; return 1; }
	busywait 5000 grep -q 'kzt module' "$LOG" || { cat "$LOG"; return 1; }
	expect_eq "readiness" "$(code "$R/healthz/ready")" 503 &&
	expect_match "readiness says why" "$(get "$R/healthz/ready")" "module not loaded" &&
	expect_eq "metrics" "$(code "$M/metrics")" 503 || return 1
	kzt_load || return 1
	busywait 5000 get "$R/healthz/ready" -f -o /dev/null ||
		{ echo "not ready after the module came back:"; cat "$LOG"; return 1; }
	expect_eq "metrics again" "$(code "$M/metrics")" 200
}

kzt_load || { log_test "metrics: load kzt" 1; exit $RET; }
NS=$(ns_create metrics)
run_test --debug "metrics: kztd serves readiness once started" test_start
run_test "metrics: every kztctl counter scraped with its value; promtool clean" test_counters
run_test "metrics: wrong path 404, POST 405, HEAD no body, HTTP/1.0" test_http_errors
run_test "metrics: oversized, NUL and bad request lines refused" test_bad_requests
run_test "metrics: silent clients hold a slot only until the deadline" test_silent_clients
run_test "metrics: SIGHUP moves the servers; off closes one" test_reload_address
run_test "metrics: a bad address is refused with file:line" test_bad_address
run_test --debug "metrics: module unloaded: 503 until it is back" test_module_gone
exit $RET
