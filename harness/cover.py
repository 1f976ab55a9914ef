"""`make cover`: the cover letter, with its tables from the harness's own
output (out/results.json, out/bisect.json, out/bench.json), written into
series/0000-cover-letter.patch through `make export`.

The prose lives in harness/cover.txt; @MATRIX@, @BENCH@, @CONFORMANCE@
and @RANGEDIFF@ are replaced.  With --check (the last step of make check)
nothing is written: the results matrix in series/ must be the one the
last run's results give.
"""

import collections
import os
import re
import textwrap

from . import results, suites, tree
from .common import (CONFIGS, OUT, ROOT, HarnessError, git, read_json,
                     say)

TEMPLATE = os.path.join(ROOT, "harness", "cover.txt")


def outcome_table(rows):
    """Subtest outcomes per kernel and config."""
    c = collections.defaultdict(collections.Counter)
    progs = collections.Counter()
    for r in rows:
        key = (r["kernel"], r["config"])
        if "/" not in r["test"]:
            progs[key] += 1
            continue
        c[key]["known" if "known" in r else r["result"]] += 1
    lines = ["Subtest outcomes (kselftest_harness cases) per kernel and "
             "config:", "",
             "  kernel  config  programs  pass  fail  skip  known"]
    for (k, cf) in sorted(c, key=lambda x: (x[0] != "base", x[1])):
        n = c[(k, cf)]
        lines.append(f"  {k:<7} {cf:<7} {progs[(k, cf)]:>8} {n['pass']:>5} "
                     f"{n['fail'] + n['timeout']:>5} {n['skip']:>5} "
                     f"{n['known']:>6}")
    return lines


def differences(rows):
    """How many results are the same on base and series; each that is
    not, and whether a declaration explains it."""
    diffs = results.compare(rows)
    und = results.undeclared(diffs, results.expected_changes())
    per_kernel = sum(1 for r in rows if r["kernel"] == "base")
    same = per_kernel - len(diffs)
    lines = ["", f"Of the {per_kernel} results per kernel "
             f"({per_kernel // len(CONFIGS)} per config), {same} are the "
             "same on base and", f"series; the {len(diffs)} that differ are "
             "the declared changes" + (":" if not und else
                                       f", and {len(und)} undeclared:")]
    return lines + [f"  {d[0]:<6} {d[1]}:{d[2]}: {d[3]} -> {d[4]}"
                    for d in diffs]


def skips_and_known(rows):
    """The base's skips with their reasons, and the known outcomes."""
    lines = []
    skips = collections.Counter(
        (r["suite"], r["test"].split("/")[0], r["config"],
         r.get("reason", "no reason printed")) for r in rows
        if r["result"] == "skip" and "/" in r["test"]
        and r["kernel"] == "base")
    for (suite, prog, config, why), n in sorted(skips.items()):
        lines += textwrap.wrap(f"Skipped: {n} cases of {suite}/{prog} on "
                               f"{config} ({why}).", width=72,
                               subsequent_indent="  ")
    known = sorted({(f"{r['suite']}:{r['test']}", r["known"]) for r in rows
                    if "known" in r and (r["result"] != "pass")
                    and (f"{r['suite']}:{r['test']}" in suites.KNOWN or
                         ("/" in r["test"] and
                          f"{r['suite']}:{r['test'].split('/')[0]}"
                          not in suites.KNOWN))})
    for k, why in known:
        lines += textwrap.wrap(f"Known on every kernel: {k} ({why}).",
                               width=72, subsequent_indent="  ")
    return lines


def bisection(bisect):
    """The bisection paragraph, from out/bisect.json."""
    if not bisect:
        return []
    built = [b for b in bisect if b["kernel_changed"]]
    st = [b for b in bisect if b["selftests_built"]]
    n = max((v["outcomes"] for b in built
             for v in b["tests"].values()), default=0)
    return [""] + textwrap.wrap(
        f"Bisection: each of the {len(built)} kernel patches built in "
        "both configs with no new W=1 or sparse warning in the objects "
        "it touches, booted, and gave the base's outcome for all "
        f"{n} results of the exit-path suites, but for the declared "
        "changes of the patches up to it; each of the "
        f"{len(st)} selftest patches builds its tests.", width=72)


def matrix(rows, bisect):
    """The results part of the cover letter (@MATRIX@)."""
    if not rows:
        raise HarnessError("no out/results.json: run `make run` first",
                           stage="cover")
    return "\n".join(outcome_table(rows) + differences(rows) +
                     skips_and_known(rows) + bisection(bisect))


