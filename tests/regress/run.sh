#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Replays every input the fuzzers ever crashed on (fuzz/corpus/dts/regress-*
# and fuzz/corpus/dtb/*) through kerf compile: each must end in a result or
# a diagnostic (exit 0 to 3), never a crash or sanitizer report.
# Usage: run.sh KERF
set -u
kerf=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$root"/fuzz/corpus/dts/regress-* "$root"/fuzz/corpus/dtb/*; do
	[ -f "$f" ] || continue
	(cd "$tmp" && timeout 120 ${KERF_WRAPPER:-} "$kerf" compile "$f" -O dts -o "$tmp/out") \
		>"$tmp/log" 2>&1
	rc=$?
	if [ $rc -le 3 ] && ! grep -q 'Sanitizer\|runtime error' "$tmp/log"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $(basename "$f"): exit $rc"
		sed 's/^/    /' "$tmp/log" | head -20
	fi
done
echo "regressions: $pass passed, $fail failed"
[ $fail -eq 0 ]
