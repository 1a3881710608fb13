#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel port against mksim: mount, baseline, transactions (applied,
# failed and removed, split and rolled back), the lock, the CPU map, and
# load/start/halt/unload with the load record.  Reads the simulated
# kernel's files directly to confirm what was (and was not) changed.
#
#   run.sh KPORT_DRIVE BUILD_DIR
#
# Exit 77 (skipped) when mksim, dtc or FUSE are not available.
set -u
drive=$1
build=$2
mksim=
for c in "$build/mksim" "$build/sim/mksim"; do
	[ -x "$c" ] && mksim=$c
done
[ -n "$mksim" ] || { echo "mksim is not built: skipping"; exit 77; }
command -v dtc >/dev/null || { echo "no dtc: skipping"; exit 77; }

dir=$(mktemp -d /tmp/kerf-kport-sim.XXXXXX)
work=$(mktemp -d /tmp/kerf-kport-work.XXXXXX)
holder=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	"$mksim" stop "$dir" >/dev/null 2>&1
	rmdir "$dir" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
if ! "$mksim" start "$dir" >"$work/start.log" 2>&1; then
	cat "$work/start.log"
	echo "mksim cannot start (no FUSE?): skipping"
	exit 77
fi

mk=$dir/sys/fs/multikernel
run() { "$mksim" run "$dir" -- "$drive" "$dir" "$@"; }
fail() { echo "FAIL: $*"; [ -f "$work/err" ] && cat "$work/err"; exit 1; }
ntx() { ls "$mk/overlays" | grep -c '^tx_'; }
dtbo() { dtc -q -I dts -O dtb -o "$work/$1.dtbo" -; }

# --- mount and the CPU map ---------------------------------------------------
run mount 2>"$work/err" || fail "mount"
grep -q ' multikernel ' "$dir/proc/mounts" || fail "not mounted"
run cpumap >"$work/map" 2>"$work/err" || fail "cpumap"
[ -s "$dir/var/lib/kerf/cpumap" ] || fail "cpumap not saved"
phys2=$(awk '$1 == 2 { print $2 }' "$work/map")
phys3=$(awk '$1 == 3 { print $2 }' "$work/map")
phys4=$(awk '$1 == 4 { print $2 }' "$work/map")
[ -n "$phys2" ] && [ -n "$phys4" ] || fail "cpumap lacks CPUs 2-4"

# --- baseline ---------------------------------------------------------------------
run baseline 0x40000000 "$phys2" "$phys3" "$phys4" 2>"$work/err" ||
	fail "baseline"
run baseline 0x40000000 "$phys2" 2>"$work/err" && fail "second baseline"
grep -q 'pool already exists' "$work/err" || fail "EBUSY not explained"
# CPUs left cpuinfo; the saved map still knows them.
run cpumap >"$work/map2" 2>"$work/err" || fail "cpumap after baseline"
grep -q "^3 $phys3\$" "$work/map2" || fail "cpumap lost CPU 3"

# --- transactions ---------------------------------------------------------------------
dtbo create <<EOF2
/dts-v1/;
/ { compatible = "linux,multikernel-overlay";
    fragment@0 { target-path = "/instances"; __overlay__ {
	instance-create { instance-name = "web"; id = <1>;
	    resources { memory-bytes = /bits/ 64 <0x8000000>;
			cpus = /bits/ 64 <$phys2>; }; }; }; }; };
EOF2
run apply "$work/create.dtbo" >"$work/out" 2>"$work/err" || fail "create"
tx=$(sed -n 's/^tx //p' "$work/out")
[ "$(cat "$mk/overlays/tx_$tx/status")" = applied ] || fail "tx_$tx status"
[ "$(cat "$mk/instances/web/status")" = ready ] || fail "web not ready"
before=$(ntx)

# The same again: the kernel fails it (EEXIST).  Removing that transaction
# would destroy the existing 'web' (rollback undoes the failed create too),
# so kerf leaves it and says so.
run apply "$work/create.dtbo" >"$work/out" 2>"$work/err" &&
	fail "duplicate create succeeded"
grep -q "did not apply transaction" "$work/err" || fail "failure not reported"
grep -q "dmesg" "$work/err" || fail "no dmesg pointer"
grep -q "left the failed transaction" "$work/err" || fail "left tx not named"
[ "$(cat "$mk/instances/web/status")" = ready ] || fail "web was destroyed"
before=$((before + 1))
[ "$(ntx)" = "$before" ] || fail "unexpected transactions"

