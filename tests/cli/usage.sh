#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The command-line contract of cli.md, for every command: --help and
# 'kerf help CMD' on stdout with exit 0; a usage error is one line plus
# "Try 'kerf CMD --help'" on stderr, exit 2; --version; global options
# before and after the command; KERF_SYSROOT; errors as data with
# --format json|yaml; ASCII-only output in a non-UTF-8 locale (under mksim
# too, when it can run).
#
# usage: usage.sh KERF SRCDIR [MKSIM]
set -u
kerf=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
mksim=${3:-}
cd "$src" || exit 2
unset KERF_SYSROOT KERF_LOCK_TIMEOUT
export LC_ALL=C.UTF-8
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || export LC_ALL=en_US.UTF-8

pass=0
failed=0
tmp=$(mktemp -d /tmp/kerf-usage.XXXXXX)
sys=
cleanup() {
	[ -n "$sys" ] && "$mksim" stop "$sys" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
root=$tmp/root		# an empty sysroot: no multikernel support
mkdir -p "$root"

# run ARGS...: kerf ARGS; $RC, $tmp/out, $tmp/err.
run() {
	"$kerf" "$@" >"$tmp/out" 2>"$tmp/err"
	RC=$?
}

ok() { pass=$((pass + 1)); }
bad() {
	failed=$((failed + 1))
	echo "FAIL: $*"
	echo "  exit $RC; stdout: $(head -c 300 "$tmp/out")"
	echo "  stderr: $(head -c 300 "$tmp/err")"
}

# usage_err CMD ARGS...: kerf ARGS must be a usage error of CMD ("" for
# kerf itself): nothing on stdout, exactly two lines on stderr.
usage_err() {
	local cmd=$1 try
	shift
	run "$@"
	if [ -n "$cmd" ]; then
		try="Try 'kerf $cmd --help'"
	else
		try="Try 'kerf --help'"
	fi
	if [ "$RC" != 2 ] || [ -s "$tmp/out" ] ||
	   [ "$(wc -l <"$tmp/err")" != 2 ] ||
	   [ "$(head -c 6 "$tmp/err")" != "kerf: " ] ||
	   [ "$(sed -n 2p "$tmp/err")" != "$try" ]; then
		bad "usage error expected: kerf $*"
	else
		ok
	fi
}

# help_ok CMD: --help, -h and 'kerf help CMD' print the same help.
help_ok() {
	local c=$1 long
	run "$c" --help
	if [ "$RC" != 0 ] || [ -s "$tmp/err" ] ||
	   [ "$(head -1 "$tmp/out" | cut -d' ' -f1-3)" != "Usage: kerf $c" ]; then
		bad "kerf $c --help"
		return
	fi
	ok
	cp "$tmp/out" "$tmp/help"
	long=$(awk 'length > 80' "$tmp/help")
	if [ -n "$long" ]; then
		bad "kerf $c --help has lines over 80 columns: $long"
	else
		ok
	fi
	run help "$c"
	if [ "$RC" != 0 ] || [ -s "$tmp/err" ] || ! cmp -s "$tmp/out" "$tmp/help"
	then
		bad "kerf help $c differs from kerf $c --help"
	else
		ok
	fi
	run "$c" -h
	if [ "$RC" != 0 ] || ! cmp -s "$tmp/out" "$tmp/help"; then
		bad "kerf $c -h differs from kerf $c --help"
	else
		ok
	fi
}

# expect RC WHAT: the last run exited with RC.
expect() {
	if [ "$RC" = "$1" ]; then ok; else bad "$2: exit $1 expected"; fi
}

# has FILE TEXT WHAT: FILE ($tmp/out or $tmp/err) contains TEXT.
has() {
	if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' missing"; fi
}

# ascii WHAT: nothing but ASCII in the last run's stdout and stderr.
ascii() {
	if [ "$(cat "$tmp/out" "$tmp/err" | LC_ALL=C tr -d '\000-\177' |
		wc -c)" = 0 ]; then
		ok
	else
		bad "$1: non-ASCII output in a non-UTF-8 locale"
	fi
}

# is_data FMT WHAT: stdout is one {"error": ...} document in FMT.
is_error_data() {
	local fmt=$1 what=$2
	if [ "$fmt" = json ] && command -v python3 >/dev/null; then
		if python3 -c 'import json,sys; d=json.load(sys.stdin); assert isinstance(d["error"], str) and d["error"]' <"$tmp/out" 2>/dev/null
		then ok; else bad "$what: stdout is not {\"error\": ...}"; fi
	elif [ "$fmt" = json ]; then
		has "$tmp/out" '"error": "' "$what"
	else
		if [ "$(head -c 7 "$tmp/out")" = "error: " ]; then ok
		else bad "$what: stdout is not 'error: ...'"; fi
	fi
}

# --- kerf itself ---------------------------------------------------------

run
if [ "$RC" = 2 ] && [ ! -s "$tmp/out" ] &&
   [ "$(head -c 12 "$tmp/err")" = "Usage: kerf " ]; then ok
else bad "kerf without arguments: usage on stderr, exit 2"; fi

for a in --help -h help; do
	run $a
	if [ "$RC" = 0 ] && [ ! -s "$tmp/err" ] &&
	   [ "$(head -c 12 "$tmp/out")" = "Usage: kerf " ]; then ok
	else bad "kerf $a"; fi
done
cp "$tmp/out" "$tmp/usage"

run --version
if [ "$RC" = 0 ] && [ ! -s "$tmp/err" ] &&
   grep -qE '^kerf [0-9]+\.[0-9]+\.[0-9]+ \(kernel ABI [^)]+\)$' "$tmp/out" &&
   [ "$(wc -l <"$tmp/out")" = 1 ]; then ok
else bad "kerf --version: version and kernel ABI"; fi

usage_err "" --bogus
usage_err "" bogus
usage_err "" help bogus
usage_err "" --sysroot
usage_err "" --format=xml validate examples/system.dts
usage_err "" --format
usage_err compile --format=json compile examples/system.dts
usage_err compile --sysroot="$tmp/nonexistent" compile examples/system.dts

# The commands kerf lists, and those cli.md names, all exist.
cmds=$(sed -n '/^Commands:/,/^$/p' "$tmp/usage" | awk 'NF > 1 { print $1 }' |
	grep -v '^help$')
for c in compile validate init create update apply diff delete load exec \
	 start kill unload console show; do
	if printf '%s\n' $cmds | grep -qx "$c"; then ok
	else bad "kerf --help does not list '$c'"; fi
done
for c in $cmds; do
	help_ok "$c"
	usage_err "$c" "$c" --bogus
	usage_err "$c" "$c" -Z
	usage_err "$c" "$c" x --sysroot
	usage_err "$c" "$c" a b c
done

# --- each command's own usage errors -------------------------------------

f=examples/system.dts
usage_err compile compile
usage_err compile compile "$f" -o
usage_err compile compile -O xml "$f"
usage_err compile compile --format=json "$f"
usage_err validate validate
usage_err validate validate -W
usage_err validate validate --format=xml "$f"
usage_err validate validate -W no-bogus "$f"
usage_err init init
usage_err init init --input
usage_err init init --input="$f" extra
usage_err init init --cpus=4-x --memory=1G
usage_err init init --format=xml --input="$f"
usage_err create create --cpus=4-7 --memory=1G
usage_err create create x --memory
usage_err create create x --cpus=4-x --memory=1G
usage_err create create x --cpus=4-7 --memory=lots
usage_err create create x --cpu-count=abc --memory=1G
usage_err create create x --cpus=4-7 --memory=1G --id=0
usage_err create create x --cpus=4-7
usage_err update update --memory=1G
usage_err update update x
usage_err update update x --cpus=4-x
usage_err update update x --memory
usage_err apply apply
usage_err apply apply "$f" extra
usage_err diff diff
usage_err delete delete
usage_err delete delete --id
usage_err delete delete --id=abc
for c in load exec start kill unload console; do
	usage_err $c $c
	usage_err $c $c --id=abc
	usage_err $c $c a b
done
usage_err load load x
usage_err load load x --kernel
usage_err show show --format=xml
usage_err show show --id=abc
usage_err show show --color=x
usage_err show show --map --format=json
usage_err show show a b

# --- global options before and after the command, KERF_SYSROOT -----------

run --no-unicode validate "$f"
cp "$tmp/out" "$tmp/before"
run validate "$f" --no-unicode
if cmp -s "$tmp/before" "$tmp/out" && grep -q '^OK ' "$tmp/out"; then ok
else bad "--no-unicode before and after the command"; fi
run --format json validate "$f"
cp "$tmp/out" "$tmp/before"
run validate --format=json "$f"
if cmp -s "$tmp/before" "$tmp/out" && has "$tmp/out" '"schema_version": 1' x
then ok; else bad "--format before and after the command"; fi
run -q validate "$f"
cp "$tmp/out" "$tmp/before"
run validate "$f" -q
if cmp -s "$tmp/before" "$tmp/out"; then ok
else bad "-q before and after the command"; fi

run --sysroot "$root" show
cp "$tmp/err" "$tmp/before"
expect 4 "kerf --sysroot DIR show (no multikernel support)"
has "$tmp/err" "$root/sys/fs/multikernel" "kerf --sysroot DIR show"
run show --sysroot="$root"
if [ "$RC" = 4 ] && cmp -s "$tmp/before" "$tmp/err"; then ok
else bad "--sysroot after the command"; fi
KERF_SYSROOT=$root run show
if [ "$RC" = 4 ] && cmp -s "$tmp/before" "$tmp/err"; then ok
else bad "KERF_SYSROOT"; fi
KERF_SYSROOT=/ run --sysroot="$root" show
if [ "$RC" = 4 ] && cmp -s "$tmp/before" "$tmp/err"; then ok
else bad "--sysroot overrides KERF_SYSROOT"; fi

# --- errors as data -------------------------------------------------------

for fmt in json yaml; do
	run --sysroot "$root" show --format "$fmt"
	expect 4 "show --format $fmt without multikernel"
	is_error_data "$fmt" "show --format $fmt without multikernel"
	run validate --format="$fmt" "$tmp/missing.dts"
	expect 3 "validate --format $fmt of a missing file"
	is_error_data "$fmt" "validate --format $fmt of a missing file"
	run validate --format="$fmt" tests/cli/inputs/dtdata.dts
	expect 1 "validate --format $fmt of a plain tree"
	is_error_data "$fmt" "validate --format $fmt of a plain tree"
	run init --input="$tmp/missing.dts" --dry-run --format="$fmt"
	expect 3 "init --format $fmt of a missing file"
	is_error_data "$fmt" "init --format $fmt of a missing file"
done
run validate "$tmp/missing.dts"
if [ "$RC" = 3 ] && [ ! -s "$tmp/out" ] &&
   has "$tmp/err" "kerf: error: cannot read" x; then ok
else bad "errors are text without --format"; fi

# --- a non-UTF-8 locale: ASCII only ----------------------------------------

for args in "validate $f" "validate examples/conflict_example.dts" \
	    "validate examples/baseline.dts" \
	    "init --input=examples/baseline.dts --dry-run --report" \
	    "init --input=examples/system.dts --dry-run --report" \
	    "compile --for-kernel -O dts examples/baseline.dts" \
	    "compile -O dts examples/conflict_example.dts" \
	    "validate --list-checks"; do
	# shellcheck disable=SC2086
	LC_ALL=C run $args
	ascii "LC_ALL=C kerf $args"
done
LC_ALL=C run validate "$f"
has "$tmp/out" "OK Validation passed" "LC_ALL=C kerf validate"
run validate "$f"
has "$tmp/out" "✓ Validation passed" "kerf validate in a UTF-8 locale"
for c in $cmds; do
	LC_ALL=C run help "$c"
	ascii "LC_ALL=C kerf help $c"
done

# --- under mksim: the runtime commands in a non-UTF-8 locale --------------

if [ -n "$mksim" ] && [ -x "$mksim" ] && [ -e /dev/fuse ] &&
   mkdir -p "$tmp/sys" &&
   "$mksim" start "$tmp/sys" >"$tmp/mksim.out" 2>&1; then
	sys=$tmp/sys
	echo "usage: runtime commands under mksim"
	mk() {
		LC_ALL=C "$mksim" run "$sys" -- "$kerf" --sysroot "$sys" "$@" \
			>"$tmp/out" 2>"$tmp/err"
		RC=$?
	}
	mk init --input=examples/baseline.dts
	expect 0 "init under mksim"
	ascii "LC_ALL=C kerf init"
	for args in "create web --cpus=4-7 --memory=2GB" \
		    "create db --cpu-count=4 --memory=1GB --dry-run" \
		    "create web --cpus=4-7 --memory=2GB" \
		    "show" "show web --verbose" "show --map" \
		    "update web --cpus=4-9 --dry-run" "update web --memory=1GB" \
		    "diff $f" "apply $f --dry-run" \
		    "exec web" "kill web" "unload web" \
		    "delete web --dry-run" "delete web" "show"; do
		# shellcheck disable=SC2086
		mk $args
		ascii "LC_ALL=C kerf $args"
	done
	for fmt in json yaml; do
		mk show nosuch --format "$fmt"
		is_error_data "$fmt" "show nosuch --format $fmt"
	done
else
	echo "usage: mksim cannot run here; its part is skipped"
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
