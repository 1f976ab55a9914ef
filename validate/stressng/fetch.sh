#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh OUTDIR: Debian stress-ng:arm64 and its run-time library closure,
# with the runner, as a chroot-able rootfs overlay in OUTDIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: $0 OUTDIR}
ENTRY="usr/bin/stress-ng" "$here/../fetch-debs.sh" "$out" stress-ng
rm -rf "$out/usr/lib/aarch64-linux-gnu/gconv"
mkdir -p "$out/tmp"
echo 'root:x:0:0:root:/root:/bin/sh' > "$out/etc/passwd"
printf 'root:x:0:\n' > "$out/etc/group"
cp "$here/run.sh" "$out/run.sh"
echo "stress-ng overlay: $(du -sh "$out" | cut -f1) in $out"
