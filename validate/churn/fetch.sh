#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh OUTDIR: build the static churn stress and its runner into OUTDIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: $0 OUTDIR}
CC=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
HDR=${KHDR:?set KHDR to exported arm64 UAPI headers (make headers)}
[ -d "$HDR" ] || HDR=
mkdir -p "$out"
nice -n 19 $CC -static -O2 -Wall ${HDR:+-isystem $HDR} -pthread \
	-o "$out/churn" "$here/../churn.c"
cp "$here/run.sh" "$out/run.sh"
echo "churn overlay: $(du -sh "$out" | cut -f1) in $out"
