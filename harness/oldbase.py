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
import re
import shutil
import subprocess
import sys

from . import deps
from .common import (BUILD, CONFIGS, OUT, ROOT, TREE, HarnessError,
                     Stage, run, say, series_patches, write_json)

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
        with open(p) as fh:
            paths = re.findall(r"^diff --git a/(\S+) ", fh.read(), re.M)
        if paths and all(x.startswith("tools/testing/selftests/") or
                         x == "MAINTAINERS" for x in paths):
            out.append(p)
    return out


def _rej_hunks(path):
    """The hunks of a .rej file, each a list of (tag, text) lines."""
    hunks = []
    for line in open(path).read().splitlines():
        if line.startswith("@@"):
            hunks.append([])
        elif hunks and line[:1] in " -+":
            hunks[-1].append((line[:1], line[1:]))
    return hunks


def _statement(lines, var):
    """Index range [i, j) of the make assignment to var, with its
    continuation lines."""
    pat = re.compile(rf"^{re.escape(var)}\s*(:=|\+=|\?=|=)")
    for i, line in enumerate(lines):
        if pat.match(line):
            j = i + 1
            while lines[j - 1].rstrip().endswith("\\"):
                j += 1
            return i, j
    return None


def _place(lines, hunk, i, added):
    """Insert added after the nearest line above hunk[i] that the target
    has once (or the target's statement assigning the same variable), as
    far below it as in the hunk; a note of where."""
    anchor, at, gap = None, None, 0
    for g, t in reversed(hunk[:i]):
        var = re.match(r"(\w+)\s*(:=|\+=|\?=|=)", t)
        if g != "+" and t.strip() and lines.count(t) == 1:
            anchor, at = t, lines.index(t) + 1 + gap
            break
        if g != "+" and var and _statement(lines, var.group(1)):
            anchor = t
            at = _statement(lines, var.group(1))[1] + gap
            break
        gap += g != "-"
    if anchor is None:
        raise HarnessError(f"cannot place {added[0]!r}: its context "
                           "is not in the target", stage="oldbase")
    lines[at:at] = added
    return f"added {added[0]!r} after {anchor!r}"


def _continued(block):
    """How many lines of block the first statement takes (its
    continuation lines included)."""
    n = 1
    while n < len(block) and block[n - 1].rstrip().endswith("\\"):
        n += 1
    return n


def _port_change(lines, hunk, i, removed, added):
    """Replay a changed assignment: the words its new lines add go to the
    target's statement of that variable (a statement of its own where the
    target has none), and the statements the hunk adds after it follow
    that statement; notes."""
    head, k = removed[0], i
    while k > 0 and hunk[k - 1][1].rstrip().endswith("\\"):
        k -= 1
        head = hunk[k][1]
    var = head.split()[0]
    n = _continued(added)
    old_words = " ".join(removed).replace("\\", " ").split()
    all_words = " ".join(added[:n]).replace("\\", " ").split()
    new_words = [w for w in all_words if w not in old_words]
    if not set(old_words) <= set(all_words):
        raise HarnessError(f"cannot port a change of {removed[0]!r}",
                           stage="oldbase")
    notes = []
    where = _statement(lines, var)
    if where:
        last = where[1] - 1
        lines[last] = lines[last].rstrip() + " " + " ".join(new_words)
        after = where[1]
        notes.append(f"{var} += {' '.join(new_words)}")
    else:
        stmt = f"{var} += {' '.join(new_words)}"
        notes.append(_place(lines, hunk, i, [stmt]) +
                     f" (no {var} on the target)")
        after = lines.index(stmt) + 1
    if added[n:]:
        lines[after:after] = added[n:]
        notes.append(f"added {added[n]!r} after the {var} statement")
    return notes


def _port_makefile(lines, hunk):
    """Replay a hunk on a Makefile whose list lines differ from the
    series' base: a changed assignment gets the words the hunk adds, an
    added block goes after its nearest unchanged line."""
    notes, i = [], 0
    while i < len(hunk):
        tag = hunk[i][0]
        if tag == " ":
            i += 1
            continue
        j = i
        while j < len(hunk) and hunk[j][0] != " ":
            j += 1
        removed = [t for g, t in hunk[i:j] if g == "-"]
        added = [t for g, t in hunk[i:j] if g == "+"]
        if removed:
            notes += _port_change(lines, hunk, i, removed, added)
        else:
            notes.append(_place(lines, hunk, i, added))
        i = j
    return notes


