#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh OUTDIR [WORKDIR]: fetch Debian's strace source (bookworm), cross-
# build strace and its whole test suite for arm64 and assemble a guest
# overlay in OUTDIR: src/strace, tests/ (the suite's scripts and data plus
# the stripped test programs) and root/ (Debian arm64 glibc and GNU tools).
#
# Everything is linked dynamically, as in Debian's own build of the suite:
# ~1150 static test programs would be ~700 MB, too big for an initramfs,
# while dynamic ones share one libc.  They are linked against the cross
# toolchain's glibc 2.36 and run on Debian bookworm's libc6:arm64 (2.36).
#
# The source comes through apt with a private deb-src list (the system's
# apt configuration is not touched).  CPU: about 2 min for strace and
# 10-15 min (nice 19) for the test programs.
#
# STRACE_TESTS: extended regex of test names to run (default: all of them,
# ~1250 tests).  STRACE_SLICE=FROM-TO[,FROM-TO...]: only the FROM-th to
# TO-th of those (1-based, in the suite's order), to split the suite over
# several boots.
set -euo pipefail
trap 'echo "strace/build.sh: failed at line $LINENO (exit $?)" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: $0 OUTDIR [WORKDIR]}
work=${2:-$(dirname "$(realpath -m "$out")")/strace-work}
host=${STRACE_HOST:-aarch64-linux-gnu}
select=${STRACE_TESTS:-.*}
b=bd	# dynamic build tree (an older static one may sit in WORKDIR/b)
mkdir -p "$work"
work=$(realpath "$work")

# 1. source
if [ ! -d "$work/src" ]; then
	mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/dl"
	echo 'deb-src http://deb.debian.org/debian bookworm main' > "$work/apt/sources.list"
	aptopt=(-o Dir::Etc::SourceList="$work/apt/sources.list"
		-o Dir::Etc::SourceParts=/nonexistent
		-o Dir::State::Lists="$work/apt/lists"
		-o Dir::Cache="$work/apt/cache"
		-o APT::Sandbox::User=root)
	apt-get "${aptopt[@]}" update -qq
	(cd "$work/dl" && apt-get "${aptopt[@]}" source --download-only strace) ||
		{ echo "strace/build.sh: ERROR: apt-get source strace failed" >&2; exit 1; }
	dsc=$(ls "$work"/dl/strace_*.dsc)
	echo "strace/build.sh: $(basename "$dsc") $(sha256sum "$dsc" | cut -c1-16)"
	# dpkg-source verifies the checksums and applies Debian's patches
	(cd "$work" && dpkg-source --no-check -x "$dsc" src.tmp >/dev/null)
	mv "$work/src.tmp" "$work/src"
fi

# 2. build
jobs=$(nproc)
if [ ! -x "$work/$b/src/strace" ]; then
	mkdir -p "$work/$b"
	(cd "$work/$b" && nice -n 19 ../src/configure --host=$host \
		--build="$(../src/build-aux/config.guess)" --enable-mpers=no \
		--disable-gcc-Werror > configure.log 2>&1) ||
		{ echo "strace/build.sh: configure failed, see $work/$b/configure.log" >&2; exit 1; }
	nice -n 19 make -C "$work/$b" -j"$jobs" > "$work/$b/make.log" 2>&1 ||
		{ echo "strace/build.sh: make failed, see $work/$b/make.log" >&2; exit 1; }
fi
if [ ! -e "$work/$b/tests/.built" ]; then
	nice -n 19 make -C "$work/$b/tests" -j"$jobs" check TESTS= > "$work/$b/check-build.log" 2>&1 ||
		{ echo "strace/build.sh: test build failed, see $work/$b/check-build.log" >&2; exit 1; }
	touch "$work/$b/tests/.built"
fi

