#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kztd applies its config file to the kernel, reloads it on SIGHUP (a bad
# file changes nothing), logs configuration changes the kernel multicasts,
# and exits cleanly on SIGTERM. Started as systemd's Type=notify starts
# it (no systemd in the guest: $NOTIFY_SOCKET names a listener of ours),
# it says READY=1 and keeps only CAP_NET_ADMIN, not dumpable. A second
# kztd with a certificate directory keeps an identity's last good pair
# when its renewal is refused, and follows the directory when it is
# replaced by a rename. istiod's name is resolved off kztd's loop: with a
# name server that never answers, readiness and metrics still answer.
#
#   ns node:  kztd -c $TMP/kztd.conf, and kztctl as the operator
#             a datagram listener on the abstract socket $NOTIFY
#   ns certs: kztd -c /dev/null --certs $TMP/certs ($TMP/ca issued them)
#   ns dns:   kztd with xds_address istiod.istio-system.svc:15012, in a
#             mount namespace whose /etc/resolv.conf names 10.9.9.9, a
#             silent address behind a dummy link
source "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d)
NS= PID= LISTENER= CTRL= CPID= DNS= DPID=
NOTIFY=@kzt-notify-$$

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
	[ -n "$CTRL" ] && kill "$CTRL" 2>/dev/null
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	ns_cleanup
	kzt_unload 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd python3 prlimit curl unshare getent

CONF=$TMP/kztd.conf
LOG=$TMP/kztd.log

cfg() { # cfg FIELD
	ip netns exec "$NS" kztctl -j config show | json_get "$1"
}

port_is() { [ "$(cfg tunnel_port)" = "$1" ]; }

test_not_loaded() {
	local out rc
	out=$(without_autoload kztd -c /dev/null --log stderr 2>&1 </dev/null)
	rc=$?
	expect_eq "exit code" "$rc" 1 || return 1
	expect_match "message" "$out" "modprobe kzt"
}

test_check_config() {
	printf 'tunnel_port = 15100\ncapture = on\n' > "$CONF"
	kztd --check-config -c "$CONF" || { echo "valid file refused"; return 1; }
	printf '# comment\n\ntunnel_port = 15100\ncapture = sometimes\n' > "$TMP/bad.conf"
	local out
	out=$(kztd --check-config -c "$TMP/bad.conf" 2>&1) && { echo "bad file accepted"; return 1; }
	expect_match "message" "$out" "bad.conf:4" || return 1
	expect_match "message" "$out" "capture"
}

# The service manager's end of sd_notify: print each datagram received.
notify_listen() {
	ip netns exec "$NS" python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1][1:])
print("bound", flush=True)
while True:
    print(s.recv(4096).decode(errors="replace"), flush=True)
' "$NOTIFY" > "$TMP/notify.log" 2>&1 &
	LISTENER=$!
	busywait 5000 grep -q '^bound$' "$TMP/notify.log"
}

test_start_applies() {
	printf 'tunnel_port = 15100\ncapture = on\nlog_level = debug\n' > "$CONF"
	notify_listen || { echo "notify listener did not start"; cat "$TMP/notify.log"; return 1; }
	NOTIFY_SOCKET=$NOTIFY ip netns exec "$NS" kztd -c "$CONF" --log stderr > "$LOG" 2>&1 &
	PID=$!
	busywait 5000 port_is 15100 || { cat "$LOG"; return 1; }
	expect_eq "capture" "$(cfg capture)" true
}

test_notify_ready() {
	busywait 5000 grep -q '^READY=1$' "$TMP/notify.log" ||
		{ echo "no READY=1:"; cat "$TMP/notify.log" "$LOG"; return 1; }
}

status_of() { # status_of FIELD: kztd's /proc/PID/status value
	sed -n "s/^$1:[[:space:]]*//p" "/proc/$PID/status"
}

# CAP_NET_ADMIN is bit 12: 0x1000, alone in every set that grants.
test_privileges() {
	local f
	for f in CapEff CapPrm CapBnd; do
		expect_eq "$f" "$(status_of $f)" 0000000000001000 || return 1
	done
	expect_eq CapInh "$(status_of CapInh)" 0000000000000000 &&
	expect_eq CapAmb "$(status_of CapAmb)" 0000000000000000 &&
	expect_eq NoNewPrivs "$(status_of NoNewPrivs)" 1
}

