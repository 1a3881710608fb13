#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dtc conformance: compile every row of ../shared/conformance/dtc/corpus.tsv
# with kerf and compare with dtc's own results.
#   ok       kerf's blob, decompiled by dtc, equals expected/<name>.dts
#            and kerf's own DTB -> DTS equals dtc's decompilation
#   compiles kerf compiles it without error
#   fail     kerf rejects it: non-zero exit (not a crash) and a diagnostic
# Usage: run.sh KERF CORPUS_DIR [-v]
set -u
kerf=$(realpath "$1")
corpus=${2:-}
verbose=${3:-}
if [ -z "$corpus" ] || [ ! -f "$corpus/corpus.tsv" ]; then
	echo "SKIP: dtc conformance corpus not found at '${corpus}'"
	exit 77
fi
corpus=$(realpath "$corpus")
if ! command -v dtc >/dev/null; then
	echo "SKIP: dtc not installed (apt-get install device-tree-compiler)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
skip=0

bad() {
	fail=$((fail + 1))
	echo "FAIL: $1: $2"
	if [ -n "$verbose" ] && [ -n "${3:-}" ]; then
		sed 's/^/    /' "$3" | head -40
	fi
}

cd "$corpus/src" || exit 1
# Tabs are IFS white space: empty fields would collapse; split on '|'.
while IFS='|' read -r file flags expect _note; do
	[ "$file" = file ] && continue
	name=${file%.dts}
	out="$tmp/$name.dtb"
	err="$tmp/$name.err"
	# shellcheck disable=SC2086
	timeout 120 ${KERF_WRAPPER:-} "$kerf" compile $flags -O dtb -o "$out" "$file" \
		>/dev/null 2>"$err"
	rc=$?
	case "$expect" in
	ok)
		if [ $rc -ne 0 ]; then
			bad "$file" "kerf exited $rc" "$err"
			continue
		fi
		if ! timeout 20 dtc -q -I dtb -O dts -o "$tmp/$name.dts" "$out" \
			2>"$err"; then
			bad "$file" "dtc cannot decompile kerf's blob" "$err"
			continue
		fi
		if ! diff -u "$corpus/expected/$name.dts" "$tmp/$name.dts" \
			>"$tmp/$name.diff"; then
			bad "$file" "decompiled blob differs from dtc's" \
				"$tmp/$name.diff"
			continue
		fi
		# kerf's own decompiler must print what dtc prints.
		if ! timeout 120 ${KERF_WRAPPER:-} "$kerf" compile -O dts -o "$tmp/$name.k.dts" \
			"$out" 2>"$err"; then
			bad "$file" "kerf cannot decompile its own blob" "$err"
			continue
		fi
		if ! diff -u "$tmp/$name.dts" "$tmp/$name.k.dts" \
			>"$tmp/$name.diff"; then
			bad "$file" "kerf's DTB->DTS differs from dtc's" \
				"$tmp/$name.diff"
			continue
		fi
		pass=$((pass + 1))
		;;
	compiles)
		if [ $rc -ne 0 ]; then
			bad "$file" "kerf exited $rc" "$err"
			continue
		fi
		pass=$((pass + 1))
		;;
	fail)
		if [ $rc -eq 0 ]; then
			bad "$file" "kerf accepted a file dtc rejects"
		elif [ $rc -ge 124 ] || [ $rc -eq 99 ]; then
			bad "$file" "kerf crashed, hung or leaked (exit $rc)" "$err"
		elif ! grep -q 'error' "$err"; then
			bad "$file" "rejected without a diagnostic" "$err"
		else
			pass=$((pass + 1))
		fi
		;;
	*)
		skip=$((skip + 1))
		;;
	esac
done < <(sed 's/\t/|/g' "$corpus/corpus.tsv")
echo "conformance: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
