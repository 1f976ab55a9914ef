"""`make selftests-6.12`: the series' selftest patches alone on Debian 12's
kernel (linux-source-6.12 6.12.117-1~deb12u1), compared with the 7.3 base.

The selftest patches (those that touch only tools/testing/selftests/ and
MAINTAINERS) are applied on the 6.12 tarball in a tree of their own
(build/6.12/linux, with build/6.12 as that run's build directory and
out/6.12 as its output), the unpatched 6.12 kernel is built in the debug
and prod configs, the tests are built from that tree and run on it.  The
outcomes are then set beside the 7.3 base's (out/results.json, from
`make run`): every difference is listed in out/6.12/compare.md with the
reason the harness knows for it, and an unexplained one is an error.

Usage: python3 -m harness.oldbase
"""

import os
import shutil
import subprocess
import sys

from . import deps, ktap  # noqa: F401  (ktap: imported for the inner run)
from .common import (BUILD, CONFIGS, OUT, ROOT, SERIES, HarnessError, Stage,
                     read_json, say, series_patches, write_json)

NAME = "6.12"
# Why a 7.3 base outcome is not expected on 6.12: (suite, test prefix) ->
# (6.12 result, reason).
EXPLAINED = {
    ("rseq", "syscall_debug_test"):
        ("skip", "6.12 has no rseq debug static key "
         "(<debugfs>/rseq/debug, added by the 6.19 rseq rework), which the "
         "test reads to know whether the check is on"),
    ("rseq", "basic_percpu_ops_mm_cid_test"): (None, "not in 6.12"),
    ("ptrace", "set_syscall_info"): (None, "not in 6.12"),
}


def selftest_only(patches):
    """The patches that change nothing but selftests and MAINTAINERS."""
    import re
    out = []
    for p in patches:
        paths = re.findall(r"^diff --git a/(\S+) ", open(p).read(), re.M)
        if paths and all(x.startswith("tools/testing/selftests/") or
                         x == "MAINTAINERS" for x in paths):
            out.append(p)
    return out


def outer():
    tarball = deps.base_tarball(NAME)
    build = os.path.join(BUILD, NAME)
    out = os.path.join(OUT, NAME)
    series = os.path.join(build, "series")
    shutil.rmtree(series, ignore_errors=True)
    os.makedirs(series)
    chosen = selftest_only(series_patches())
    for i, p in enumerate(chosen, 1):
        name = os.path.basename(p)
        shutil.copy(p, os.path.join(series, f"{i:04d}{name[4:]}"))
    say(f"{NAME}: {len(chosen)} selftest patches of {len(series_patches())} "
        f"on {os.path.basename(tarball)}")
    frag = os.path.join(build, "base-6.12.config")
    with open(frag, "w") as fh:
        # 6.12 spells 7.3's SYSCTL as PROC_SYSCTL (which selects SYSCTL).
        fh.write("CONFIG_PROC_SYSCTL=y\n")
    env = dict(os.environ, BASE=tarball, HARNESS_BUILD=build,
               HARNESS_EXTRA_FRAGMENT=frag,
               HARNESS_OUT=out, HARNESS_SERIES=series,
               HARNESS_COMPARE_WITH=os.path.join(OUT, "results.json"))
    proc = subprocess.run([sys.executable, "-m", "harness.oldbase",
                           "--inner"], cwd=ROOT, env=env)
    return proc.returncode


def explain(suite, test):
    for (s, prefix), v in EXPLAINED.items():
        if s == suite and (test == prefix or test.startswith(prefix + "/")):
            return v
    return None


def compare(old_rows, new_rows):
    """[(config, suite, test, 7.3 result, 6.12 result, reason or None)]"""
    a = {(r["config"], r["suite"], r["test"]): r["result"] for r in new_rows
         if r["kernel"] == "base"}
    b = {(r["config"], r["suite"], r["test"]): r["result"] for r in old_rows}
    out = []
    for k in sorted(set(a) | set(b)):
        ra, rb = a.get(k, "absent"), b.get(k, "absent")
        if ra == rb:
            continue
        e = explain(k[1], k[2])
        why = e[1] if e and (e[0] is None or e[0] == rb) else None
        out.append((*k, ra, rb, why))
    return out


def inner():
    from . import kbuild, run, selftests, tree
    tree.apply_series()
    images = []
    for config in CONFIGS:
        kbuild.configure(config)
        images.append((f"base-{NAME}", config,
                       kbuild.build(f"base-{NAME}", "base", config)))
    inst = selftests.build()
    rows = run.test_kernels(images, run.initramfs(inst))
    rows = [dict(r, kernel=f"base-{NAME}") for r in rows]
    write_json(os.path.join(OUT, "results.json"), rows)
    new = read_json(os.environ["HARNESS_COMPARE_WITH"], default=[])
    if not new:
        raise HarnessError(f"no {os.environ['HARNESS_COMPARE_WITH']}: run "
                           "`make run` (the 7.3 base) first",
                           stage="oldbase")
    diffs = compare(rows, new)
    lines = [f"# Selftests on {NAME} against the 7.3 base", "",
             f"The series' selftest patches on Debian's {NAME} "
             f"({deps.BASES[NAME]['version']}), unpatched kernel, against "
             "the 7.3.4 base kernel's outcomes.", "",
             f"{len(rows)} results on {NAME}; {len(diffs)} differ:", ""]
    for c, s, t, ra, rb, why in diffs:
        lines.append(f"- {c} {s}:{t}: 7.3 {ra}, {NAME} {rb}: "
                     f"{why or 'UNEXPLAINED'}")
    md = os.path.join(OUT, "compare.md")
    with open(md, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    bad = [d for d in diffs if not d[5]]
    if bad:
        raise HarnessError(f"{len(bad)} unexplained differences between "
                           f"{NAME} and 7.3 (see {md})", stage="oldbase",
                           log=md)
    return 0


def main(argv):
    if "--inner" in argv:
        return inner()
    with Stage(f"selftests on {NAME}"):
        return outer()


if __name__ == "__main__":
    from .common import entry
    entry(main)
