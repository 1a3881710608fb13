#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fuzz/run.sh BUILD_DIR SECONDS
#
# Runs each libFuzzer target (fuzz_dts, fuzz_dtb) of BUILD_DIR (configured
# with -Dfuzz=true, clang, ASan+UBSan) for SECONDS.  Exits non-zero if a
# crash, sanitizer report, leak, timeout or out-of-memory was found, and
# prints the path of the reproducer.
#
# Corpora: libFuzzer writes new inputs to its FIRST corpus directory only;
# that is fuzz-out/TARGET/corpus (kept between runs, ignored by git).  The
# seeds after it are read only: fuzz/corpus/dts, the dtc conformance
# inputs in ../shared/conformance/dtc/src when present (never copied), and
# for fuzz_dtb fuzz/corpus/dtb and blobs compiled from those at run time
# into a temporary directory.  Reproducers land in fuzz-out/TARGET/.
#
# Environment: FUZZ_OUT (default ROOT/fuzz-out), KERF_CONFORMANCE_DIR
# (default ROOT/../shared/conformance/dtc/src), FUZZ_FLAGS (extra
# libFuzzer flags).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS}
build=$(cd "$build" && pwd)
out=${FUZZ_OUT:-$root/fuzz-out}
conf=${KERF_CONFORMANCE_DIR:-$root/../shared/conformance/dtc/src}
dts_seeds=$root/fuzz/corpus/dts

for t in fuzz_dts fuzz_dtb; do
	if [ ! -x "$build/fuzz/$t" ]; then
		echo "error: $build/fuzz/$t is missing; configure with" \
			"CC=clang meson setup BUILD -Dfuzz=true" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kerf-fuzz.XXXXXX")
cleanup()
{
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# UBSan reports must stop the run (libFuzzer then saves the input).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}

seed_dirs=("$dts_seeds")
if [ -d "$conf" ]; then
	seed_dirs+=("$conf")
else
	echo "note: $conf is absent; fuzzing from fuzz/corpus only"
fi

# DTB seeds: compile every DTS seed with kerf (dtc where kerf cannot),
# from the seed's own directory so relative includes resolve.
compile_seed()
{
	cd "$(dirname "$1")" || return 1
	timeout 10 "$build/kerf" compile "$1" -o "$2" && return 0
	timeout 10 dtc -q -I dts -O dtb -o "$2" "$1" && return 0
	timeout 10 dtc -q -@ -I dts -O dtb -o "$2" "$1"
}
mkdir -p "$tmp/dtb"
n=0
for d in "${seed_dirs[@]}"; do
	for f in "$d"/*.dts; do
		[ -f "$f" ] || continue
		b=$tmp/dtb/$(basename "$d")-$(basename "$f" .dts).dtb
		# (dtc 1.6 itself crashes or hangs on a few of them)
		if (compile_seed "$f" "$b") >/dev/null 2>&1; then
			n=$((n + 1))
		else
			rm -f "$b"
		fi
	done
done
echo "fuzz: $n DTB seeds compiled"

failed=0
run_target()
{
	local t=$1
	shift
	local dir=$out/$t log rc
	mkdir -p "$dir/corpus"
	log=$dir/log.txt
	echo "fuzz: $t for ${seconds}s (log: $log)"
	# An empty working directory: /include/ and /incbin/ in inputs
	# resolve against it, not against the tree.
	mkdir -p "$tmp/cwd-$t"
	rc=0
	(cd "$tmp/cwd-$t" &&
		"$build/fuzz/$t" -max_total_time="$seconds" -timeout=5 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$dir/" ${FUZZ_FLAGS:-} \
			"$dir/corpus" "$@") >"$log" 2>&1 || rc=$?
	local execs speed
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ "$rc" -ne 0 ]; then
		failed=1
		echo "FAILED: $t exited with $rc"
		grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|ALARM' \
			"$log" | head -n 5 || true
		grep -E 'Test unit written to' "$log" |
			sed 's/.*Test unit written to /reproducer: /' || true
		echo "replay: $build/fuzz/$t REPRODUCER (full log: $log)"
	else
		echo "ok: $t: ${execs:-?} runs, ${speed:-?} exec/s," \
			"corpus $(find "$dir/corpus" -type f | wc -l) files"
	fi
}

run_target fuzz_dts "${seed_dirs[@]}"
run_target fuzz_dtb "$tmp/dtb" "$root/fuzz/corpus/dtb"
exit "$failed"
