#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [ROOT]: run the gdb validation scripts in the guest and print the
# normalised transcripts between VALIDATE-BEGIN gdb / VALIDATE-END gdb rc=N.
# ROOT is the overlay made by fetch.sh (default: the directory of this
# script); gdb runs chrooted into it.  Needs a busybox with chroot, mount.
root=${1:-$(cd "$(dirname "$0")" && pwd)}
rc=0

# busybox applets that a minimal /bin may lack
bbdir=/tmp/.validate-bb
mkdir -p $bbdir
for a in chroot env date umount head sed grep mount sleep touch; do
	command -v $a >/dev/null 2>&1 || ln -sf "$(command -v busybox)" $bbdir/$a
done
PATH=$PATH:$bbdir
t0=$(date +%s)
echo "VALIDATE-BEGIN gdb"

mounted=
for m in proc dev tmp; do
	mkdir -p "$root/$m"
done
mount -t proc proc "$root/proc" && mounted="$mounted proc"
mount -o bind /dev "$root/dev" && mounted="$mounted dev"
mount -t tmpfs tmp "$root/tmp" && mounted="$mounted tmp"

norm() {	# $1: raw transcript, $2: gdb pid
	inf=$(sed -n 's/.*process \([0-9][0-9]*\).*/\1/p' "$1" | head -1)
	sed -e "s/\\b$2\\b/<GDBPID>/g" \
	    ${inf:+-e "s/\\b$inf\\b/<PID>/g"} \
	    -e 's/0x[0-9a-f]\{6,\}/<ADDR>/g' \
	    -e 's/process [0-9][0-9]*/process <PID>/g' \
	    -e 's/LWP [0-9][0-9]*/LWP <PID>/g' "$1"
}

# The initramfs unpacks files with the time of the unpack (allnoconfig has
# no INITRAMFS_PRESERVE_MTIME), so target.c can land a clock tick after
# target and gdb then warns that the source is newer, on one boot and not
# the other.  The executable is made the newer of the two.
touch "$root/v/target"

for s in catch step finish; do
	echo "=== $s"
	env -i HOME=/tmp TERM=dumb LANG=C PATH=/usr/bin:/bin \
		"$(command -v chroot)" "$root" /usr/bin/gdb -nx -batch -x /v/$s.gdb /v/target \
		> "$root/tmp/$s.out" 2>&1 &
	pid=$!
	( sleep 120; kill -9 $pid 2>/dev/null ) &
	wd=$!
	wait $pid
	r=$?
	kill $wd 2>/dev/null
	norm "$root/tmp/$s.out" $pid
	echo "=== $s gdb-exit=$r"
	[ $r = 0 ] || rc=1
done

# The properties the transcripts must show (besides base == series).
chk() {	# file, pattern, what
	grep -q "$2" "$root/tmp/$1.out" || { echo "CHECK FAIL $1: $3"; rc=1; }
}
chk catch 'entry: x8=173 x0=0x1234 x7=0 pc=svc_site+4$' 'entry stop: x8, x0, x7 == 0 (PTRACE_SYSCALL_ENTER)'
chk catch 'exit: x8=173 x0=[0-9]* x7=0x1 pc=svc_site+4$' 'exit stop: x7 == 1 (PTRACE_SYSCALL_EXIT)'
chk catch 'target: getppid=[0-9]* x7=0x77' 'x7 restored after the syscall stops'
chk step 'before: pc=svc_site+0 x8=57 x0=-1 x7=0x77$' 'registers before svc'
chk step 'after: pc=svc_site+4 x8=57 x0=-9 x7=0x77$' 'stepi over svc: pc+4, -EBADF, x7 kept'
chk step 'target: close(-1)=-9 x7=0x77' 'target saw -EBADF, x7 kept'
chk finish 'Value returned is .* = -4$' 'finish returns -EINTR'
chk finish 'after finish: got_alarm=1 x0=-4$' 'handler ran, x0 == -EINTR'
chk finish 'Program received signal SIGALRM' 'SIGALRM reported'
chk finish 'target: read=-4 got_alarm=1 x7=0x77' 'target saw -EINTR and its handler'

for m in $mounted; do
	umount "$root/$m" 2>/dev/null || umount -l "$root/$m"
done
echo "# gdb: $(( $(date +%s) - t0 ))s"
echo "VALIDATE-END gdb rc=$rc"
exit $rc