# A split change whose second part fails: both are rolled back.  (The
# pool cannot grow by 1 TiB; undoing a pool memory-add is a no-op.)
dtbo db <<EOF2
/dts-v1/;
/ { fragment@0 { target-path = "/instances"; __overlay__ {
	instance-create { instance-name = "db"; id = <2>;
	    resources { memory-bytes = /bits/ 64 <0x8000000>; }; }; }; }; };
EOF2
dtbo grow <<EOF2
/dts-v1/;
/ { fragment@0 { target-path = "/resources"; __overlay__ {
	memory-add { memory@0 { size = /bits/ 64 <0x10000000000>; }; }; }; }; };
EOF2
run apply "$work/db.dtbo" "$work/grow.dtbo" >"$work/out" 2>"$work/err" &&
	fail "split change succeeded"
grep -q "did not apply transaction" "$work/err" || fail "failure not reported"
grep -q "rolled back transaction" "$work/err" || fail "no rollback reported"
[ -e "$mk/instances/db" ] && fail "db survived the rollback"
[ "$(ntx)" = "$before" ] || fail "split change left transactions"

# A failed transaction the kernel cannot undo (its inverse fails too):
# reported, and left for the user.
dtbo bad <<EOF2
/dts-v1/;
/ { fragment@0 { target-path = "/instances/nope"; __overlay__ {
	cpu-add { cpu@0 { reg = /bits/ 64 <$phys3>; }; }; }; }; };
EOF2
run apply "$work/bad.dtbo" >"$work/out" 2>"$work/err" && fail "bad applied"
grep -q "could not roll back transaction" "$work/err" ||
	fail "failed rmdir not reported"
grep -q "tx_[0-9]* stays in /sys/fs/multikernel/overlays" "$work/err" &&
	grep -q "leave it there" "$work/err" || fail "no advice on the kept tx"
before=$((before + 1))
[ "$(ntx)" = "$before" ] || fail "unexpected transactions"

# Oversized blobs never reach the kernel.
{
	echo '/dts-v1/; / { fragment@0 { target-path = "/instances";'
	echo '__overlay__ { instance-create { instance-name = "big";'
	printf 'pad = "%05000d"; resources { }; }; }; }; };\n' 0
} | dtbo big
run apply "$work/big.dtbo" 2>"$work/err" && fail "big blob applied"
grep -q "4096" "$work/err" || fail "size limit not named"
[ "$(ntx)" = "$before" ] || fail "big blob reached the kernel"

# --- the lock --------------------------------------------------------------------------
run lock 8 >"$work/lock.out" 2>&1 &
holder=$!
sleep 1
run apply "$work/db.dtbo" >"$work/out" 2>"$work/err"
[ $? -eq 3 ] || fail "lock not reported with status 3"
grep -q "locked by pid" "$work/err" || fail "holder not named"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=

# --- load / start / halt / unload --------------------------------------------------------
run mkelf "$work/vmlinux" 0x200000 || fail "mkelf"
run load web "$work/vmlinux" - "console=mktty0" 2>"$work/err" || fail "load"
[ "$(cat "$mk/instances/web/status")" = loaded ] || fail "web not loaded"
rec=$dir/var/lib/kerf/instances/web.json
grep -q '"sha256"' "$rec" || fail "no load record"
run load web "$work/vmlinux" 2>"$work/err" && fail "second load"
run start web 2>"$work/err" || fail "start"
[ "$(cat "$mk/instances/web/status")" = active ] || fail "web not active"
run halt web 2>"$work/err" || fail "halt"
run unload web 2>"$work/err" || fail "unload"
[ "$(cat "$mk/instances/web/status")" = ready ] || fail "web not ready"
[ -e "$rec" ] && fail "load record not removed"
run unload web 2>"$work/err" && fail "unload of a ready instance"

# Too little memory: ENOMEM explained with the size needed.
run mkelf "$work/huge" 0x40000000 || fail "mkelf huge"
run load web "$work/huge" 2>"$work/err" && fail "huge image loaded"
grep -q "need at least" "$work/err" || fail "ENOMEM not explained"

run list >"$work/list" 2>"$work/err" || fail "list"
grep -q "^instance web id 1 status ready" "$work/list" || fail "list web"
grep -q "^chunk " "$work/list" || fail "no pool chunk in iomem"
echo "kernel port against mksim: ok"
