#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [ROOT] [SECONDS]: stress-ng's syscall-path stressors in the guest,
# chrooted into ROOT (made by fetch.sh), for SECONDS each (default 30):
#   syscall  every system call stress-ng knows, with sane arguments
#   ptrace   a tracer stepping a child through PTRACE_SYSCALL stops
#   seccomp  seccomp filters installed, syscalls allowed and denied
# Prints one line per stressor between VALIDATE-BEGIN stressng and
# VALIDATE-END stressng rc=N: "stressng <name> ok" or "... FAIL".
# Bogo-op counts vary from run to run and are printed as # lines.
root=${1:-$(cd "$(dirname "$0")" && pwd)}
secs=${2:-30}
bbdir=/tmp/.validate-bb
mkdir -p $bbdir
for a in chroot env umount mount; do
	command -v $a >/dev/null 2>&1 || ln -sf "$(command -v busybox)" $bbdir/$a
done
PATH=$PATH:$bbdir
echo "VALIDATE-BEGIN stressng"
mkdir -p "$root/proc" "$root/dev" "$root/sys" "$root/tmp"
mount -t proc proc "$root/proc"
mount -o bind /dev "$root/dev"
mount -t sysfs sys "$root/sys"
mount -t tmpfs tmp "$root/tmp"
rc=0
for s in syscall ptrace seccomp; do
	env -i HOME=/tmp PATH=/usr/bin:/bin "$(command -v chroot)" "$root" \
		/usr/bin/stress-ng --$s 2 --timeout "${secs}s" --metrics-brief \
		--temp-path /tmp > "$root/tmp/$s.out" 2>&1
	r=$?
	sed -n 's/^.*\(stress-ng: \(info\|metrc\).*\)$/# \1/p' "$root/tmp/$s.out"
	if [ $r -eq 0 ]; then
		echo "stressng $s ok"
	else
		echo "stressng $s FAIL exit=$r"
		sed 's/^/# /' "$root/tmp/$s.out" | tail -20
		rc=1
	fi
done
umount "$root/tmp" "$root/sys" "$root/dev" "$root/proc"
echo "VALIDATE-END stressng rc=$rc"
exit $rc
