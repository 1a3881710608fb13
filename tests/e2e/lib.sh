# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the end-to-end tests: kerf under mksim.
# Sourced by run.sh; scenarios are functions named t_* in test_*.sh.
# Each scenario runs in a subshell: mk_start gives it its own sysroot and
# an EXIT trap that always stops mksim.

: "${BUILD:?BUILD must name the build directory}"
KERF=$BUILD/kerf
MKSIM=$BUILD/sim/mksim
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EXAMPLES=$SRC/examples

# mk_start [HOST-FILE]: start mksim in a fresh temp dir; sets SYS, TMP.
mk_start() {
	TMP=$(mktemp -d /tmp/kerf-e2e.XXXXXX)
	SYS=$TMP/sys
	mkdir -p "$SYS"
	trap 'mk_stop' EXIT
	if [ -n "${1:-}" ]; then
		"$MKSIM" start "$SYS" --host "$1" >"$TMP/mksim.out" 2>&1
	else
		"$MKSIM" start "$SYS" >"$TMP/mksim.out" 2>&1
	fi || { cat "$TMP/mksim.out" >&2; fail "mksim start failed"; }
}

mk_stop() {
	[ -n "${SYS:-}" ] && "$MKSIM" stop "$SYS" >/dev/null 2>&1
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
	SYS= TMP=
}

# kerf ARGS...: run kerf under mksim; stdout in $OUT, stderr in $ERR,
# exit status in $RC.  Never fails by itself.
kerf() {
	"$MKSIM" run "$SYS" -- "$KERF" --sysroot "$SYS" "$@" \
		>"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
	return 0
}

fail() {
	echo "    FAIL: $*" >&2
	[ -n "${OUT:-}" ] && printf '    stdout: %s\n' "$OUT" >&2
	[ -n "${ERR:-}" ] && printf '    stderr: %s\n' "$ERR" >&2
	exit 1
}

# expect_rc N: the last kerf exited with N.
expect_rc() {
	[ "$RC" = "$1" ] || fail "exit status $RC, expected $1"
}

# expect_out TEXT / expect_err TEXT: the last stdout/stderr contains TEXT.
expect_out() {
	case $OUT in *"$1"*) ;; *) fail "stdout lacks '$1'" ;; esac
}
expect_err() {
	case $ERR in *"$1"*) ;; *) fail "stderr lacks '$1'" ;; esac
}
# expect_eq A B [WHAT]
expect_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: '$1', expected '$2'"
}

MKFS_REL=sys/fs/multikernel
mkfs() { echo "$SYS/$MKFS_REL"; }
# The instances the kernel has, space separated, sorted.
instances() { ls "$(mkfs)/instances" 2>/dev/null | sort | tr '\n' ' '; }
# The transactions the kernel has.
txns() { ls "$(mkfs)/overlays" 2>/dev/null | grep '^tx_' | sort -V | tr '\n' ' '; }
inst_file() { cat "$(mkfs)/instances/$1/$2"; }

# A snapshot of everything a change would touch: instances, overlays,
# their status files, the kernel log.
snapshot() {
	{
		instances; echo
		txns; echo
		for t in $(txns); do cat "$(mkfs)/overlays/$t/status"; done
		for i in $(instances); do inst_file "$i" status; done
		cat "$SYS/proc/iomem"
		"$MKSIM" log "$SYS"
	} 2>&1
}

# init_baseline [FILE]: apply a baseline (examples/baseline.dts).
init_baseline() {
	kerf init --input="${1:-$EXAMPLES/baseline.dts}"
	expect_rc 0
}