# Not dumpable: a fatal signal leaves no core file, where a control
# process killed the same way leaves one. A second kztd, in its own
# namespace, is the one killed; the kernel's core_pattern is the guest's.
test_not_dumpable() {
	local ns2 pid2 rc=0 pattern
	pattern=$(cat /proc/sys/kernel/core_pattern)
	mkdir -p "$TMP/cores"
	echo "$TMP/cores/core.%e.%p" > /proc/sys/kernel/core_pattern
	# prlimit execs its command: the pid stays, its name becomes sleep.
	prlimit --core=unlimited sleep 60 &
	CTRL=$!
	busywait 2000 grep -qx sleep "/proc/$CTRL/comm" && kill -ABRT "$CTRL"
	wait "$CTRL" 2>/dev/null
	CTRL=
	busywait 2000 ls "$TMP"/cores/core.sleep.* > /dev/null 2>&1 ||
		{ echo "control: no core file, the check cannot see one"; rc=1; }
	ns2=$(ns_create node2) || rc=1
	if [ $rc = 0 ]; then
		ip netns exec "$ns2" prlimit --core=unlimited \
			kztd -c /dev/null --log stderr > "$TMP/kztd2.log" 2>&1 &
		pid2=$!
		if busywait 5000 grep -q '^kztd: config: ' "$TMP/kztd2.log"; then
			kill -ABRT "$pid2"
			wait "$pid2" 2>/dev/null
			sleep 0.5	# a core would be written by now
			if ls "$TMP"/cores/core.kztd.* > /dev/null 2>&1; then
				echo "kztd left a core file: it is dumpable"
				rc=1
			fi
		else
			echo "second kztd did not start:"
			cat "$TMP/kztd2.log"
			kill "$pid2"
			rc=1
		fi
	fi
	echo "$pattern" > /proc/sys/kernel/core_pattern
	return $rc
}

test_notification() {
	ip netns exec "$NS" kztctl config set tunnel-port 15222 || return 1
	busywait 5000 grep -q "15222" "$LOG" || { echo "not logged:"; cat "$LOG"; return 1; }
}

test_reload() {
	printf 'tunnel_port = 15300\n' > "$CONF"
	kill -HUP "$PID"
	busywait 5000 port_is 15300 || { cat "$LOG"; return 1; }
	expect_eq "capture untouched" "$(cfg capture)" true
}

test_bad_reload() {
	printf 'tunnel_port = 0\ncapture = off\n' > "$CONF"
	kill -HUP "$PID"
	busywait 5000 grep -q "kztd.conf:1" "$LOG" || { echo "no error logged:"; cat "$LOG"; return 1; }
	expect_eq "port" "$(cfg tunnel_port)" 15300 &&
	expect_eq "capture" "$(cfg capture)" true &&
	kill -0 "$PID"
}

test_sigterm() {
	kill -TERM "$PID"
	wait "$PID"
	local rc=$?
	PID=
	expect_eq "exit status" "$rc" 0
}

# ---- certificate directory ----

CLOG=$TMP/kztd-certs.log
WEB=spiffe://cluster.local/ns/default/sa/web

issue() { # issue SPIFFE_ID DIR
	kztctl ca issue --ca "$TMP/ca" "$1" --out "$2" > /dev/null
}

reloads() { grep -c 'reloaded .*identit' "$CLOG"; }

# reloaded_after N PATTERN: a reload after the Nth logged PATTERN.
reloaded_after() {
	[ "$(reloads)" -gt "$1" ] && grep 'reloaded .*identit' "$CLOG" | tail -n 1 | grep -q "$2"
}

test_certs_start() {
	local ns
	kztctl ca init --dir "$TMP/ca" > /dev/null &&
	issue "$WEB" "$TMP/certs" &&
	issue spiffe://cluster.local/ns/default/sa/db "$TMP/certs" || return 1
	ns=$(ns_create certs) || return 1
	ip netns exec "$ns" kztd -c /dev/null --certs "$TMP/certs" --log stderr > "$CLOG" 2>&1 &
	CPID=$!
	busywait 5000 grep -q 'handling handshakes (2 local identities)' "$CLOG" ||
		{ cat "$CLOG"; return 1; }
}

# A renewal that left web's .crt cut short: web stays, on its last good pair.
test_keep_last_good() {
	local n
	n=$(reloads)
	printf -- '-----BEGIN CERTIFICATE-----\nMIIB\n' > "$TMP/certs/default.web.crt"
	busywait 5000 reloaded_after "$n" ": 2 identities, some pairs refused" ||
		{ echo "no reload with 2 identities:"; cat "$CLOG"; return 1; }
	expect_match "log" "$(cat "$CLOG")" "keeping the last good pair of $WEB \(default.web.crt\) until [0-9-]+ [0-9:]+ UTC"
}

# mv certs away, mv a new directory in: watched again, and its changes seen.
test_dir_renamed() {
	local n
	issue "$WEB" "$TMP/certs.new" &&
	issue spiffe://cluster.local/ns/default/sa/api "$TMP/certs.new" || return 1
	n=$(reloads)
	mv "$TMP/certs" "$TMP/certs.old" && mv "$TMP/certs.new" "$TMP/certs" || return 1
	busywait 5000 reloaded_after "$n" ": 2 identities$" ||
		{ echo "the new directory was not loaded:"; cat "$CLOG"; return 1; }
	n=$(reloads)
	issue spiffe://cluster.local/ns/default/sa/extra "$TMP/certs" || return 1
	busywait 5000 reloaded_after "$n" ": 3 identities$" ||
		{ echo "a change in the new directory was missed:"; cat "$CLOG"; return 1; }
	# Neither the old inode, renamed away, nor the parent's other
	# entries are what kztd follows.
	n=$(reloads)
	issue spiffe://cluster.local/ns/default/sa/old "$TMP/certs.old" || return 1
	touch "$TMP/unrelated" && mv "$TMP/unrelated" "$TMP/unrelated2" || return 1
	sleep 0.5
	expect_eq "reloads after changes beside certs" "$(reloads)" "$n"
}

