#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# completion/kerf.bash against the kerf it completes: commands, options of
# a command (from its help), option values, file names.
#
# usage: completion.sh KERF SRCDIR
set -u
K=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$2" || exit 2
# shellcheck source=/dev/null
. completion/kerf.bash
pass=0
failed=0

# t "EXPECTED" WORDS...: complete the last word of kerf WORDS.
t() {
	local want=$1 got
	shift
	COMP_WORDS=("$K" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_kerf 2>/dev/null
	got="${COMPREPLY[*]}"
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: kerf $*: got '$got', want '$want'"
	fi
}

t "compile console" co
t "help" he
t "--format=" --form
t "json" --format = j
t "--format=json" --format=j
t "start show" help s
t "--out= --out-format=" compile --out
t "dtb dts json yaml" compile -O ""
t "yaml" compile --out-format = y
t "--out-format=yaml" compile --out-format=y
t "examples/system.dts" compile examples/sys
t "no-cpu-overlap no-cpu-over-allocation" validate -W no-cpu-o
t "--werror" validate --we
t "auto always never" show --color = ""
t "compact spread local" create x --cpu-affinity = ""
t "local interleave bind" create x --memory-policy ""
t "examples/baseline.dts" load x --kernel = examples/b
t "--kernel=" load x --ker
t "--no-unicode" validate x --no-u
t "" create ""

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
