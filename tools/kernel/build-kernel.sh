#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh - build (once) and cache the kzt debug + KUnit kernel.
#
# Builds Debian's linux-source-6.12 with tools/kernel/kzt-debug.config
# (KASAN, lockdep, KUnit, 9p/virtio, netfilter/TPROXY, kTLS) into
#   ${KZT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kzt}/kernel/<srcver>-<key>/
# where <key> hashes the fragment's option lines, this script's
# BUILD_SCRIPT_VERSION and the tarball's identity. A rerun with everything cached takes well under a second.
# See Documentation/debug-kernel.rst.
#
# Usage: build-kernel.sh [--print-env | --prune] [-h|--help]
#   (no option)   build if needed, then print the env lines on stdout
#   --print-env   print the env lines if the kernel is built, else exit 1
#   --prune       delete the other cache entries (older sources or fragments)
#
# Output (stdout, also in <cachedir>/env, sourceable):
#   KZT_DEBUG_KERNEL=<bzImage>  KZT_DEBUG_MODULES=<modroot (INSTALL_MOD_PATH)>
#   KZT_DEBUG_KDIR=<O= build dir, for make -C ... M=...>  KZT_DEBUG_KVER=<uname -r>
#   KZT_DEBUG_SRC=<kernel source tree>  KZT_DEBUG_MACHINE=<kzt-vm --machine>
#
# Environment: KZT_CACHE (cache root), KZT_KERNEL_TARBALL (default
# /usr/src/linux-source-6.12.tar.xz), KZT_JOBS (default: nproc).
# Progress goes to stderr; the full build log is <cachedir>/build.log.

set -euo pipefail

