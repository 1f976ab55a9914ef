"""`make bench`: instructions per syscall on each path, base vs every
patch, in the debug, prod and distro configs (distro: prod plus the options
of Debian's arm64 kernel that change the syscall path's code).

guest/bench.c runs in a guest under `-icount shift=0,sleep=off,align=off
-smp 1` with a fixed -seed and a byte-identical initramfs: the guest clock
counts instructions, so its figures are exact and repeatable.  Each kernel
is booted twice and the two runs must agree exactly.  One wall-clock run of
base and series without -icount is reported too, labelled as noise.

Writes out/bench.json: [{"path", "config", "kernel", "patch",
"insns_per_call", "runs_agree"}] (kernel: "base", "series", or a patch's
label such as p11, with its file name in "patch") and out/bench.md; a run
narrowed by --configs writes out/bench-<configs>.json and .md.

Usage: python3 -m harness bench [--quick] [--configs C,...]
  --quick: base and series only
"""

import os
import re
import stat

from . import boot, kbuild, tree
from .common import (BUILD, CONFIGS, CROSS_COMPILE, GUEST_DIR, OUT,
                     HarnessError, Stage, run, say, write_json)

BENCH_CONFIGS = CONFIGS + ("distro",)
ALL_CONFIGS = BENCH_CONFIGS


def out_name(ext):
    """out/bench.<ext>, or for a run narrowed by --configs
    out/bench-<configs>.<ext> (the cover letter reads out/bench.json)."""
    tag = "" if set(BENCH_CONFIGS) == set(ALL_CONFIGS) else \
        "-" + "-".join(BENCH_CONFIGS)
    return os.path.join(OUT, f"bench{tag}.{ext}")
PATHS = ["nowork", "tracepoint", "seccomp", "seccomp_errno", "ptrace",
         "audit"]
LINE = re.compile(r"^BENCH path=(\S+) (?:iters=(\d+) ns=(\d+) "
                  r"insns_per_call=([\d.]+)|error=(.*))$")


def build_bench(hdr):
    out = os.path.join(BUILD, "bench", "bench")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    run([f"{CROSS_COMPILE}gcc", "-static", "-O2", "-Wall", "-Werror",
         "-isystem", hdr, "-o", out, os.path.join(GUEST_DIR, "bench.c"),
         "-lpthread"], log=os.path.join(BUILD, "logs", "bench-build.log"),
        stage="bench", what="building guest/bench.c")
    return out


def initramfs(binary):
    path = os.path.join(OUT, "initramfs-bench.cpio.gz")
    data = open(binary, "rb").read()
    script = "#!/bin/sh\n/bench/bench\n"
    boot.make_initramfs(path, None, [], run_script=script,
                        extra_files=[("bench", stat.S_IFDIR | 0o755, b""),
                                     ("bench/bench",
                                      stat.S_IFREG | 0o755, data)])
    return path


def parse(text, kernel, config):
    found = {}
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        if m.group(5) is not None:
            raise HarnessError(f"bench path {m.group(1)} failed: "
                               f"{m.group(5)}", kernel=kernel, config=config,
                               stage="bench")
        found[m.group(1)] = float(m.group(4))
    missing = [p for p in PATHS if p not in found]
    if missing:
        raise HarnessError("bench printed no figure for " +
                           ", ".join(missing), kernel=kernel, config=config,
                           stage="bench")
    return found


def measure(k, initrd, icount=True, tag="icount"):
    text = boot.boot(k.image, initrd, k.path(f"bench-{tag}.log"), k.label,
                     k.config, timeout=600, icount=icount, smp=1)
    return parse(text, k.label, k.config)


def kernels(quick):
    """[Kernel] in order: base, each patch that changes the kernel (but
    the last, which is the series tip's kernel), series."""
    out = [kbuild.Kernel.of("base", c) for c in BENCH_CONFIGS]
    if not quick:
        out += [k for k in kbuild.patch_kernels(BENCH_CONFIGS)
                if k.label != "series"]
    return out + [kbuild.Kernel.of("series", c) for c in BENCH_CONFIGS]


def table(rows, base):
    lines = []
    for config in BENCH_CONFIGS:
        ks = []
        for r in rows:
            if r["config"] == config and r["kernel"] not in ks:
                ks.append(r["kernel"])
        lines.append(f"\n{config} (instructions per call; ratio to base)\n")
        lines.append("| kernel | " + " | ".join(PATHS) + " | runs agree |")
        lines.append("|---|" + "---|" * (len(PATHS) + 1))
        for k in ks:
            cells = []
            agree = True
            for p in PATHS:
                r = next(x for x in rows if x["kernel"] == k and
                         x["config"] == config and x["path"] == p)
                b = base[(config, p)]
                cells.append(f"{r['insns_per_call']:.1f} "
                             f"({r['insns_per_call'] / b:.3f})")
                agree &= r["runs_agree"]
            lines.append(f"| {k} | " + " | ".join(cells) +
                         f" | {'yes' if agree else 'NO'} |")
    return "\n".join(lines)


