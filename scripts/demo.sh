#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kerf's main job, end to end, against the kernel simulator:
#
#   scripts/demo.sh [BUILD_DIR]        (make demo)
#
# Starts mksim in a temporary directory, writes a baseline, creates two
# instances, loads the test kernel the build made, boots one, shows the
# state and the map, prints its console, then stops, unloads and deletes
# everything and stops mksim.  Every step is echoed with its output.  A
# trap always stops mksim, so nothing stays mounted.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
cd "$here" || exit 1

scripts/install-deps.sh || exit 1
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >/dev/null || exit 1
fi
ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 1; }

kerf=$build/kerf
mksim=$build/sim/mksim
image=$build/testkernel.elf
for f in "$kerf" "$mksim" "$image"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "demo: $f was not built" >&2; exit 1; }
done
if [ ! -e /dev/fuse ]; then
	echo "demo: mksim needs /dev/fuse (FUSE), which this machine lacks" >&2
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/kerf-demo.XXXXXX") || exit 1
root=$dir/host
mkdir -p "$root"
cleanup() {
	"$mksim" stop "$root" >/dev/null 2>&1
	if mountpoint -q "$root" 2>/dev/null; then
		echo "demo: could not unmount $root" >&2
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bold=; plain=
if [ -t 1 ]; then bold=$(printf '\033[1m'); plain=$(printf '\033[0m'); fi
say() { printf '\n%s# %s%s\n' "$bold" "$*" "$plain"; }
# Run one kerf command under mksim, echoed as the user would type it.
kerf() {
	printf '%s$ kerf %s%s\n' "$bold" "$*" "$plain"
	"$mksim" run "$root" -- "$kerf" --sysroot "$root" "$@"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "demo: 'kerf $*' failed with exit status $rc" >&2
		exit 1
	fi
}

say "Start the simulated multikernel host (mksim) in $root"
printf '%s$ mksim start %s%s\n' "$bold" "$root" "$plain"
"$mksim" start "$root" || exit 1
echo "Every kerf below runs as: mksim run $root -- kerf --sysroot $root ..."

say "Write the baseline: 28 CPUs and 14 GiB go to the multikernel pool"
kerf init --input=examples/baseline.dts
say "Create two instances"
kerf create web-server --cpus=4-7 --memory=2GB
kerf create database --cpu-count=4 --memory=4GB
say "Load the test kernel into both; boot one"
kerf load web-server --kernel="${image#"$here"/}" --cmdline="console=mktty0"
kerf load database --kernel="${image#"$here"/}"
kerf exec web-server
say "The state, as the kernel reports it"
kerf show
kerf show web-server
say "The machine map"
kerf show --map
say "The console of web-server (its boot log; input ends at once)"
kerf console web-server </dev/null
say "Stop, unload and delete"
kerf kill web-server
kerf unload web-server
kerf unload database
kerf delete web-server
kerf delete database
kerf show
say "The simulated kernel's log (dmesg), last lines"
printf '%s$ mksim log %s | tail -n 8%s\n' "$bold" "$root" "$plain"
"$mksim" log "$root" | tail -n 8
say "Stop mksim"
printf '%s$ mksim stop %s%s\n' "$bold" "$root" "$plain"
"$mksim" stop "$root" || exit 1
echo
echo "Demo finished: every step succeeded."