def port(patch):
    """Apply what applies of patch; port the rejected build glue (list
    lines in Makefiles and .gitignore files); leave out MAINTAINERS."""
    proc = subprocess.run(["git", "apply", "--reject", patch], cwd=TREE,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=120)
    notes = []
    rejects = sorted(os.path.join(d, f) for d, _, files in os.walk(TREE)
                     if "/.git" not in d + "/"
                     for f in files if f.endswith(".rej"))
    for rej in rejects:
        target = rej[:-len(".rej")]
        rel = os.path.relpath(target, TREE)
        lines = open(target).read().splitlines()
        for hunk in _rej_hunks(rej):
            if rel == "MAINTAINERS":
                notes.append("MAINTAINERS hunk left out (the entry differs "
                             f"on {NAME}; no test reads it)")
                continue
            if os.path.basename(rel) == ".gitignore":
                new = [t for g, t in hunk if g == "+" and t not in lines]
                lines += new
                notes.append(f"{rel}: {', '.join(new)} appended")
            elif os.path.basename(rel) == "Makefile":
                notes += [f"{rel}: {n}" for n in _port_makefile(lines, hunk)]
            else:
                raise HarnessError(
                    f"{os.path.basename(patch)}: a hunk of {rel} does not "
                    f"apply on {NAME} and is not build glue:\n"
                    f"{proc.stdout.strip()}", stage="oldbase", log=rej)
        with open(target, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        os.unlink(rej)
    # -f: Debian's .gitignore ignores everything.
    paths = re.findall(r"^diff --git a/\S+ b/(\S+)$", open(patch).read(),
                       re.M)
    run(["git", "add", "-f", "--", *paths], cwd=TREE, stage="oldbase")
    return notes


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
    # The arm64 guest packages are the same for both bases.
    env = dict(os.environ, BASE=tarball, HARNESS_BUILD=build,
               HARNESS_SYSROOT=deps.ensure_sysroot(),
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
    """[(config, suite, test, 7.3 result, 6.12 result, reason or None)]
    for the series' own tests (the base trees' own tests differ between
    6.12 and 7.3).  A program's row is explained when every subtest of it
    that differs is."""
    from . import suites
    ours = set(suites.SERIES_TESTS)

    def keep(r):
        return f"{r['suite']}:{r['test'].split('/')[0]}" in ours

    a = {(r["config"], r["suite"], r["test"]): r["result"] for r in new_rows
         if r["kernel"] == "base" and keep(r)}
    b = {(r["config"], r["suite"], r["test"]): r["result"] for r in old_rows
         if keep(r)}
    out = []
    for k in sorted(set(a) | set(b)):
        ra, rb = a.get(k, "absent"), b.get(k, "absent")
        if ra == rb:
            continue
        e = explain(k[1], k[2])
        why = e[1] if e and (e[0] is None or e[0] == rb) else None
        out.append((*k, ra, rb, why))
    for i, (c, s, t, ra, rb, why) in enumerate(out):
        if why or "/" in t:
            continue
        subs = [d for d in out if d[:2] == (c, s) and
                d[2].startswith(t + "/")]
        if subs and all(d[5] for d in subs):
            out[i] = (c, s, t, ra, rb, "the program's result follows its "
                      "subtests': " + "; ".join(sorted({d[5] for d in subs})))
    return out


def inner():
    from . import kbuild, selftests, suites, tree
    from . import run as runner
    if os.path.isdir(TREE):
        # This tree is the harness's own: leftovers of an earlier port go.
        run(["git", "am", "--abort"], cwd=TREE, check=False, stage="oldbase")
        run(["git", "clean", "-fdxq"], cwd=TREE, stage="oldbase")
    tree.apply_series(port=port)
    kernels = []
    for config in CONFIGS:
        kbuild.configure(config)
        kernels.append(kbuild.Kernel(f"base-{NAME}", "base", config))
        kbuild.build(kernels[-1])
    inst = selftests.build()
    rows = runner.test_kernels(kernels, runner.initramfs(inst))
    rows = [dict(r, kernel=f"base-{NAME}") for r in rows]
    write_json(os.path.join(OUT, "results.json"), rows)
    from . import results
    new = results.read_rows(os.environ["HARNESS_COMPARE_WITH"])
    if not new:
        raise HarnessError(f"no {os.environ['HARNESS_COMPARE_WITH']}: run "
                           "`make run` (the 7.3 base) first",
                           stage="oldbase")
    diffs = compare(rows, new)
    lines = [f"# Selftests on {NAME} against the 7.3 base", "",
             f"The series' selftest patches on Debian's {NAME} "
             f"({deps.BASES[NAME]['version']}), unpatched kernel, against "
             "the 7.3.4 base kernel's outcomes.", "",
             f"{len(rows)} results on {NAME}; of the series' own tests "
             f"({', '.join(suites.SERIES_TESTS)}), {len(diffs)} differ:",
             ""]
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
