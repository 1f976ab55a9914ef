#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# devcheck.sh OVERLAYDIR OUTDIR IMAGE... : developer check with
# /work/scratch/dev/devboot.sh: boot each kernel with the overlays built by
# build-all.sh, keep the console in OUTDIR/<n>.console and the marker
# sections in OUTDIR/<n>.txt (lines starting with '#' dropped: timings;
# churn's counters replaced by N),
# and diff every kernel's sections against the first one's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ov=${1:?}; res=${2:?}; shift 2
mkdir -p "$res"
cp "$here/guest-run.sh" "$ov/"
i=0 rc=0
for img in "$@"; do
	i=$((i + 1))
	while [ "$(pgrep -fc qemu-system-aarch64 || true)" -ge 2 ]; do sleep 10; done
	nice -n 19 /work/scratch/dev/devboot.sh "$img" "$ov" 'sh /t/guest-run.sh /t' 900 \
		> "$res/$i.console" 2>&1 || true
	sed -n '/^VALIDATE-BEGIN/,/^VALIDATE-END/p' "$res/$i.console" | tr -d '\r' |
		grep -v '^#' |
		sed -E '/^CHURN ok/s/(syscalls|attaches|switches|audit_toggles)=[0-9]+/\1=N/g' \
		> "$res/$i.txt"
	echo "$img: $(grep '^VALIDATE-END' "$res/$i.txt" | tr '\n' ' ')"
	if [ $i -gt 1 ]; then
		diff -u "$res/1.txt" "$res/$i.txt" && echo "  identical to $1" || rc=1
	fi
done
exit $rc
