#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests: every t_* function of tests/e2e/test_*.sh, each in its
# own subshell with its own mksim.  Usage: run.sh BUILD_DIR [PATTERN]
set -u
BUILD=$(cd "${1:?usage: run.sh BUILD_DIR [PATTERN]}" && pwd)
PATTERN=${2:-}
export BUILD
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

if [ ! -e /dev/fuse ]; then
	echo "e2e: /dev/fuse is missing; skipped"
	exit 77
fi

pass=0 failed=0 failures=
for f in "$HERE"/test_*.sh; do
	. "$f"
done
for t in $(declare -F | awk '{print $3}' | grep '^t_'); do
	[ -n "$PATTERN" ] && case $t in *$PATTERN*) ;; *) continue ;; esac
	if ( set -u; "$t" ) 2>"$BUILD/e2e-$t.log"; then
		echo "PASS $t"
		pass=$((pass + 1))
	else
		echo "FAIL $t"
		sed 's/^/  /' "$BUILD/e2e-$t.log"
		failed=$((failed + 1))
		failures="$failures $t"
	fi
done
echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
