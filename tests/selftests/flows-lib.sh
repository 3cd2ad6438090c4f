#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Long-lived flows in the mesh of mesh-lib.sh, and what a test asks of
# them: ended by a reset within a bound, listed with a reason, or intact
# (same bytes and sha256 on both sides). Source it after lib.sh and
# mesh-lib.sh; set PORT.
# kzt-stream (tests/selftests/kzt-stream) is the pod side of each flow.
# Used by changes.sh and trust.sh.

SERVER_PIDS=()
CLIENT_PIDS=()

# The longest a revocation may take, from the change in force (its
# command returned) to the reset seen by a pod, in seconds: 1 s; 3 s on
# the debug kernel (KASAN, lockdep, TCG), where everything takes several
# times longer (the debug layer is about lifetimes and locking, the stock
# layer proves the latency).
case $(uname -r) in
*debug*) REVOKE_WITHIN=3.0 ;;
*) REVOKE_WITHIN=1.0 ;;
esac

flows_cleanup() {
	local p
	for p in "${CLIENT_PIDS[@]}" "${SERVER_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
}

# Not through in_pod: $! must be kzt-stream itself (see mesh_kztd_start).
server_start() { # server_start POD: kzt-stream server on $PORT
	mkdir -p "$MESH_DIR/srv-$1"
	ip netns exec "$(mesh_ns "$1")" kzt-stream server "$PORT" "$MESH_DIR/srv-$1" &
	SERVER_PIDS+=($!)
	busywait 10000 in_pod "$1" sh -c "ss -Hltn 'sport = :$PORT' | grep -q ."
}

# flow_start NAME FROM TO [idle]: a streaming (or idle) flow from pod FROM
# to pod TO's server.
flow_start() {
	local name=$1 from=$2 to=$3
	rm -f "$MESH_DIR/$name" "$MESH_DIR/$name.port"
	ip netns exec "$(mesh_ns "$from")" kzt-stream client "${MESH_IP[$to]}" "$PORT" \
		"$MESH_DIR/$name" ${4:-} &
	CLIENT_PIDS+=($!)
	eval "FLOW_PID_$name=$!"
	eval "FLOW_TO_$name=$to"
	busywait 10000 test -s "$MESH_DIR/$name.port" || {
		echo "flow $name ($from -> $to) did not connect"; return 1; }
	# Both nodes carry it before the change (tunnelled flows).
	sleep 0.3
}

# flow_stop NAME: end a flow the clean way (a no-op for one that ended).
# A flow whose close does not go through in 10 s is a failure, never a
# hang: the client is killed and both nodes' flows are shown.
flow_stop() {
	local pid
	eval "pid=\$FLOW_PID_$1"
	kill -TERM "$pid" 2>/dev/null
	if ! busywait 10000 _flow_gone "$pid"; then
		echo "flow $1: no clean close within 10 s of SIGTERM"
		mesh_kztctl 1 conn
		mesh_kztctl 2 conn
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 1
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# _flow_gone PID: exited (a zombie until waited for counts as gone).
_flow_gone() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "${st%% *}" = Z ]
}

# flow_ends NAME: "CLIENT_LINE|SERVER_LINE", once both ends wrote theirs.
flow_ends() {
	local to port
	eval "to=\$FLOW_TO_$1"
	port=$(cat "$MESH_DIR/$1.port")
	busywait 10000 test -s "$MESH_DIR/srv-$to/$port" -a -s "$MESH_DIR/$1" || {
		echo "flow $1 has not ended on both sides" >&2; return 1; }
	echo "$(cat "$MESH_DIR/$1")|$(cat "$MESH_DIR/srv-$to/$port")"
}

# expect_resets WITHIN T0 SIDE LINE [SIDE LINE]: each kzt-stream end line
# is a reset within WITHIN seconds of T0.
expect_resets() {
	python3 - "$@" <<-'EOF'
	import sys
	within, t0, args = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
	bad = []
	for side, line in zip(args[::2], args[1::2]):
	    end, _, _, t = line.split()
	    if end not in ("ECONNRESET", "EPIPE"):
	        bad.append(f"{side} ended with {end}, not a reset")
	    elif float(t) - t0 > within:
	        bad.append(f"{side} reset {float(t) - t0:.3f} s after the change")
	sys.exit("; ".join(bad) or None)
	EOF
}

# expect_revoked NAME T0 [WITHIN]: both pods saw a reset within WITHIN
# (default REVOKE_WITHIN) seconds of T0.
expect_revoked() {
	local ends
	ends=$(flow_ends "$1") || return 1
	expect_resets "${3:-$REVOKE_WITHIN}" "$2" client "${ends%%|*}" server "${ends#*|}"
}

# expect_intact NAME: the flow still streams; stopped, both sides agree.
expect_intact() {
	local name=$1 ends c s pid
	eval "pid=\$FLOW_PID_$name"
	kill -0 "$pid" 2>/dev/null || { echo "flow $name ended: $(cat "$MESH_DIR/$name")"; return 1; }
	flow_stop "$name" || return 1
	ends=$(flow_ends "$name") || return 1
	c=${ends%%|*} s=${ends#*|}
	expect_eq "$name client end" "${c%% *}" eof &&
	expect_eq "$name server end" "${s%% *}" eof &&
	expect_eq "$name bytes and sha256" "$(cut -d' ' -f2,3 <<<"$s")" \
		"$(cut -d' ' -f2,3 <<<"$c")"
}

_lists_end() { # _lists_end NODE WHY PORT
	mesh_kztctl "$1" -j conn |
		jq -e --arg why "$2" --argjson port "$3" \
		'any(.connections[]; .end == $why and .source.port == $port and
		     .state == "closing")' > /dev/null
}

# expect_reason NODE WHY FLOW: the node lists the flow, closing:WHY.
expect_reason() {
	local port
	port=$(cat "$MESH_DIR/$3.port")
	busywait 5000 _lists_end "$1" "$2" "$port" || {
		echo "node$1 does not show flow $3 (source port $port) closing:$2"
		mesh_kztctl "$1" conn
		return 1
	}
}

now() { date +%s.%N; }
