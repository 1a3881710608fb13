#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages kerf needs to build, test and demo, but only
# those that are missing (so a second run costs nothing).
set -eu
pkgs=(
	build-essential meson ninja-build pkg-config clang
	libfdt-dev device-tree-compiler
	libyaml-dev libcmocka-dev
	libfuse3-dev fuse3 libseccomp-dev
	zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev
	libclang-rt-14-dev valgrind
	xz-utils zstd lz4 bzip2 gzip time python3
)
missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing missing packages: ${missing[*]}"
sudo=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		sudo=sudo
	else
		echo "error: need root to install: ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
