#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mksim's life cycle: start returns once the mount works, stop always
# unmounts, a crashed mksim (SIGKILL, stale FUSE mount) does not block the
# next start in the same directory, and run/log/fault report errors.
set -u
MKSIM=$1
n=0 fail=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; fail=1; fi
}
if [ "$(id -u)" -ne 0 ] || [ ! -w /dev/fuse ]; then
	echo "1..0 # SKIP needs root and /dev/fuse"
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/mksim-life.XXXXXX")
root=$dir/root
cleanup() {
	"$MKSIM" stop "$root" >/dev/null 2>&1
	mountpoint -q "$root" 2>/dev/null || rm -rf "$dir"
}
trap cleanup EXIT

"$MKSIM" start "$root" && ls "$root/proc" | grep -q cpuinfo
ok $? "start DIR && ls DIR/proc works at once"
mountpoint -q "$root"; ok $? "DIR is a mount point"
"$MKSIM" start "$root" 2>/dev/null; [ $? -ne 0 ]
ok $? "a second start on a live mount is refused"
"$MKSIM" log "$root" | grep -q "sysroot mounted"
ok $? "log prints the kernel log"
"$MKSIM" fault "$root" bogus >/dev/null 2>&1; [ $? -ne 0 ]
ok $? "an unknown fault is refused"
"$MKSIM" fault "$root" halt-timeout 100 | grep -q armed
ok $? "fault arms"
"$MKSIM" fault "$root" list | grep -q halt-timeout
ok $? "fault list shows it"
"$MKSIM" run "$root" -- sh -c 'exit 7'; [ $? -eq 7 ]
ok $? "run returns the command's exit status"

# crash: SIGKILL the daemon, the mount goes stale (ENOTCONN)
pid=$("$MKSIM" status "$root" | sed -n 's/.*, pid \([0-9]*\)$/\1/p')
[ -n "$pid" ]; ok $? "found the daemon"
kill -9 "$pid" 2>/dev/null
sleep 0.3
ls "$root" >/dev/null 2>&1; [ $? -ne 0 ]
ok $? "after SIGKILL the mount is dead"
"$MKSIM" start "$root" 2>/dev/null && cat "$root/proc/cpuinfo" | grep -q apicid
ok $? "start again in the same directory recovers"
"$MKSIM" stop "$root"; ok $? "stop"
mountpoint -q "$root"; [ $? -ne 0 ]; ok $? "stop unmounted"
"$MKSIM" stop "$root" 2>/dev/null; ok $? "stop when stopped: still 0"
"$MKSIM" run "$root" -- true 2>/dev/null; [ $? -ne 0 ]
ok $? "run without mksim fails"
"$MKSIM" --help | grep -q "pool.cpus"
ok $? "--help documents the host description"
printf 'cpus = 8\nnodes = 1\nmemory = 8G\npci = none\npool.cpus = 4-5\npool.memory = 1G\n' >"$dir/host"
"$MKSIM" start "$root" --host "$dir/host" &&
	grep -c '^processor' "$root/proc/cpuinfo" | grep -qx 6
ok $? "--host: 8 CPUs with 2 in a boot-time pool"
[ -z "$(ls "$root/sys/bus/pci/devices")" ]; ok $? "--host: no PCI"
"$MKSIM" stop "$root"
printf 'cpus = 7\n' >"$dir/bad"
"$MKSIM" start "$root" --host "$dir/bad" 2>/dev/null; [ $? -ne 0 ]
ok $? "an inconsistent host description is refused"
mountpoint -q "$root"; [ $? -ne 0 ]; ok $? "...and nothing is mounted"
echo "1..$n"
exit $fail
