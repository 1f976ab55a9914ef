#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh OUTDIR: Debian trinity:arm64 (the syscall fuzzer) and its
# run-time library closure, with the runner, as a chroot-able rootfs
# overlay in OUTDIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: $0 OUTDIR}
ENTRY="usr/bin/trinity" "$here/../fetch-debs.sh" "$out" trinity
mkdir -p "$out/tmp"
echo 'root:x:0:0:root:/root:/bin/sh' > "$out/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >> "$out/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$out/etc/group"
cp "$here/run.sh" "$out/run.sh"
echo "trinity overlay: $(du -sh "$out" | cut -f1) in $out"
