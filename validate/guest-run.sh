#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# guest-run.sh [DIR] [PIECE...]: in the guest, run the pieces found in DIR
# (default: this script's directory; default pieces: churn gdb audit, and
# strace if present) one after the other.  Exit status: number of failed
# pieces.
dir=${1:-$(cd "$(dirname "$0")" && pwd)}
[ $# -gt 0 ] && shift
pieces=${*:-churn gdb audit strace}
bad=0
for p in $pieces; do
	[ -f "$dir/$p/run.sh" ] || continue
	sh "$dir/$p/run.sh" "$dir/$p" || bad=$((bad + 1))
done
exit $bad
