# SPDX-License-Identifier: GPL-2.0
# Sourced by a piece's fetch.sh OUTDIR: strict mode, the output directory,
# the arm64 cross compiler and the exported UAPI headers (KHDR, required).
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
CC=${CROSS_COMPILE:-aarch64-linux-gnu-}gcc
HDR=${KHDR:?set KHDR to exported arm64 UAPI headers (make headers)}
if [ ! -d "$HDR" ]; then
	echo "$0: KHDR=$HDR is not a directory" >&2
	exit 1
fi