# ---- istiod's name, with a name server that never answers ----

DLOG=$TMP/kztd-dns.log

# in_dns CMD...: CMD in ns dns, with $TMP/resolv.conf as /etc/resolv.conf
# (the guest's /etc is read-only: a bind mount in a mount namespace).
in_dns() {
	ip netns exec "$DNS" unshare -m sh -c \
		'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$TMP/resolv.conf" "$@"
}

# answers: the HTTP codes of readiness and metrics, each given 1 s (000:
# no answer); one curl, as each process start costs a second under TCG.
answers() {
	ip netns exec "$DNS" curl -s -m 1 -w '%{http_code} ' \
		-o /dev/null 127.0.0.1:15021/healthz/ready \
		-o /dev/null 127.0.0.1:15020/stats/prometheus
}

test_dns_stuck() {
	local rc=0 i t0 t1 code
	DNS=$(ns_create dns) || return 1
	# Queries to 10.9.9.9 leave through d0 (a dummy: dropped, no error).
	ip -n "$DNS" link add d0 type dummy &&
	ip -n "$DNS" addr add 10.9.9.1/24 dev d0 &&
	ip -n "$DNS" link set d0 up || return 1
	printf 'nameserver 10.9.9.9\noptions timeout:5 attempts:2\n' > "$TMP/resolv.conf"
	# The set-up holds: a lookup there hangs (it would fail at once if
	# the query had nowhere to go).
	t0=$(date +%s%3N)
	in_dns timeout 2 getent hosts x.invalid
	code=$?
	t1=$(date +%s%3N)
	[ "$code" = 124 ] && [ $((t1 - t0)) -ge 1900 ] ||
		{ echo "set-up: getent ended ($code) after $((t1 - t0)) ms: the name server answers"; return 1; }
	kztctl ca init --dir "$TMP/dnsca" > /dev/null && printf 'tok\n' > "$TMP/dnstoken" || return 1
	cat > "$TMP/kztd-dns.conf" <<-EOF
	xds_address = istiod.istio-system.svc:15012
	xds_root_cert = $TMP/dnsca/ca.crt
	xds_token = $TMP/dnstoken
	metrics_address = 127.0.0.1:15020
	readiness_address = 127.0.0.1:15021
	EOF
	NODE_NAME=node-1 in_dns kztd -c "$TMP/kztd-dns.conf" --log stderr > "$DLOG" 2>&1 &
	DPID=$!
	busywait 5000 grep -q 'readiness: listening' "$DLOG" ||
		{ echo "kztd did not start within 5 s:"; cat "$DLOG"; return 1; }
	# Over 6 s or more while the name does not resolve (the resolver waits
	# 10 s), readiness says 503 and metrics answer, each within 1 s.
	for i in 1 2 3 4; do
		t0=$(date +%s%3N)
		code=$(answers)
		expect_eq "readiness and metrics codes at check $i" "$code" "503 200 " || rc=1
		t1=$(date +%s%3N)
		[ $i = 4 ] || [ $((t1 - t0)) -ge 2000 ] ||
			sleep "$(printf '%d.%03d' $(((2000 - (t1 - t0)) / 1000)) $(((2000 - (t1 - t0)) % 1000)))"
	done
	# The connect deadline (10 s) covers the resolution.
	busywait 6000 grep -q "the name did not resolve within 10000 ms" "$DLOG" ||
		{ echo "no deadline message:"; rc=1; }
	[ $rc = 0 ] || cat "$DLOG"
	return $rc
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
run_test "kztd: refuses to start without kzt, says modprobe kzt" test_not_loaded
run_test "kztd: --check-config accepts good, names file:line of bad" test_check_config
kzt_load || { log_test "kztd: load kzt" 1; exit $RET; }
NS=$(ns_create node)
run_test "kztd: applies its config file at start" test_start_applies
run_test "kztd: tells the service manager READY=1 (sd_notify)" test_notify_ready
run_test "kztd: keeps only CAP_NET_ADMIN, no_new_privs, after start" test_privileges
run_test "kztd: is not dumpable (no core file on SIGABRT)" test_not_dumpable
run_test "kztd: logs a change made by kztctl" test_notification
run_test "kztd: SIGHUP reloads the file" test_reload
run_test "kztd: a bad file on SIGHUP changes nothing" test_bad_reload
run_test "kztd: SIGTERM exits 0" test_sigterm
run_test "kztd: loads a certificate directory" test_certs_start
run_test "kztd: a refused renewal keeps the last good pair" test_keep_last_good
run_test "kztd: a directory replaced by rename is watched again" test_dir_renamed
run_test "kztd: answers readiness and metrics while istiod's name does not resolve" \
	test_dns_stuck
exit $RET
