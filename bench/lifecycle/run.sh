#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The lifecycle benchmark (issue 5): with 16, 32, 64, 128 and 256 instances
# present in mksim (each created through kerf), the time of
#   kerf show --format json
#   kerf create --dry-run probe --cpu-count=1 --memory=256MB
# per operation (median of BENCH_REPS runs), and how it scales from 16 to
# 256 instances.  Numbers only: nothing is asserted.
#
#   bench/lifecycle/run.sh BUILD_DIR
#
# The simulated host: 288 logical CPUs (2 NUMA nodes, SMT 2), 256 GiB;
# the pool has 264 CPUs and 96 GiB; every instance gets 1 CPU and 256 MiB.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/bench/lib.sh"
bench_init "${1:?usage: bench/lifecycle/run.sh BUILD_DIR}"
MKSIM=$BUILD/sim/mksim
[ -x "$MKSIM" ] || { echo "error: $MKSIM is missing" >&2; exit 2; }
[ -e /dev/fuse ] || { echo "error: mksim needs /dev/fuse" >&2; exit 2; }
ROOT=$BENCH_TMP/host
mkdir -p "$ROOT"
cleanup() {
	"$MKSIM" stop "$ROOT" >/dev/null 2>&1
	bench_cleanup
}
trap cleanup EXIT

cat >"$BENCH_TMP/host.conf" <<EOF2
cpus = 288
threads-per-core = 2
nodes = 2
memory = 256G
pci = none
EOF2
# The baseline: CPUs 0-23 stay with the host, 24-287 form the pool (so a
# free CPU is left for the dry run at 256 instances).
cat >"$BENCH_TMP/baseline.dts" <<EOF2
/multikernel-v1/;
/ {
	compatible = "linux,multikernel-host";
	resources {
		cpus {
			total = <288>;
			host-reserved = <$(seq -s " " 0 23)>;
			available = <$(seq -s " " 24 287)>;
		};
		memory {
			total-bytes = <0x40 0x80000000>;	/* 258 GiB: RAM ends there (2 GiB hole below 4 GiB) */
			host-reserved-bytes = <0x4 0x0>;	/* 16 GiB */
			memory-pool-base = <0x4 0x0>;
			memory-pool-bytes = <0x18 0x0>;		/* 96 GiB */
		};
	};
};
EOF2

"$MKSIM" start "$ROOT" --host "$BENCH_TMP/host.conf" >/dev/null ||
	{ echo "error: mksim did not start" >&2; exit 1; }
kerf_sim() { "$MKSIM" run "$ROOT" -- "$KERF" --sysroot "$ROOT" "$@"; }
if ! kerf_sim init --input="$BENCH_TMP/baseline.dts" >"$BENCH_TMP/init.out" \
	2>&1; then
	echo "FAILED: kerf init" >&2
	cat "$BENCH_TMP/init.out" >&2
	exit 1
fi

declare -A SHOW DRY CREATE
sizes=(16 32 64 128 256)
have=0
for n in "${sizes[@]}"; do
	start=$(date +%s.%N)
	while [ "$have" -lt "$n" ]; do
		have=$((have + 1))
		if ! kerf_sim create "inst$have" --cpu-count=1 --memory=256MB \
			>/dev/null 2>"$BENCH_TMP/create.err"; then
			echo "FAILED: kerf create inst$have" >&2
			cat "$BENCH_TMP/create.err" >&2
			exit 1
		fi
	done
	CREATE[$n]=$(awk -v a="$start" -v b="$(date +%s.%N)" -v k="$n" \
		'BEGIN { printf "%.4f", (b - a) / (k - (k == 16 ? 0 : k / 2)) }')
	# Reading commands need no syscall answered: run kerf directly.
	bench_measure show "$KERF" --sysroot "$ROOT" show --format json
	[ "$RUN_OK" = 1 ] || { bench_fail show "kerf show"; exit 1; }
	SHOW[$n]=$MED_TIME
	bench_measure dry "$KERF" --sysroot "$ROOT" create --dry-run probe \
		--cpu-count=1 --memory=256MB
	[ "$RUN_OK" = 1 ] || { bench_fail dry "kerf create --dry-run"; exit 1; }
	DRY[$n]=$MED_TIME
done

echo "kerf lifecycle benchmark: mksim host with 288 CPUs, 256 GiB;"
echo "median wall time of $BENCH_REPS runs (after one warm-up run)"
printf '%-10s %14s %12s %18s %12s %16s\n' "instances" "show json s" \
	"ms/instance" "create --dry-run s" "ms/instance" "create s (each)"
for n in "${sizes[@]}"; do
	printf '%-10s %14s %12s %18s %12s %16s\n' "$n" "${SHOW[$n]}" \
		"$(bench_div "${SHOW[$n]}" "$n.001" | awk '{ printf "%.3f", $1 * 1000 }')" \
		"${DRY[$n]}" \
		"$(bench_div "${DRY[$n]}" "$n.001" | awk '{ printf "%.3f", $1 * 1000 }')" \
		"${CREATE[$n]}"
done
echo "scaling 256/16 (16x the instances; linear would be 16.0):" \
	"show $(bench_div "${SHOW[256]}" "${SHOW[16]}" '%.2f')," \
	"create --dry-run $(bench_div "${DRY[256]}" "${DRY[16]}" '%.2f')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