def bench_table(rows):
    if not rows:
        return "(run `make bench`)"
    paths = []
    for r in rows:
        if r["path"] not in paths:
            paths.append(r["path"])
    short = {"nowork": "nowork", "tracepoint": "tracept",
             "seccomp": "seccomp", "seccomp_errno": "sc_errno",
             "ptrace": "ptrace", "audit": "audit"}
    base = {(r["config"], r["path"]): r["insns_per_call"] for r in rows
            if r["kernel"] == "base"}
    out = ["Instructions per getppid() round trip, counted with qemu "
           "-icount (each", "kernel booted twice, the counts agree "
           "exactly); patches that do not", "change the kernel are left "
           "out; ptrace is per entry+exit stop pair."]
    for config in sorted({r["config"] for r in rows},
                         key=lambda c: (c not in CONFIGS, c)):
        kernels = []
        for r in rows:
            if r["config"] == config and r["kernel"] not in kernels:
                kernels.append(r["kernel"])
        out += ["", f"{config}:", "  kernel " + "".join(
            f"{short.get(p, p):>9}" for p in paths)]
        for k in kernels:
            cells = []
            for p in paths:
                v = next(r["insns_per_call"] for r in rows if
                         r["kernel"] == k and r["config"] == config and
                         r["path"] == p)
                cells.append(f"{v:>9.1f}")
            # bench.json of harness v1 named a patch's kernel by its file
            m = re.match(r"(\d{4})-", k)
            label = f"p{int(m.group(1)):02d}" if m else k
            out.append(f"  {label:<7}" + "".join(cells))
        ratio = []
        for p in paths:
            s = next((r["insns_per_call"] for r in rows if
                      r["kernel"] == "series" and r["config"] == config and
                      r["path"] == p), None)
            ratio.append(f"{s / base[(config, p)]:>9.3f}" if s else
                         f"{'-':>9}")
        out.append("  ratio  " + "".join(ratio))
    return "\n".join(out)


def conformance(rows):
    """The x86_64 comparison (out/conformance.json): per config how many
    behaviours are the same as generic entry's, then each difference
    with the tests it covers."""
    if not rows:
        return "(no out/conformance.json: make conformance)"
    from . import conformance as conf
    out = ["            rows  same as x86_64  aligned by the series  "
           "differ"]
    for c, s in conf.summary(rows).items():
        out.append(f"  {c:<8} {s['rows']:>5}  {s['same']:>14}  "
                   f"{s['aligned']:>21}  {s['rows'] - s['same']:>6}")
    groups = {}
    for r in rows:
        if r["difference"]:
            groups.setdefault(r["difference"], []).append(r)
    out.append("")
    for why, rs in sorted(groups.items()):
        progs = sorted({f"{r['suite']}:{r['test'].split('/')[0]}"
                        for r in rs})
        cfgs = sorted({r["config"] for r in rs})
        n = f"{len(rs)} row{'s' if len(rs) != 1 else ''}"
        out.append(textwrap.fill(f"- {why} ({n} in {', '.join(cfgs)}: "
                                 f"{', '.join(progs)})", width=72,
                                 subsequent_indent="  "))
    return "\n".join(out)


def render():
    text = open(TEMPLATE).read()
    rows = results.read_rows()
    bisect = read_json(os.path.join(OUT, "bisect.json"), [])
    bench = read_json(os.path.join(OUT, "bench.json"), [])
    text = text.replace("@MATRIX@", matrix(rows, bisect))
    text = text.replace("@BENCH@", bench_table(bench))
    text = text.replace("@CONFORMANCE@", conformance(
        read_json(os.path.join(OUT, "conformance.json"), [])))
    if "@RANGEDIFF@" in text:
        from . import rangediff
        full = rangediff.range_diff()
        pairs = [ln for ln in full.splitlines()
                 if re.match(r"^ *(\d+|-): ", ln)]
        text = text.replace("@RANGEDIFF@", "\n".join(pairs) + "\n\n" +
                            f"(the pairs of `git range-diff`; its full "
                            f"output, {len(full.splitlines())} lines, is "
                            "long because the base moved from 6.12 to "
                            "7.3)")
    return text


def check_claims(cover_text, rows, bisect):
    """The cover letter's results matrix and bisection paragraph must be
    the ones these results give: a claim such as "the same on base and
    series" is made only by the comparison it cites.  (The conformance
    counts are not checked here: a seccomp_bpf case that times out under
    TCG in some boots only moves them by its two env rows, and `make
    conformance` itself fails on any unexplained difference.)"""
    if not bisect and "\nBisection: " in cover_text:
        raise HarnessError("the cover letter reports a bisection but there "
                           "is no out/bisect.json to check it against",
                           stage="cover")
    want = matrix(rows, bisect)
    if want in cover_text:
        return want
    import difflib
    start = cover_text.find(want.splitlines()[0])
    have = cover_text[start:start + len(want)] if start >= 0 else ""
    diff = "".join(difflib.unified_diff(
        have.splitlines(True), want.splitlines(True), "cover letter",
        "these results", n=1))
    raise HarnessError("the cover letter's results are not what this run "
                       "measured (make cover writes them):\n" +
                       (diff[:3000] or "no results matrix in the cover "
                        "letter"), stage="cover",
                       log=os.path.join(ROOT, "series",
                                        "0000-cover-letter.patch"))


def main(argv):
    if "--check" in argv:
        path = os.path.join(ROOT, "series", "0000-cover-letter.patch")
        check_claims(open(path).read(), results.read_rows(),
                     read_json(os.path.join(OUT, "bisect.json"), []))
        say("cover letter: its results matrix and bisection paragraph are "
            "those of out/results.json and out/bisect.json")
        return 0
    tree.apply_series()
    text = render()
    subject, _, body = text.partition("\n\n")
    git("config", "branch.series.description",
        subject.strip() + "\n\n" + body.rstrip() + "\n")
    tree.export()
    say("cover letter written to series/0000-cover-letter.patch")
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
