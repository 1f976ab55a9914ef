#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [ROOT] [N]: in the guest, start auditd (chrooted into ROOT, the
# overlay made by fetch.sh; default: this script's directory) logging to
# /tmp, add a syscall-exit rule for getppid/close of a workload process, run
# the workload (N of each call, default 20) and print a normalised summary
# of the SYSCALL records ausearch finds, between VALIDATE-BEGIN audit and
# VALIDATE-END audit rc=N.  Expected: exactly one record per syscall, with
# the right exit= and success= values.
root=${1:-$(cd "$(dirname "$0")" && pwd)}
n=${2:-20}
rc=0
key=vchk

# busybox applets that a minimal /bin may lack
bbdir=/tmp/.validate-bb
mkdir -p $bbdir
for a in chroot chmod date umount awk sort uniq head cat sleep grep mount rm; do
	command -v $a >/dev/null 2>&1 || ln -sf "$(command -v busybox)" $bbdir/$a
done
PATH=$PATH:$bbdir
t0=$(date +%s)
echo "VALIDATE-BEGIN audit"

for m in proc dev tmp; do
	mkdir -p "$root/$m"
done
mounted=
mount -t proc proc "$root/proc" && mounted="$mounted proc"
mount -o bind /dev "$root/dev" && mounted="$mounted dev"
mount -t tmpfs tmp "$root/tmp" && mounted="$mounted tmp"
mkdir -p "$root/tmp/conf" "$root/run" "$root/var/log/audit"

cat > "$root/tmp/conf/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = /tmp/audit.log
log_format = RAW
log_group = 0
priority_boost = 0
flush = INCREMENTAL_ASYNC
freq = 1
num_logs = 1
max_log_file = 64
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
name_format = NONE
q_depth = 2000
CONF
chmod 0640 "$root/tmp/conf/auditd.conf"

ch() {
	chroot "$root" "$@"
}

chroot "$root" /usr/sbin/auditd -n -c /tmp/conf > "$root/tmp/auditd.out" 2>&1 &
adpid=$!
i=0
until ch /usr/sbin/auditctl -s 2>/dev/null | grep -q "^pid [1-9]"; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $adpid 2>/dev/null; then
		echo "FAIL: auditd did not start"
		cat "$root/tmp/auditd.out"
		rc=1
		break
	fi
	sleep 0.2
done

if [ $rc = 0 ]; then
	lost0=$(ch /usr/sbin/auditctl -s | awk '$1 == "lost" {print $2}')
	ch /usr/sbin/auditctl -D >/dev/null
	# the workload stops itself; add the rules for its pid, then let it go
	"$root/v/workload" $n > "$root/tmp/workload.out" 2>&1 &
	wpid=$!
	until grep -q '^State:.*stopped' /proc/$wpid/status 2>/dev/null; do
		sleep 0.1
	done
	ch /usr/sbin/auditctl -a always,exit -F arch=b64 -S getppid -S close \
		-F pid=$wpid -k $key >/dev/null || rc=1
	kill -CONT $wpid
	wait $wpid || rc=1
	cat "$root/tmp/workload.out"
	ch /usr/sbin/auditctl -D >/dev/null
	lost1=$(ch /usr/sbin/auditctl -s | awk '$1 == "lost" {print $2}')
	kill -TERM $adpid
	wait $adpid
	ch /usr/sbin/ausearch -if /tmp/audit.log -k $key --raw \
		> "$root/tmp/raw.log" 2>"$root/tmp/ausearch.err"
	echo "lost_delta=$((lost1 - lost0))"
	[ "$lost1" = "$lost0" ] || rc=1

	# one line per (syscall, success, exit) with its record count;
	# getppid's exit value is the runner's pid: normalised to "ppid".
	awk -v ppid=$$ -v pid=$wpid '
	/^type=SYSCALL / {
		sc = ""; ok = ""; ex = ""; p = ""
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "syscall") sc = kv[2]
			else if (kv[1] == "success") ok = kv[2]
			else if (kv[1] == "exit") ex = kv[2]
			else if (kv[1] == "pid") p = kv[2]
		}
		if (sc == 173) sc = "getppid"
		else if (sc == 57) sc = "close"
		if (ex == ppid && sc == "getppid") ex = "ppid"
		if (p != pid) next	# auditctl adding/deleting the rule
		print "SYSCALL " sc " success=" ok " exit=" ex
	}' "$root/tmp/raw.log" | sort | uniq -c |
		awk '{ c = $1; $1 = ""; print substr($0, 2) " count=" c }' \
		> "$root/tmp/summary"
	cat "$root/tmp/summary"
	want="SYSCALL close success=no exit=-9 count=$n
SYSCALL close success=yes exit=0 count=$n
SYSCALL getppid success=yes exit=ppid count=$n"
	if [ "$(cat "$root/tmp/summary")" != "$want" ]; then
		echo "FAIL: summary differs from expected:"
		echo "$want"
		echo "# audit.log: $(grep -c . "$root/tmp/audit.log") lines; ausearch stderr:"
		head -5 "$root/tmp/ausearch.err"
		echo "# auditd output:"
		grep -v _parser "$root/tmp/auditd.out" | head -20
		rc=1
	fi
	echo "# records with key $key: $(awk '{print $1}' "$root/tmp/raw.log" | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')"
fi
kill $adpid 2>/dev/null
for m in $mounted; do
	umount "$root/$m" 2>/dev/null || umount -l "$root/$m"
done
echo "# audit: $(( $(date +%s) - t0 ))s"
echo "VALIDATE-END audit rc=$rc"
exit $rc
