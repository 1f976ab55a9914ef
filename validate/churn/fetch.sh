#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh OUTDIR: build the static churn stress and its runner into OUTDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../fetch-common.sh"
mkdir -p "$out"
nice -n 19 $CC -static -O2 -Wall -isystem "$HDR" -pthread \
	-o "$out/churn" "$here/../churn.c"
cp "$here/run.sh" "$out/run.sh"
echo "churn overlay: $(du -sh "$out" | cut -f1) in $out"
