#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh OUTDIR: Debian gdb:arm64 + run-time library closure, the static
# test target, the gdb scripts and the runner, as a chroot-able rootfs
# overlay in OUTDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../fetch-common.sh"
ENTRY="usr/bin/gdb" "$here/../fetch-debs.sh" "$out" gdb
# gdb converts between the host charset and UTF-32: keep only the
# Unicode gconv modules
find "$out/usr/lib/aarch64-linux-gnu/gconv" -name '*.so' ! -name 'UTF-*' \
	! -name 'UNICODE.so' -delete
mkdir -p "$out/v"
cp "$here/target.c" "$here"/*.gdb "$out/v/"
nice -n 19 $CC -static -O1 -g -Wall -isystem "$HDR" \
	-fdebug-prefix-map="$here"=/v -o "$out/v/target" "$here/target.c"
cp "$here/run.sh" "$out/run.sh"
echo "gdb overlay: $(du -sh "$out" | cut -f1) in $out"
