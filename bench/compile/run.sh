#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/compile/run.sh BUILD_DIR
#
# Times `kerf compile FILE -o out.dtb` against `dtc -q -I dts -O dtb` on
# the generated 1x (8192 CPUs / 1000 instances / 64 NICs) and 2x systems,
# in one run, and prints the time ratio, kerf's scaling and the peak
# memory of both.  Targets (issue 2): kerf/dtc <= 0.10, 2x/1x <= 2.30,
# RSS kerf/dtc <= 1.5.  A missed target is printed, not a failure; the
# script fails only if a command fails or the blobs differ.
set -eu
. "$(dirname "$0")/../lib.sh"
bench_init "$@"
bench_generate

declare -A K_TIME K_CPU K_RSS D_TIME D_CPU D_RSS RATIO_T RATIO_C
bench_cmds()
{
	local in=$BENCH_TMP/$1.dts

	KCMD=("$KERF" compile "$in" -o "$BENCH_TMP/$1-kerf.dtb")
	DCMD=(dtc -q -I dts -O dtb -o "$BENCH_TMP/$1-dtc.dtb" "$in")
}
bench_rounds

for s in "${BENCH_SIZES[@]}"; do
	set -- $s
	name=$1
	# A fast wrong compiler is no result: the blobs must decompile
	# to the same text.
	if [ -s "$BENCH_TMP/$name-kerf.dtb" ] &&
		[ -s "$BENCH_TMP/$name-dtc.dtb" ]; then
		dtc -q -I dtb -O dts -o "$BENCH_TMP/$name-kerf.txt" \
			"$BENCH_TMP/$name-kerf.dtb"
		dtc -q -I dtb -O dts -o "$BENCH_TMP/$name-dtc.txt" \
			"$BENCH_TMP/$name-dtc.dtb"
		if cmp -s "$BENCH_TMP/$name-kerf.txt" \
			"$BENCH_TMP/$name-dtc.txt"; then
			echo "$name: kerf's blob decompiles to the same text" \
				"as dtc's"
		else
			echo "FAILED: $name: kerf's blob differs:" >&2
			diff "$BENCH_TMP/$name-dtc.txt" \
				"$BENCH_TMP/$name-kerf.txt" | head -n 20 >&2 ||
				true
			BENCH_FAILED=1
		fi
	fi
done

bench_report "kerf compile vs dtc -q -I dts -O dtb" kerf
exit "$BENCH_FAILED"
