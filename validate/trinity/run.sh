#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [ROOT] [SECONDS]: Debian's trinity, chrooted into ROOT (made by
# fetch.sh), fuzzing the system calls it knows (seed 1; not those that
# end the guest, listed below) from two children for
# SECONDS (default 60), as nobody (--dropprivs: trinity refuses to run as
# root, and a root fuzzer would reboot or unmount the guest; no sockets:
# their set-up takes minutes under TCG), then stopped
# with SIGINT.  Between VALIDATE-BEGIN trinity and VALIDATE-END trinity
# rc=N prints "trinity ran" when trinity stopped by itself within 60 s of
# the signal and reported its syscall count, "trinity FAIL ..." otherwise.
# The counts vary from run to run and are printed as # lines.  What the
# validation judges is the kernel log and the stuck-task scan after it.
root=${1:-$(cd "$(dirname "$0")" && pwd)}
secs=${2:-60}
bbdir=/tmp/.validate-bb
mkdir -p $bbdir
for a in chroot env umount mount timeout; do
	command -v $a >/dev/null 2>&1 || ln -sf "$(command -v busybox)" $bbdir/$a
done
PATH=$PATH:$bbdir
# What would end the guest or the runner instead of testing the syscall
# path: trinity's children can still be root (they fuzz setuid(2) before
# --dropprivs takes effect everywhere).
excl=""
for s in reboot kexec_load kexec_file_load init_module finit_module \
	delete_module swapon swapoff kill tkill tgkill; do
	excl="$excl -x $s"
done
echo "VALIDATE-BEGIN trinity"
mkdir -p "$root/proc" "$root/dev" "$root/sys" "$root/tmp"
mount -t proc proc "$root/proc"
mount -o bind /dev "$root/dev"
mount -t sysfs sys "$root/sys"
mount -t tmpfs tmp "$root/tmp"
chmod 1777 "$root/tmp"
env -i HOME=/tmp PATH=/usr/bin:/bin "$(command -v chroot)" "$root" \
	/usr/bin/trinity --dropprivs --quiet --children 2 -s 1 \
	--disable-fds=sockets $excl \
	> "$root/tmp/trinity.out" 2>&1 &
pid=$!
sleep "$secs"
kill -INT $pid 2>/dev/null
waited=0
while kill -0 $pid 2>/dev/null && [ $waited -lt 60 ]; do
	sleep 1
	waited=$((waited + 1))
done
rc=0
if kill -0 $pid 2>/dev/null; then
	echo "trinity FAIL: still running 60 s after SIGINT"
	kill -KILL $pid 2>/dev/null
	rc=1
elif grep -q "Ran [0-9]* syscalls" "$root/tmp/trinity.out"; then
	echo "trinity ran"
else
	echo "trinity FAIL: no syscall count in its output"
	rc=1
fi
grep "Ran [0-9]* syscalls\|Bailing main loop\|exit_reason" \
	"$root/tmp/trinity.out" | sed 's/^/# /'
[ $rc -eq 0 ] || tail -20 "$root/tmp/trinity.out" | sed 's/^/# /'
sleep 1
umount "$root/tmp" "$root/sys" "$root/dev" "$root/proc"
echo "VALIDATE-END trinity rc=$rc"
exit $rc
