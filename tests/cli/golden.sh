#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden-output tests of kerf validate, init and compile: run each case of
# golden/cases.txt ("name|arguments") from the source tree, with a fixed
# locale and --no-unicode, and compare standard output plus the exit status
# (and standard error, if any) with golden/NAME.out.  UPDATE=1 rewrites the goldens.
#
# usage: golden.sh KERF SRCDIR
set -u
kerf=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
cd "$src" || exit 2
export LC_ALL=C
unset KERF_SYSROOT
fail=0
n=0
tmp=$(mktemp)
err=$(mktemp)
trap 'rm -f "$tmp" "$err"' EXIT
while IFS='|' read -r name args; do
	case $name in ''|'#'*) continue ;; esac
	n=$((n + 1))
	# shellcheck disable=SC2086
	${KERF_WRAPPER:-} "$kerf" --no-unicode $args >"$tmp" 2>"$err"
	echo "exit: $?" >>"$tmp"
	if [ -s "$err" ]; then
		echo "--- stderr" >>"$tmp"
		cat "$err" >>"$tmp"
	fi
	gold=tests/cli/golden/$name.out
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp" "$gold"
	elif ! cmp -s "$tmp" "$gold"; then
		echo "FAIL: $name (kerf $args)"
		diff -u "$gold" "$tmp" | head -40
		fail=$((fail + 1))
	fi
done <tests/cli/golden/cases.txt
echo "$n cases, $fail failed"
[ "$fail" -eq 0 ]
