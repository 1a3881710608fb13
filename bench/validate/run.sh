#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/validate/run.sh BUILD_DIR
#
# Times `kerf validate FILE` against `dtc -q -I dts -O dtb` compiling the
# same generated 1x (8192 CPUs / 1000 instances / 64 NICs) and 2x systems,
# in one run.  Targets (issue 3): kerf/dtc <= 0.10, 2x/1x <= 2.30, RSS
# kerf/dtc <= 1.5.  A missed target is printed, not a failure; the script
# fails only if a command fails (the generated systems are valid, so
# kerf validate must exit 0).  Skipped while `kerf validate` is missing.
set -eu
. "$(dirname "$0")/../lib.sh"
bench_init "$@"
if ! "$KERF" validate --help >/dev/null 2>&1; then
	echo "bench/validate: skipped: '$KERF validate' is not available yet"
	exit 0
fi
bench_generate

declare -A K_TIME K_CPU K_RSS D_TIME D_CPU D_RSS RATIO_T RATIO_C
for s in "${BENCH_SIZES[@]}"; do
	set -- $s
	name=$1
	in=$BENCH_TMP/$name.dts
	KCMD=("$KERF" validate "$in")
	DCMD=(dtc -q -I dts -O dtb -o "$BENCH_TMP/$name-dtc.dtb" "$in")
	bench_pair "$name"
	if [ "$RUN_OK" = 0 ]; then
		if [ "$PAIR_FAILED" = kerf ]; then
			bench_fail "$name-kerf" "kerf validate $name.dts"
		else
			bench_fail "$name-dtc" "dtc on $name.dts"
		fi
	fi
done

bench_report "kerf validate vs dtc -q -I dts -O dtb" kerf
exit "$BENCH_FAILED"
