#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-debs.sh OUTDIR ROOTPKG... -- download Debian arm64 packages and the
# run-time closure of their Depends/Pre-Depends, unpack them into OUTDIR
# (a rootfs overlay) and check that every ELF file under the listed entry
# points finds its DT_NEEDED libraries inside OUTDIR.
#
# Environment:
#   SKIP_PKGS   extra package names not to follow (space separated)
#   ENTRY       ELF files (paths relative to OUTDIR) whose library closure
#               must be complete
#   KEEP_DEBS   directory to keep the downloaded .debs in (default: OUTDIR/../debs)
#
# Prints every package it downloads (name, version, sha256).  Fails with a
# clear message if a package cannot be found or downloaded.
set -euo pipefail

out=$1; shift
[ $# -gt 0 ] || { echo "usage: $0 OUTDIR PKG..." >&2; exit 2; }
arch=arm64

# Packages whose contents are never needed to *run* the tools in a busybox
# guest: maintainer-script machinery, perl, data that only matters for
# interactive use.  Their absence is checked for by the DT_NEEDED scan below.
skip=" debconf debconf-2.0 cdebconf dpkg perl perl-base perl-modules-5.36
 libperl5.36 tar install-info ucf sensible-utils mime-support mailcap
 media-types readline-common init-system-helpers lsb-base mawk gawk
 libdebuginfod-common libtirpc-common libsource-highlight-common
 gcc-12-base tzdata netbase libsasl2-modules-db libkrb5-3-common
 ${SKIP_PKGS:-} "
skip=" $(echo $skip) "

command -v apt-get >/dev/null || { echo "fetch-debs: apt-get not found" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "fetch-debs: dpkg-deb not found" >&2; exit 1; }
command -v readelf >/dev/null || { echo "fetch-debs: readelf (binutils) not found" >&2; exit 1; }

if ! dpkg --print-foreign-architectures | grep -qx $arch &&
   [ "$(dpkg --print-architecture)" != $arch ]; then
	echo "fetch-debs: enabling dpkg architecture $arch" >&2
	dpkg --add-architecture $arch
	apt-get update -qq
fi
if ! apt-cache show --no-all-versions "libc6:$arch" >/dev/null 2>&1; then
	apt-get update -qq
fi

debs=${KEEP_DEBS:-$(dirname "$(realpath -m "$out")")/debs}
mkdir -p "$out" "$debs"
out=$(realpath "$out")
debs=$(realpath "$debs")

# Breadth-first closure over Depends + Pre-Depends (first alternative that
# exists for $arch; virtual packages resolved through apt-cache showpkg).
declare -A seen=() resolved=() ver=()
queue=("$@")
order=()
resolve() {	# name -> real package name for $arch, or empty
	local p=$1
	if apt-cache show --no-all-versions "$p:$arch" >/dev/null 2>&1; then
		echo "$p"; return
	fi
	# virtual: first provider for $arch
	apt-cache showpkg "$p:$arch" 2>/dev/null |
		awk '/^Reverse Provides:/{f=1;next} f&&NF{print $1; exit}' |
		sed 's/:.*//'
}
while [ ${#queue[@]} -gt 0 ]; do
	p=${queue[0]}; queue=("${queue[@]:1}")
	[ -n "${seen[$p]:-}" ] && continue
	seen[$p]=1
	case "$skip" in *" $p "*) continue;; esac
	if ! info=$(apt-cache show --no-all-versions "$p:$arch" 2>/dev/null); then
		echo "fetch-debs: ERROR: package $p:$arch not found in apt (apt-get update? sources?)" >&2
		exit 1
	fi
	order+=("$p")
	ver[$p]=$(echo "$info" | sed -n 's/^Version: //p')
	deps=$(echo "$info" | sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' | tr ',' '\n')
	while IFS= read -r alt; do
		[ -n "$alt" ] || continue
		pick=
		IFS='|' read -ra alts <<<"$alt"
		for a in "${alts[@]}"; do
			n=$(echo "$a" | sed 's/(.*)//; s/:any//; s/[[:space:]]//g')
			case "$skip" in *" $n "*) pick=skip; break;; esac
			[ -n "${seen[$n]:-}" ] && { pick=$n; break; }
			[ -n "${resolved[$n]+x}" ] || resolved[$n]=$(resolve "$n")
			r=${resolved[$n]}
			[ -n "$r" ] && { pick=$r; break; }
		done
		[ "$pick" = skip ] && continue
		[ -n "$pick" ] || { echo "fetch-debs: ERROR: no $arch package for dependency '$alt' of $p" >&2; exit 1; }
		queue+=("$pick")
	done <<<"$deps"
done

echo "fetch-debs: ${#order[@]} packages: ${order[*]}"
( cd "$debs" && for p in "${order[@]}"; do
	v=${ver[$p]}
	f=$(ls "${p}_"*"_$arch.deb" "${p}_"*"_all.deb" 2>/dev/null | head -1 || true)
	if [ -z "$f" ]; then
		apt-get download -q "$p:$arch=$v" >/dev/null ||
			{ echo "fetch-debs: ERROR: download of $p:$arch=$v failed" >&2; exit 1; }
		f=$(ls "${p}_"*"_$arch.deb" "${p}_"*"_all.deb" 2>/dev/null | head -1)
	fi
	echo "fetch-debs: $p $v $(sha256sum "$f" | cut -c1-16) $(stat -c %s "$f")"
	dpkg-deb -x "$f" "$out"
done )

# Drop what a batch run never reads.
rm -rf "$out"/usr/share/{doc,man,info,locale,lintian,bug,bash-completion,zsh} \
	"$out"/usr/lib/python3*/{test,idlelib,tkinter,ensurepip,lib2to3,pydoc_data,turtledemo,unittest/test} \
	"$out"/etc/init.d "$out"/lib/systemd "$out"/usr/lib/systemd "$out"/etc/logrotate.d

# Debian 12 is merged-/usr: make /lib and /lib64 point into /usr.
for d in lib lib64 bin sbin; do  # bin/sbin too: the overlay is a chroot
	if [ -d "$out/$d" ] && [ ! -L "$out/$d" ]; then
		mkdir -p "$out/usr/$d"
		cp -a "$out/$d/." "$out/usr/$d/"
		rm -rf "$out/$d"
	fi
	[ -e "$out/$d" ] || ln -s usr/$d "$out/$d"
done

# Every DT_NEEDED of the entry points (and of what they pull in) must be
# satisfied by a file inside the overlay.
libdirs="usr/lib/aarch64-linux-gnu usr/lib lib/aarch64-linux-gnu"
missing=0
declare -A done_elf=()
check=(${ENTRY:-})
while [ ${#check[@]} -gt 0 ]; do
	f=${check[0]}; check=("${check[@]:1}")
	[ -n "${done_elf[$f]:-}" ] && continue
	done_elf[$f]=1
	[ -e "$out/$f" ] || { echo "fetch-debs: ERROR: entry $f missing in overlay" >&2; missing=1; continue; }
	for n in $(readelf -d "$out/$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		hit=
		for d in $libdirs; do
			[ -e "$out/$d/$n" ] && { hit=$d/$n; break; }
		done
		if [ -z "$hit" ]; then
			echo "fetch-debs: ERROR: $f needs $n, not in overlay" >&2
			missing=1
		else
			check+=("$hit")
		fi
	done
done
[ $missing = 0 ] || exit 1
echo "fetch-debs: $(du -sh "$out" | cut -f1) in $out (ELF closure of ${#done_elf[@]} files OK)"
