#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One mksim fidelity case: start mksim in a temporary directory, run the
# client case under "mksim run" (TAP on stdout), stop mksim whatever
# happens.  usage: run-test.sh MKSIM CLIENT CASE [HOSTFILE]
set -u
MKSIM=$1 CLIENT=$2 CASE=$3 HOST=${4:-}

if [ "$(id -u)" -ne 0 ] || [ ! -w /dev/fuse ]; then
	echo "1..0 # SKIP needs root and /dev/fuse"
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/mksim-test.XXXXXX")
root=$dir/root
cleanup() {
	"$MKSIM" stop "$root" >/dev/null 2>&1
	if ! mountpoint -q "$root" 2>/dev/null; then
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! "$MKSIM" start "$root" ${HOST:+--host "$HOST"}; then
	echo "Bail out! mksim start failed"
	exit 1
fi
MKSIM=$MKSIM "$MKSIM" run "$root" -- "$CLIENT" "$CASE" "$root"
rc=$?
if [ $rc -ne 0 ]; then
	echo "# mksim log:"
	"$MKSIM" log "$root" | sed 's/^/#   /'
fi
exit $rc
