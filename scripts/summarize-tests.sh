#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Print "N passed, N failed" from one or more meson testlog.json files.
set -eu
pass=0
fail=0
skip=0
for f in "$@"; do
	[ -f "$f" ] || continue
	p=$(grep -c '"result": "OK"' "$f" || true)
	x=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$f" || true)
	s=$(grep -c '"result": "SKIP"' "$f" || true)
	pass=$((pass + p))
	fail=$((fail + x))
	skip=$((skip + s))
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
