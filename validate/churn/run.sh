#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run.sh [DIR] [SECONDS]: run the churn stress (default 20 s) in the guest,
# between VALIDATE-BEGIN churn / VALIDATE-END churn rc=N.
dir=${1:-$(cd "$(dirname "$0")" && pwd)}
echo "VALIDATE-BEGIN churn"
"$dir/churn" -t "${2:-20}"
rc=$?
echo "VALIDATE-END churn rc=$rc"
exit $rc
