# SPDX-License-Identifier: GPL-2.0
#
# kzt: top-level build. `make` builds kzt.ko, kztd and kztctl. The two
# README commands, `make demo` and `make check`, first install what they
# need (`make deps`), so a fresh Debian 12 machine needs nothing else.

SUBDIRS_USER := lib daemon tools

all: kmod user

kmod:
	$(MAKE) -C kmod

user:
	$(MAKE) -C lib
	$(MAKE) -C daemon
	$(MAKE) -C tools

deps:
	tools/deps.sh

# Set-up (packages, the -Werror build) and every test layer, each timed;
# the last line sums them ("N passed, N failed, ...").
check:
	+tests/run.sh

# One layer: make check-unit, check-fuzz, check-spec, check-style,
# check-kunit, check-selftests, check-selftests-debug, check-dkms.
check-%: all
	$(MAKE) -C tests/selftests
	+tests/run.sh $*

demo: deps all
	$(MAKE) -C tests/selftests
	tools/demo/demo.sh

# Benchmarks: numbers, never pass/fail (Documentation/bench.rst).
bench: deps all
	tests/bench/control-plane.sh
	tests/bench/datapath.sh
	tests/bench/xds.sh
	tests/bench/conns.sh

bench-control-plane: deps all
	tests/bench/control-plane.sh

bench-datapath: deps all
	tests/bench/datapath.sh

bench-xds: deps all
	tests/bench/xds.sh

bench-conns: deps all
	tests/bench/conns.sh

# The self-built 6.12 kernel with KUnit, KASAN and lockdep (cached).
debug-kernel: deps
	tools/kernel/build-kernel.sh

dkms-install:
	tools/dkms-install.sh

install: all
	$(MAKE) -C daemon install
	$(MAKE) -C tools install

clean:
	$(MAKE) -C kmod clean
	for d in $(SUBDIRS_USER) tests/unit tests/cp tests/fuzz tests/selftests; do $(MAKE) -C $$d clean; done
	rm -rf tests/out .build

.PHONY: all kmod user deps check demo bench bench-control-plane bench-datapath bench-xds bench-conns debug-kernel dkms-install install clean
