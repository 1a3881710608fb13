#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Independent validation corpus: every *.dts / *.dtb here is run through
# `kerf validate --format json` and the text form, and its findings are
# compared with NAME.expect (see run.py for the format).
#
# usage: run.sh KERF
set -u
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/run.py" "$1" "$here"
