#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that building kzt, the VM runner and every
# test layer need. Idempotent: when all are present it changes nothing and
# needs no root. This list is the one place dependencies are written down.
set -euo pipefail

PACKAGES=(
	# build: kzt.ko against Debian's 6.12 headers, kztd, kztctl
	build-essential pkg-config linux-headers-6.12-amd64
	libnl-3-dev libnl-genl-3-dev libssl-dev libyaml-dev
	# the istiod client: HTTP/2, protobuf-c and its generator
	libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler
	# kernel checks: sparse, and the KUnit/debug kernel from source
	sparse linux-source-6.12 bc bison flex libelf-dev rsync
	# VM runner: Debian's 6.12 kernel booted under QEMU/TCG
	qemu-system-x86 busybox-static linux-image-6.12-amd64 cpio kmod
	xz-utils zstd
	# tests: unit (cmocka), fuzz (clang and its libFuzzer
	# runtime: libclang-rt-dev, a recommends of clang), spec check
	# (python3-yaml), guest tools, JSON in shell tests (jq)
	libcmocka-dev clang libclang-rt-dev python3 python3-yaml python3-jsonschema
	iproute2 util-linux procps jq
	# the test control plane (tests/cp): gRPC server, Python messages from
	# proto/ (protoc), the test CA's signatures
	python3-grpcio python3-protobuf protobuf-compiler python3-cryptography
	# kztd.service checked by systemd-analyze (no systemd needs to run)
	systemd
	# data-path tests and benchmarks: the real peers and witnesses in the
	# guest's pods (curl, nginx, iperf3, socat), the underlay capture
	# (tcpdump, tshark), the userspace TLS proxy to compare with (stunnel4)
	# and the profiler (perf)
	curl nginx-light iperf3 socat tcpdump tshark stunnel4 linux-perf
	# metrics: promtool (of the prometheus server package) checks scrapes
	prometheus
	# packaging: dkms signs the modules it builds with openssl
	dkms openssl
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run 'make deps' as root to install them" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
