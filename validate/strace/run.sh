#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [ROOT] [TIMEOUT]: run the strace tests (ROOT/tests/
# validate-tests.list, made by build.sh) in the guest, printing one
# "ok/not ok/skip" line per test and a summary between VALIDATE-BEGIN
# strace and VALIDATE-END strace rc=N.  rc is 1 if any test failed; the
# host (harness/validate.py) holds the failures expected on both kernels
# (xfail.list).  Tests in validate-notrun.list (notrun.list) are not
# started: they are reported as skipped, with their reason.  Logs of failed
# tests are printed (their last 40 lines: the diff and the verdict).
root=${1:-$(cd "$(dirname "$0")" && pwd)}
to=${2:-1500}	# strace's own default TIMEOUT_DURATION
# The programs are dynamic: the loader and libraries come from root/
# (Debian's libc6:arm64); GNU tools first in PATH, busybox for the rest.
mkdir -p /lib
ln -sfn "$root/root/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" \
	/lib/ld-linux-aarch64.so.1
ln -sfn "$root/root/usr/lib/aarch64-linux-gnu" /lib/aarch64-linux-gnu
bb=/tmp/.validate-bb-all
mkdir -p $bb
busybox --install -s $bb 2>/dev/null
rm -f $bb/sh
# Everything below runs under Debian's dash, never busybox's sh (which may
# pick its own applets over PATH); this boot runs strace only.
dash=$root/root/usr/bin/dash
ln -sfn "$dash" /bin/sh
PATH=$root/root/usr/bin:$bb:$PATH
export PATH

t0=$(date +%s)
echo "VALIDATE-BEGIN strace"
for t in sed grep diff; do
	"$dash" -c "$t --version" 2>/dev/null | "$dash" -c "grep -q GNU" && continue
	echo "not ok 0 GNU $t does not run from $root/root"
	"$dash" -c "$t --version" 2>&1 | head -5 | sed 's/^/#   /'
	echo "#   $t is $("$dash" -c "command -v $t")"
	echo "VALIDATE-END strace rc=1"
	exit 1
done
cd "$root/tests" || exit 1
pass=0 fail=0 skip=0 i=0
# names read once: a process per test would cost ~1250 execs under TCG
notrun=" $(awk '{ printf "%s ", $1 }' validate-notrun.list)"
for t in $(cat validate-tests.list); do
	i=$((i + 1))
	case $notrun in
	*" $t "*)
		why=$(awk -v t="$t" '$1 == t { sub(/^[^ ]* +/, ""); print }' \
			validate-notrun.list)
		skip=$((skip + 1)); echo "ok $i $t # SKIP not run (notrun.list): $why"
		continue;;
	esac
	"$root/root/usr/bin/env" STRACE_ARCH=aarch64 STRACE_NATIVE_ARCH=aarch64 \
		SIZEOF_KERNEL_LONG_T=8 SIZEOF_LONG=8 MIPS_ABI= srcdir=. \
		TIMEOUT_DURATION=$to "$dash" ./run.sh ./$t > "/tmp/strace-$t.log" 2>&1
	r=$?
	case $r in
	0)	pass=$((pass + 1)); echo "ok $i $t";;
	77)	skip=$((skip + 1)); echo "ok $i $t # SKIP $(tail -1 /tmp/strace-$t.log)";;
	*)	fail=$((fail + 1)); echo "not ok $i $t # exit $r"
		tail -40 "/tmp/strace-$t.log" | sed 's/^/#   /';;
	esac
	rm -rf "${t%.test}.dir" "${t%.gen.test}.dir"
done
echo "# strace: pass=$pass fail=$fail skip=$skip in $(( $(date +%s) - t0 ))s"
rc=0
[ $fail = 0 ] || rc=1
echo "VALIDATE-END strace rc=$rc"
exit $rc
