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
# start from an empty overlay (refuse to wipe anything that is not one)
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
	[ -e "$out/.validate-overlay" ] ||
		{ echo "fetch-debs: ERROR: $out is not empty and not an overlay" >&2; exit 1; }
	rm -rf "$out"
fi
mkdir -p "$out" "$debs"
touch "$out/.validate-overlay"
out=$(realpath "$out")
debs=$(realpath "$debs")

# Breadth-first closure over Depends + Pre-Depends, one apt-cache call per
# level (first alternative that is not skipped; a name with no package of
# its own is resolved to its first provider for $arch).
declare -A seen=() ver=() deps=() all=()
order=()
provider() {	# virtual name -> first real provider for $arch, or empty
	apt-cache showpkg "$1:$arch" 2>/dev/null |
		awk '/^Reverse Provides:/{f=1;next} f&&NF{print $1; exit}' |
		sed 's/:.*//'
}
frontier=("$@")
while [ ${#frontier[@]} -gt 0 ]; do
	query=()
	for p in "${frontier[@]}"; do
		[ -n "${seen[$p]:-}" ] && continue
		seen[$p]=1
		case "$skip" in *" $p "*) continue;; esac
		query+=("$p")
	done
	frontier=()
	[ ${#query[@]} -gt 0 ] || break
	while IFS=$'\t' read -r p v d; do
		[ -n "${ver[$p]:-}" ] && continue
		ver[$p]=$v
		deps[$p]=$d
	done < <(apt-cache show --no-all-versions "${query[@]/%/:$arch}" 2>/dev/null |
		awk '/^Package:/{p=$2} /^Version:/{v=$2}
		     /^(Pre-)?Depends:/{sub(/^[^:]*: /,""); d=d (d==""?"":", ") $0}
		     /^$/{if(p!="")print p "\t" v "\t" d; p=v=d=""}
		     END{if(p!="")print p "\t" v "\t" d}')
	# Architecture: all packages are not known as NAME:$arch
	miss=()
	for p in "${query[@]}"; do
		[ -n "${ver[$p]:-}" ] || miss+=("$p")
	done
	if [ ${#miss[@]} -gt 0 ]; then
		while IFS=$'\t' read -r p v d; do
			[ -n "${ver[$p]:-}" ] && continue
			ver[$p]=$v
			deps[$p]=$d
			all[$p]=1
		done < <(apt-cache show --no-all-versions "${miss[@]}" 2>/dev/null |
			awk '/^Package:/{p=$2} /^Version:/{v=$2} /^Architecture:/{a=$2}
			     /^(Pre-)?Depends:/{sub(/^[^:]*: /,""); d=d (d==""?"":", ") $0}
			     /^$/{if(p!=""&&a=="all")print p "\t" v "\t" d; p=v=d=a=""}
			     END{if(p!=""&&a=="all")print p "\t" v "\t" d}')
	fi
	for p in "${query[@]}"; do
		if [ -z "${ver[$p]:-}" ]; then
			r=$(provider "$p")
			[ "$r" = "$p" ] && r=
			[ -n "$r" ] && [ -n "${seen[$r]:-}" ] && continue
			if [ -z "$r" ]; then
				echo "fetch-debs: ERROR: package $p:$arch not found in apt (apt-get update? sources?)" >&2
				exit 1
			fi
			frontier+=("$r")
			continue
		fi
		order+=("$p")
		while IFS= read -r alt; do
			[ -n "$alt" ] || continue
			n=$(echo "${alt%%|*}" | sed 's/(.*)//; s/:any//; s/[[:space:]]//g')
			case "$alt" in *'|'*)
				# an alternative group is satisfied by any skipped member
				for a in $(echo "$alt" | tr '|' ' ' | sed 's/([^)]*)//g; s/:any//g'); do
					case "$skip" in *" $a "*) n=; break;; esac
				done;;
			esac
			[ -n "$n" ] && frontier+=("$n")
		done < <(echo "${deps[$p]}" | tr ',' '\n')
	done
done

echo "fetch-debs: ${#order[@]} packages: ${order[*]}"
debfile() {	# package version -> its .deb in $debs, or nothing
	local f v=${2#*:} e=${2/:/%3a}
	for f in "$debs/${1}_"{"$v","$e"}"_$arch.deb" "$debs/${1}_"{"$v","$e"}_all.deb; do
		[ -e "$f" ] && { echo "$f"; return; }
	done
	return 0
}
for p in "${order[@]}"; do
	v=${ver[$p]}
	f=$(debfile "$p" "$v")
	if [ -z "$f" ]; then
		q=$p:$arch
		[ -n "${all[$p]:-}" ] && q=$p
		( cd "$debs" && apt-get download -q -o APT::Sandbox::User=root \
			"$q=$v" >/dev/null ) ||
			{ echo "fetch-debs: ERROR: download of $q=$v failed" >&2; exit 1; }
		f=$(debfile "$p" "$v")
		[ -n "$f" ] || { echo "fetch-debs: ERROR: $p: no .deb after download" >&2; exit 1; }
	fi
	echo "fetch-debs: $p $v $(sha256sum "$f" | cut -c1-16) $(stat -c %s "$f")"
	dpkg-deb -x "$f" "$out"
done

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
	[ -d "$out/usr/$d" ] && [ ! -e "$out/$d" ] && ln -s usr/$d "$out/$d"
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

# Keep only the shared libraries the entry points need (top level of the
# library directory; subdirectories such as gconv stay).
if [ -n "${ENTRY:-}" ] && [ "${PRUNE:-1}" = 1 ]; then
	declare -A keep=()
	for f in "${!done_elf[@]}"; do
		keep[$f]=1
		r=$(realpath --relative-to="$out" "$out/$f")
		keep[$r]=1
	done
	pruned=0
	for f in "$out"/usr/lib/aarch64-linux-gnu/*.so* "$out"/usr/lib/aarch64-linux-gnu/*.a \
		 "$out"/usr/lib/aarch64-linux-gnu/*.o; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		rel=${f#"$out"/}
		case "$rel" in */ld-linux-*) continue;; esac
		[ -n "${keep[$rel]:-}" ] && continue
		rm -f "$f"
		pruned=$((pruned + 1))
	done
	echo "fetch-debs: pruned $pruned library files not needed by: $ENTRY"
fi
echo "fetch-debs: $(du -sh "$out" | cut -f1) in $out (ELF closure of ${#done_elf[@]} files OK)"
