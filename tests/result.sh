# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the host-side layer scripts: result NAME STATUS prints one
# "TEST: NAME [ OK ]|[FAIL]" line and remembers a failure in $rc.
rc=0

result() {
	if [ "$2" -eq 0 ]; then
		echo "TEST: $1 [ OK ]"
	else
		echo "TEST: $1 [FAIL]"
		rc=1
	fi
}
