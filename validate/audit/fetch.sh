#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh OUTDIR: Debian auditd:arm64 (auditd, auditctl, ausearch) + run-time
# library closure, the static workload and the runner, as a chroot-able
# rootfs overlay in OUTDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../fetch-common.sh"
ENTRY="usr/sbin/auditd usr/sbin/auditctl usr/sbin/ausearch" \
	"$here/../fetch-debs.sh" "$out" auditd
# no charset conversion needed: drop the gconv modules
rm -rf "$out/usr/lib/aarch64-linux-gnu/gconv"
mkdir -p "$out/v" "$out/run" "$out/var/log/audit"
[ -e "$out/var/run" ] || ln -s ../run "$out/var/run"
# name lookups of the tools (log_group, -i): a minimal passwd/group
echo 'root:x:0:0:root:/root:/bin/sh' > "$out/etc/passwd"
printf 'root:x:0:\nadm:x:4:\n' > "$out/etc/group"
nice -n 19 $CC -static -O2 -Wall -isystem "$HDR" -o "$out/v/workload" "$here/workload.c"
cp "$here/run.sh" "$out/run.sh"
echo "audit overlay: $(du -sh "$out" | cut -f1) in $out"
