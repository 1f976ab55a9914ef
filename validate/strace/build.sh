#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh OUTDIR [WORKDIR]: fetch Debian's strace source (bookworm), cross-
# build strace and its test programs statically for arm64 and assemble a
# guest overlay in OUTDIR: src/strace and tests/ (the suite's scripts and
# data plus the stripped test programs the selected tests use).
#
# The source comes through apt with a private deb-src list (the system's
# apt configuration is not touched).  CPU: about 1 min for strace and
# 10-15 min (make -j1, nice 19) for the ~900 test programs.
#
# STRACE_TESTS: extended regex of test names to include (default: the tests
# that exercise syscall entry/exit, ptrace stops, signals, injection,
# seccomp and attach/detach; "." for the whole suite, ~1250 tests, too
# big for one initramfs with static programs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: $0 OUTDIR [WORKDIR]}
work=${2:-$(dirname "$(realpath -m "$out")")/strace-work}
host=${STRACE_HOST:-aarch64-linux-gnu}
select=${STRACE_TESTS:-$(grep -v '^#' "$here/tests.list" | paste -sd'|')}
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

# 2. build (static: the guest has no arm64 libc)
if [ ! -x "$work/b/src/strace" ]; then
	mkdir -p "$work/b"
	(cd "$work/b" && nice -n 19 ../src/configure --host=$host \
		--build="$(../src/build-aux/config.guess)" --enable-mpers=no \
		--disable-gcc-Werror LDFLAGS=-static > configure.log 2>&1) ||
		{ echo "strace/build.sh: configure failed, see $work/b/configure.log" >&2; exit 1; }
	nice -n 19 make -C "$work/b" -j1 > "$work/b/make.log" 2>&1 ||
		{ echo "strace/build.sh: make failed, see $work/b/make.log" >&2; exit 1; }
fi
if [ ! -e "$work/b/tests/.built" ]; then
	nice -n 19 make -C "$work/b/tests" -j1 check TESTS= > "$work/b/check-build.log" 2>&1 ||
		{ echo "strace/build.sh: test build failed, see $work/b/check-build.log" >&2; exit 1; }
	touch "$work/b/tests/.built"
fi

# 3. overlay
[ ! -e "$out" ] || [ -e "$out/.validate-overlay" ] ||
	{ echo "strace/build.sh: $out exists and is not an overlay" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/src" "$out/tests"
touch "$out/.validate-overlay"
${host}-strip -o "$out/src/strace" "$work/b/src/strace"
# scripts and data of the suite (srcdir == builddir in the guest)
(cd "$work/src/tests" && find . -maxdepth 1 -type f ! -name '*.c' ! -name '*.h' \
	! -name 'Makefile*' -exec cp {} "$out/tests/" \;)
cp "$work/b/src/config.h" "$out/src/"
mkdir -p "$out/src/linux" && cp -r "$work/src/src/linux/$(echo $host | sed 's/-.*//')" "$out/src/linux/" 2>/dev/null || true
all=$(printf 'print-tests:\n\t@echo $(TESTS)\n' | make -s -C "$work/b/tests" -f Makefile -f - print-tests)
tests=$(echo "$all" | tr ' ' '\n' | grep -E "^($select)(\.gen)?\.test$" || true)
[ -n "$tests" ] || { echo "strace/build.sh: no test matches STRACE_TESTS" >&2; exit 1; }
echo "$tests" > "$out/tests/validate-tests.list"
grep -v '^#' "$here/xfail.list" > "$out/tests/validate-xfail.list" || true
# programs: each test's own, plus every ../prog its script or .in names
progs=$(for t in $tests; do
	n=${t%.test}; n=${n%.gen}
	echo "$n"
	grep -oh '\.\./[A-Za-z0-9_+.-]*' "$work/src/tests/$t" \
		"$work/src/tests/$n.in" 2>/dev/null | sed 's|\.\./||' || true
	grep -oh '^[A-Za-z0-9_+.-]*' "$work/src/tests/$n.in" 2>/dev/null || true
done | sort -u)
n=0
for p in $progs; do
	[ -f "$work/b/tests/$p" ] && [ -x "$work/b/tests/$p" ] || continue
	${host}-strip -o "$out/tests/$p" "$work/b/tests/$p"
	n=$((n + 1))
done
cp "$here/run.sh" "$out/run.sh"
echo "strace overlay: $(echo "$tests" | wc -l) tests, $n programs, $(du -sh "$out" | cut -f1) in $out"