# Everything is in main() so that bash has parsed the whole script before it
# runs: editing or checking out this file during a long build is then safe.
main() {
	# Bump when the build procedure changes in a way that changes its outputs.
	BUILD_SCRIPT_VERSION=2

	prog=${0##*/}
	script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	fragment="$script_dir/kzt-debug.config"
	tarball=${KZT_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
	cache_root=${KZT_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/kzt}
	jobs=${KZT_JOBS:-$(nproc)}

	say() { printf '%s: %s\n' "$prog" "$*" >&2; }
	die() { printf '%s: error: %s\n' "$prog" "$1" >&2; exit "${2:-1}"; }

	mode=build
	case "${1:-}" in
	"") ;;
	--print-env) mode=print ;;
	--prune) mode=prune ;;
	-h|--help) awk 'NR < 3 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; exit 0 ;;
	*) die "unknown option: $1 (see --help)" 2 ;;
	esac
	[ $# -le 1 ] || die "too many arguments (see --help)" 2

	[ -f "$fragment" ] || die "config fragment $fragment is missing"
	if [ ! -f "$tarball" ]; then
		[ "$mode" = print ] && { say "kernel not built: $tarball is missing (run make deps)"; exit 1; }
		die "$tarball not found: run make deps (it installs linux-source-6.12)"
	fi

	# --- identify the source and the cache key -----------------------------------
	tb_name=$(basename "$tarball")
	topdir=${tb_name%.tar.*}
	tb_id="$tb_name $(stat -c '%s %Y' "$tarball")"
	mkdir -p "$cache_root/kernel"

	# Reading the version needs ~1 s of xz; remember it per tarball identity.
	srcver_file="$cache_root/kernel/.srcver-$(printf '%s' "$tb_id" | sha256sum | cut -c1-16)"
	if [ -s "$srcver_file" ]; then
		srcver=$(cat "$srcver_file")
	else
		srcver=$(tar -xJOf "$tarball" --occurrence=1 "$topdir/Makefile" 2>/dev/null | awk '
			/^VERSION *=/     { v = $3 }
			/^PATCHLEVEL *=/  { p = $3 }
			/^SUBLEVEL *=/    { s = $3 }
			/^EXTRAVERSION *=/ { e = $3 }
			/^NAME *=/        { exit }
			END { if (v != "") printf "%s.%s.%s%s", v, p, s, e }') || true
		[ -n "$srcver" ] || die "cannot read the kernel version from $tarball (expected $topdir/Makefile in it)"
		printf '%s\n' "$srcver" >"$srcver_file.tmp.$$" && mv -f "$srcver_file.tmp.$$" "$srcver_file"
	fi

	# Only the option lines count: editing a comment does not cost a rebuild.
	key=$( {
		printf 'build-kernel.sh v%s\n%s\n' "$BUILD_SCRIPT_VERSION" "$tb_id"
		grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set)' "$fragment" | sed 's/[[:space:]]*$//'
	} | sha256sum | cut -c1-12)
	dir="$cache_root/kernel/$srcver-$key"
	src="$dir/src"
	obj="$dir/build"
	modroot="$dir/modroot"
	log="$dir/build.log"

	# A complete cache entry has all of these.
	is_complete() {
		[ -f "$dir/.complete" ] && [ -s "$dir/kver" ] || return 1
		local kver
		kver=$(cat "$dir/kver")
		[ -f "$dir/bzImage" ] && [ -f "$src/Makefile" ] && [ -f "$obj/Module.symvers" ] &&
			[ -x "$obj/scripts/mod/modpost" ] && [ -f "$modroot/lib/modules/$kver/modules.dep" ]
	}

	print_env() {
		cat "$dir/env"
	}

	if [ "$mode" = prune ]; then
		for d in "$cache_root"/kernel/*/; do
			d=${d%/}
			[ "$d" = "$dir" ] && continue
			exec 8>"$d/.lock"
			if flock -n 8; then
				say "removing $d ($(du -sh "$d" 2>/dev/null | cut -f1))"
				rm -rf "$d"
			else
				say "keeping $d: in use"
			fi
			exec 8>&-
		done
		exit 0
	fi

	if is_complete; then
		print_env
		exit 0
	fi
	if [ "$mode" = print ]; then
		say "kernel not built yet ($dir); run $0"
		exit 1
	fi

	# --- build, under a lock ------------------------------------------------------
	mkdir -p "$dir"
	exec 9>"$dir/.lock"
	if ! flock -n 9; then
		say "another build of $dir is running; waiting for it"
		flock 9
	fi
	if is_complete; then # the other build finished it
		print_env
		exit 0
	fi

	child_pid=
	trap 'if [ -n "$child_pid" ]; then kill "$child_pid" 2>/dev/null || true; fi' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	t_start=$(date +%s)
	elapsed() { local s=$(( $(date +%s) - t_start )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

	# Run a command with its output appended to the build log; print a heartbeat
	# every minute; show the log tail on failure.
	run_logged() {
		local what=$1; shift
		say "$what ($(elapsed) so far; log: $log)"
		printf '\n### %s: %s\n### %s\n' "$(date '+%F %T')" "$what" "$*" >>"$log"
		"$@" >>"$log" 2>&1 &
		local pid=$! rc=0 n=0
		child_pid=$pid
		while kill -0 "$pid" 2>/dev/null; do
			sleep 1
			n=$((n + 1))
			if [ $((n % 60)) -eq 0 ]; then
				say "  ... $what: $(elapsed): $(tail -n 1 "$log" | cut -c1-100)"
			fi
		done
		wait "$pid" || rc=$?
		child_pid=
		if [ "$rc" -ne 0 ]; then
			say "FAILED ($rc): $what; last lines of $log:"
			tail -n 40 "$log" >&2
			exit 1
		fi
	}

	kmake() { make -C "$src" O="$obj" "$@"; }

	say "kernel $srcver (fragment key $key) -> $dir"
	: >>"$log"

	# 1. Source tree. Unpacking the same tarball at the same path restores the same
	#    file times, so an existing build dir does not recompile afterwards.
	if [ ! -f "$src/.kzt-unpacked" ]; then
		rm -rf "$src" "$src.partial"
		mkdir -p "$src.partial"
		run_logged "unpacking $tarball" \
			tar -xJf "$tarball" -C "$src.partial" --strip-components=1 --no-same-owner
		touch "$src.partial/.kzt-unpacked"
		mv "$src.partial" "$src"
	fi

	# 2. Configuration: the fragment and nothing else (every other option
	#    with a prompt off).
	mkdir -p "$obj"
	if [ ! -f "$obj/.kzt-config-ok" ]; then
		run_logged "make allnoconfig + $fragment" \
			kmake KCONFIG_ALLCONFIG="$fragment" allnoconfig
	fi

	# Verify every option of the fragment in the resolved .config:
	#   =y must be y; =m must be m (or y); =value must match; "is not set" must be unset.
	bad=$(awk '
		FNR == NR {
			if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) {
				k = substr($0, 1, RLENGTH - 1); v = substr($0, RLENGTH + 1)
			} else if (match($0, /^# CONFIG_[A-Za-z0-9_]+ is not set/)) {
				k = $2; v = "n"
			} else {
				next
			}
			if (!(k in want)) order[++n] = k
			want[k] = v
			next
		}
		match($0, /^CONFIG_[A-Za-z0-9_]+=/) { got[substr($0, 1, RLENGTH - 1)] = substr($0, RLENGTH + 1) }
		END {
			for (i = 1; i <= n; i++) {
				k = order[i]; w = want[k]; g = (k in got) ? got[k] : "n"
				if (w == g || (w == "m" && g == "y")) continue
				if (w == "n" && g == "") continue
				printf "  %s: wanted %s, got %s\n", k, w, g
			}
		}' "$fragment" "$obj/.config")
	if [ -n "$bad" ]; then
		rm -f "$obj/.kzt-config-ok"
		die "$(printf 'these options of %s did not survive make allnoconfig\n(missing dependency? add it to the fragment):\n%s' "$fragment" "$bad")"
	fi
	touch "$obj/.kzt-config-ok"
	say "config verified: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$fragment") options of the fragment are as requested"

	# 3. Kernel + in-tree modules, and what out-of-tree module builds need.
	run_logged "make -j$jobs (bzImage, modules)" kmake -j"$jobs" all
	run_logged "make modules_prepare" kmake -j"$jobs" modules_prepare
	kver=$(kmake -s kernelrelease)
	[ -n "$kver" ] || die "cannot get the kernel release from $obj"

	# 4. Module tree for the guest: modroot/lib/modules/<kver>/ with depmod data.
	depmod_bin=$(command -v depmod 2>/dev/null || true)
	if [ -z "$depmod_bin" ]; then # non-root PATH often lacks /usr/sbin
		for d in /usr/sbin/depmod /sbin/depmod; do
			if [ -x "$d" ]; then depmod_bin=$d; break; fi
		done
	fi
	[ -n "$depmod_bin" ] || die "depmod not found (install kmod)"
	rm -rf "$modroot.partial"
	run_logged "make modules_install" \
		kmake INSTALL_MOD_PATH="$modroot.partial" DEPMOD="$depmod_bin" modules_install
	# Drop the build/source links into the cache dir (the guest does not need them).
	rm -f "$modroot.partial/lib/modules/$kver/build" "$modroot.partial/lib/modules/$kver/source"
	run_logged "depmod" "$depmod_bin" -b "$modroot.partial" "$kver"
	rm -rf "$modroot"
	mv "$modroot.partial" "$modroot"

	cp "$obj/arch/x86/boot/bzImage" "$dir/bzImage.partial"
	mv -f "$dir/bzImage.partial" "$dir/bzImage"
	cp "$obj/.config" "$dir/config"
	printf '%s\n' "$kver" >"$dir/kver"
	{
		printf 'KZT_DEBUG_KERNEL=%q\n' "$dir/bzImage"
		printf 'KZT_DEBUG_MODULES=%q\n' "$modroot"
		printf 'KZT_DEBUG_KDIR=%q\n' "$obj"
		printf 'KZT_DEBUG_KVER=%q\n' "$kver"
		printf 'KZT_DEBUG_SRC=%q\n' "$src"
		# The fragment has no ACPI and no PCI: the machine it boots on.
		printf 'KZT_DEBUG_MACHINE=microvm\n'
	} >"$dir/env.partial"
	mv -f "$dir/env.partial" "$dir/env"
	touch "$dir/.complete"
	is_complete || die "internal error: $dir is incomplete after the build"
	say "done in $(elapsed): $kver, $(du -sh "$dir" 2>/dev/null | cut -f1) in $dir"
	print_env
}

main "$@"
exit
