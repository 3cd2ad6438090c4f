#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fuzz layer: build the libFuzzer harnesses of tests/fuzz/ and run each
# for a bounded time (KZT_FUZZ_SECONDS, default 20) from its seed corpus.
# Prints "TEST: fuzz: <target> ran N execs, no crash [ OK ]" per target. A
# crash, leak, sanitizer report or timeout fails the target and leaves the
# reproducer (crash-*, leak-*, timeout-*) and the log in
# tests/out/fuzz/<target>/; replay it with tests/fuzz/<target> FILE.
#
# The seeds in tests/fuzz/corpus/ are not modified: each run starts from a
# copy in tests/out/fuzz/<target>/corpus, where new inputs are added.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/tests/out/fuzz
SECONDS_EACH=${KZT_FUZZ_SECONDS:-20}
source "$ROOT/tests/result.sh"

if ! command -v clang >/dev/null; then
	echo "fuzz: clang is needed (make deps)" >&2
	exit 1
fi
make -C "$ROOT/tests/fuzz" --no-print-directory || exit 1

# fuzz TARGET SEED_DIR...
fuzz() {
	local target=$1 dir=$OUT/$1 log status execs
	shift
	rm -rf "$dir"
	mkdir -p "$dir/corpus"
	for seeds in "$@"; do
		cp "$seeds"/* "$dir/corpus/"
	done
	"$ROOT/tests/fuzz/$target" "$dir/corpus" \
		-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/" \
		>"$dir/log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	if [ "$status" -eq 0 ] && [ -n "$execs" ]; then
		result "fuzz: $target ran $execs execs, no crash" 0
	else
		tail -n 40 "$dir/log"
		echo "fuzz: $target: reproducer and log in ${dir#"$ROOT"/}/:" \
			"$(cd "$dir" && ls crash-* leak-* timeout-* oom-* 2>/dev/null | tr '\n' ' ')"
		result "fuzz: $target failed (exit $status) after ${execs:-?} execs" 1
	fi
}

fuzz fuzz_apply "$ROOT/tests/fuzz/corpus/apply" "$ROOT/Documentation/examples"
fuzz fuzz_spiffe "$ROOT/tests/fuzz/corpus/spiffe"
fuzz fuzz_conf "$ROOT/tests/fuzz/corpus/conf"
fuzz fuzz_nlreply "$ROOT/tests/fuzz/corpus/nlreply"
fuzz fuzz_creds "$ROOT/tests/fuzz/corpus/creds"
# Seeds made from proto/ by protoc's Python code, now (no binaries kept).
rm -rf "$OUT/seeds-xds"
if /usr/bin/python3 "$ROOT/tests/fuzz/gen-xds-seeds.py" "$OUT/seeds-xds"; then
	fuzz fuzz_xds "$OUT/seeds-xds"
else
	result "fuzz: fuzz_xds seeds from proto/" 1
fi
exit $rc