def icount_rows(ks, initrd):
    """Two icount boots of each kernel: a row per kernel and path."""
    rows = []
    with Stage(f"bench: {len(ks)} kernels, two icount boots each"):
        for k in ks:
            a = measure(k, initrd, tag="icount-1")
            b = measure(k, initrd, tag="icount-2")
            for p in PATHS:
                rows.append({"path": p, "config": k.config,
                             "kernel": k.label, "patch": k.patch,
                             "insns_per_call": a[p],
                             "runs_agree": a[p] == b[p],
                             "second_run": b[p]})
            say(f"bench {k.name}: " +
                ", ".join(f"{p} {a[p]:.1f}" for p in PATHS) +
                ("" if a == b else "  (RUNS DIFFER)"))
    return rows


def wall_clock(initrd):
    """[(kernel, config, {path: ns})] of one boot without -icount."""
    wall = []
    with Stage("bench: one wall-clock run (no -icount; noise)"):
        for name in ("base", "series"):
            for config in BENCH_CONFIGS:
                try:
                    w = measure(kbuild.Kernel.of(name, config), initrd,
                                icount=False, tag="wall")
                except HarnessError as e:
                    # Orientation only: a path that times out without
                    # -icount is reported, not fatal.
                    say(f"bench wall-clock {name}-{config}: {e}")
                    w = {}
                wall.append((name, config, w))
    return wall


def report(rows, base, wall):
    """out/bench.md, also printed."""
    text = ["# Syscall path cost", "",
            "Guest instructions per getppid() round trip (the loop's own "
            "few instructions included, the same on every kernel), measured "
            "under qemu -icount shift=0,sleep=off,align=off -smp 1 -seed 1; "
            "each kernel booted twice.", table(rows, base), "",
            "## Wall clock (no -icount): noise, for orientation only", "",
            "| kernel | config | " + " | ".join(PATHS) + " |",
            "|---|---|" + "---|" * len(PATHS)]
    for name, config, w in wall:
        text.append(f"| {name} | {config} | " +
                    " | ".join(f"{w[p]:.0f} ns" if p in w else "failed"
                               for p in PATHS) + " |")
    md = out_name("md")
    with open(md, "w") as fh:
        fh.write("\n".join(text) + "\n")
    print("\n".join(text))
    say(f"wrote {md} and {out_name('json')} ({len(rows)} rows)")


def main(argv):
    global BENCH_CONFIGS
    quick = "--quick" in argv
    if "--configs" in argv:
        want = tuple(argv[argv.index("--configs") + 1].split(","))
        unknown = set(want) - set(BENCH_CONFIGS)
        if unknown:
            raise HarnessError(f"bench: unknown configs {sorted(unknown)} "
                               f"(known: {', '.join(BENCH_CONFIGS)})",
                               stage="bench")
        BENCH_CONFIGS = want
    tree.apply_series()
    for config in BENCH_CONFIGS:
        kbuild.configure(config)
        for name in ("base", "series"):
            kbuild.build(kbuild.Kernel.of(name, config))
    from . import selftests
    hdr = selftests.headers(os.path.join(BUILD, "logs", "bench-build.log"))
    initrd = initramfs(build_bench(hdr))
    rows = icount_rows(kernels(quick), initrd)
    base = {(r["config"], r["path"]): r["insns_per_call"] for r in rows
            if r["kernel"] == "base"}
    # The figures are written before the noise phase, which cannot lose
    # them.
    write_json(out_name("json"), rows)
    report(rows, base, wall_clock(initrd))
    worse = [r for r in rows if r["kernel"] == "series" and
             r["insns_per_call"] > base[(r["config"], r["path"])]]
    disagree = [r for r in rows if not r["runs_agree"]]
    if disagree:
        raise HarnessError("icount runs differ for: " + ", ".join(
            f"{r['kernel']}-{r['config']} {r['path']}" for r in disagree),
            stage="bench")
    if worse:
        say("series costs more than base on: " + ", ".join(
            f"{r['config']} {r['path']} ({r['insns_per_call']:.1f} vs "
            f"{base[(r['config'], r['path'])]:.1f})" for r in worse))
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
