#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-all.sh OUTDIR [PIECE...]: build the guest overlays of the validation
# pieces (default: churn gdb audit; strace is opt-in, it takes ~15 min of
# CPU) into OUTDIR/<piece>/.  In the guest, with OUTDIR copied to DIR:
#   sh DIR/<piece>/run.sh DIR/<piece>
# prints the piece's results between VALIDATE-BEGIN <piece> and
# VALIDATE-END <piece> rc=N.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: $0 OUTDIR [PIECE...]}
shift
pieces=${*:-churn gdb audit}
mkdir -p "$out"
out=$(realpath "$out")
# downloads and build trees live beside OUTDIR, not in it (OUTDIR goes into
# the guest)
export KEEP_DEBS=${KEEP_DEBS:-$out.debs}
for p in $pieces; do
	case $p in
	strace)	"$here/strace/build.sh" "$out/strace" "$out.strace-work";;
	*)	"$here/$p/fetch.sh" "$out/$p";;
	esac
done
du -sh "$out"/* 2>/dev/null
