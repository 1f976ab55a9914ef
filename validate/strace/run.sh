#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [ROOT] [TIMEOUT]: run the selected strace tests (ROOT/tests/
# validate-tests.list, made by build.sh) in the guest with busybox tools,
# printing one "ok/not ok/skip" line per test and a summary between
# VALIDATE-BEGIN strace and VALIDATE-END strace rc=N.  rc is 1 if any test
# failed (tests in validate-xfail.list are XFAIL).  Logs of failed tests
# are printed (first 30 lines).
root=${1:-$(cd "$(dirname "$0")" && pwd)}
to=${2:-600}
bb=/tmp/.validate-bb-all
mkdir -p $bb
busybox --install -s $bb 2>/dev/null
PATH=$bb:$PATH
export PATH
t0=$(date +%s)
echo "VALIDATE-BEGIN strace"
cd "$root/tests" || exit 1
pass=0 fail=0 skip=0 xfail=0 i=0
for t in $(cat validate-tests.list); do
	i=$((i + 1))
	env STRACE_ARCH=aarch64 STRACE_NATIVE_ARCH=aarch64 \
		SIZEOF_KERNEL_LONG_T=8 SIZEOF_LONG=8 MIPS_ABI= srcdir=. \
		TIMEOUT_DURATION=$to sh ./run.sh ./$t > "/tmp/strace-$t.log" 2>&1
	r=$?
	case $r in
	0)	pass=$((pass + 1)); echo "ok $i $t";;
	77)	skip=$((skip + 1)); echo "ok $i $t # SKIP $(tail -1 /tmp/strace-$t.log)";;
	*)	if grep -qx "$t" validate-xfail.list 2>/dev/null; then
			xfail=$((xfail + 1)); echo "not ok $i $t # XFAIL exit $r"
		else
			fail=$((fail + 1)); echo "not ok $i $t # exit $r"
		fi
		head -30 "/tmp/strace-$t.log" | sed 's/^/#   /';;
	esac
	rm -rf "${t%.test}.dir" "${t%.gen.test}.dir"
done
echo "# strace: pass=$pass fail=$fail xfail=$xfail skip=$skip in $(( $(date +%s) - t0 ))s"
rc=0
[ $fail = 0 ] || rc=1
echo "VALIDATE-END strace rc=$rc"
exit $rc