# 3. overlay
[ ! -e "$out" ] || [ -e "$out/.validate-overlay" ] ||
	{ echo "strace/build.sh: $out exists and is not an overlay" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/src" "$out/tests"
touch "$out/.validate-overlay"
${host}-strip -o "$out/src/strace" "$work/$b/src/strace"
# the -ff tests merge the per-process logs with strace's own script
install -m 755 "$work/src/src/strace-log-merge" "$out/src/"
# scripts and data of the suite (srcdir == builddir in the guest)
(cd "$work/src/tests" && find . -maxdepth 1 -type f ! -name '*.c' ! -name '*.h' \
	! -name 'Makefile*' -exec cp {} "$out/tests/" \;)
cp "$work/$b/src/config.h" "$out/src/"
mkdir -p "$out/src/linux" && cp -r "$work/src/src/linux/$(echo $host | sed 's/-.*//')" "$out/src/linux/" 2>/dev/null || true
all=$(printf 'print-tests:\n\t@echo $(TESTS)\n' | make -s -C "$work/$b/tests" -f Makefile -f - print-tests)
tests=$(echo "$all" | tr ' ' '\n' | grep -E "^($select)(\.gen)?\.test$" || true)
if [ -n "${STRACE_SLICE:-}" ]; then
	echo "$STRACE_SLICE" | grep -Eqx '[1-9][0-9]*-[1-9][0-9]*(,[1-9][0-9]*-[1-9][0-9]*)*' ||
		{ echo "strace/build.sh: STRACE_SLICE=$STRACE_SLICE is not FROM-TO[,FROM-TO...]" >&2; exit 1; }
	# 75-689,1051-1254 -> sed -n '75,689p;1051,1254p'
	tests=$(echo "$tests" | sed -n "$(echo "$STRACE_SLICE" | sed 's/,/p;/g; s/-/,/g; s/$/p/')")
fi
[ -n "$tests" ] || { echo "strace/build.sh: no test matches STRACE_TESTS/STRACE_SLICE" >&2; exit 1; }
echo "$tests" > "$out/tests/validate-tests.list"
grep -v '^#' "$here/notrun.list" > "$out/tests/validate-notrun.list" || true
# programs: for the whole suite every program the test build made; for a
# selection each test's own, plus every ../prog its script or .in names
if [ "$select" = ".*" ]; then
	progs=$(cd "$work/$b/tests" && find . -maxdepth 1 -type f -perm -u+x |
		sed 's|^\./||' | sort)
else
	progs=$(for t in $tests; do
		n=${t%.test}; n=${n%.gen}
		echo "$n"
		grep -oh '\.\./[A-Za-z0-9_+.-]*' "$work/src/tests/$t" \
			"$work/src/tests/$n.in" 2>/dev/null | sed 's|\.\./||' || true
		grep -oh '^[A-Za-z0-9_+.-]*' "$work/src/tests/$n.in" 2>/dev/null || true
	done | sort -u)
fi
elfs=
for p in $progs; do
	[ -f "$work/$b/tests/$p" ] && [ -x "$work/$b/tests/$p" ] || continue
	if [ "$(head -c4 "$work/$b/tests/$p" | tr -d '\0' | cut -c2-4)" = ELF ]; then
		${host}-strip -o "$out/tests/$p" "$work/$b/tests/$p"
		elfs="$elfs tests/$p"
	elif [ ! -e "$out/tests/$p" ]; then
		cp "$work/$b/tests/$p" "$out/tests/$p"	# a generated script
	fi
done
# The suite's scripts want Debian's shell and GNU tools (sed's "0,/re/"
# addresses, for one, which busybox lacks; busybox's sh also runs its own
# applets before anything in PATH) and the programs want glibc: Debian's
# arm64 dash, sed, grep, diffutils and coreutils with their closure, libc6
# among it, go into root/ (run.sh makes dash /bin/sh, puts root/usr/bin
# first in PATH, busybox after it, and points /lib's loader and library
# directory into root/).
# fetch-debs.sh checks that the tools, strace and every test program find
# their libraries in root/.
gnu="usr/bin/dash usr/bin/sed usr/bin/grep usr/bin/diff usr/bin/cat usr/bin/stat"
KEEP_DEBS=${KEEP_DEBS:-$work/debs} \
	ENTRY="$gnu ../src/strace $(for e in $elfs; do echo "../$e"; done)" PRUNE=0 \
	"$here/../fetch-debs.sh" "$out/root" dash sed grep diffutils coreutils
rm -f "$out/root/.validate-overlay"
cp "$here/run.sh" "$out/run.sh"
echo "strace overlay: $(echo "$tests" | wc -l) tests, $(echo $elfs | wc -w) programs, $(du -sh "$out" | cut -f1) in $out"
