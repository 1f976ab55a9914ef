"""Stages: results and compare.

A console log becomes rows {"kernel", "config", "suite", "test", "result"}:
one per test program ("seccomp_bpf") and one per subtest
("seccomp_bpf/TRACE_syscall.ptrace.negative_ENOSYS").  A planned program
that never reported, and a program whose own plan was cut short, are
"fail" with a note: a crash is never a pass.  Outcomes known in advance
(suites.KNOWN) keep their real result and carry the reason.

compare() lists every (config, suite, test) whose outcome differs between
two kernels; harness/expected_changes.json lists the differences a patch
declares on purpose (none today).
"""

import collections
import os

from . import ktap, suites
from .common import OUT, ROOT, read_json, say

EXPECTED_CHANGES = os.path.join(ROOT, "harness", "expected_changes.json")


def rows_from_console(text, kernel, config, planned):
    body, began, ended, _ = ktap.between_markers(text)
    doc = ktap.parse(body)
    by_name = {}
    for t in doc.tests:
        parts = [p.strip() for p in t.name.split(":")]
        if len(parts) == 3 and parts[0] == "selftests":
            by_name[f"{parts[1]}:{parts[2]}"] = t
    rows = []
    for name in planned:
        suite, test = name.split(":", 1)
        t = by_name.get(name)
        base = {"kernel": kernel, "config": config, "suite": suite}
        if t is None:
            rows.append(dict(base, test=test, result="fail",
                             note="no result: crashed or cut short"))
            continue
        row = dict(base, test=test, result=t.result)
        if t.reason:
            row["reason"] = t.reason
        if t.truncated:
            row["note"] = (f"plan 1..{t.plan} but {len(t.subtests)} "
                           "results: the program died mid-run")
        failing = [s.name for s in t.subtests
                   if s.result in ("fail", "timeout")]
        why = suites.known_reason(suite, test, failing)
        if why and row["result"] != "pass":
            row["known"] = why
        rows.append(row)
        for s in t.subtests:
            r = dict(base, test=f"{test}/{s.name}", result=s.result)
            if s.reason:
                r["reason"] = s.reason
            why = suites.known_reason(suite, f"{test}/{s.name}")
            if why and s.result != "pass":
                r["known"] = why
            rows.append(r)
    return rows


def _key(r):
    return (r["config"], r["suite"], r["test"])


def compare(rows, a="base", b="series"):
    """[(config, suite, test, result_a, result_b)] where they differ."""
    ra = {_key(r): r["result"] for r in rows if r["kernel"] == a}
    rb = {_key(r): r["result"] for r in rows if r["kernel"] == b}
    diffs = []
    for k in sorted(set(ra) | set(rb)):
        if ra.get(k) != rb.get(k):
            diffs.append((*k, ra.get(k, "absent"), rb.get(k, "absent")))
    return diffs


def expected_changes():
    """Declared behaviour changes: [{"patch", "config", "suite", "test",
    "before", "after", "why"}].  "patch" is the subject of the commit that
    makes the change: kernels before it must give "before", it and every
    kernel after it "after"."""
    return read_json(EXPECTED_CHANGES, default=[])


def declared_result(decls, position, config, suite, test):
    """(result, why) a declared change expects of (config, suite, test) on
    the kernel at position (0 = base, n = n patches applied; positions of
    the declaring patches are in d["position"]), or None if undeclared."""
    for d in decls:
        if (d["config"], d["suite"], d["test"]) == (config, suite, test):
            res = d["after"] if position >= d["position"] else d["before"]
            return res, d["why"]
    return None


def with_positions(decls, subjects, strict=True):
    """decls with "position": the 1-based index of the declaring patch
    among subjects (the series' commit subjects, oldest first).  A
    declaration of a patch not among them is an error, or with strict
    False (a user's own branch, SERIES=) left out and said so."""
    out = []
    for d in decls:
        if d["patch"] not in subjects and not strict:
            say(f"declared change of {d['patch']!r} left out: no such "
                "patch on the branch")
            continue
        if d["patch"] not in subjects:
            raise ValueError(f"expected_changes.json names a patch that is "
                             f"not in the series: {d['patch']!r}")
        out.append(dict(d, position=subjects.index(d["patch"]) + 1))
    return out


def _program_ok(rows_by_test, prog, result):
    """A program's own row follows its subtests: fail iff one fails."""
    subs = [r for t, r in rows_by_test.items() if t.startswith(prog + "/")]
    return bool(subs) and (result == "fail") == any(
        r in ("fail", "timeout") for r in subs)


def unexpected(rows, base_rows, decls, position, config):
    """The outcomes of one kernel (rows, at position) that differ from what
    the base's outcomes and the declared changes predict for config:
    [(suite, test, expected, got)].  A program's own row that differs
    only because declared subtests changed is not counted."""
    base = {(r["suite"], r["test"]): r["result"] for r in base_rows
            if r["config"] == config}
    mine = {(r["suite"], r["test"]): r["result"] for r in rows
            if r["config"] == config}
    by_suite = collections.defaultdict(dict)
    for (suite, test), res in mine.items():
        by_suite[suite][test] = res
    out = []
    for (suite, test) in sorted(set(base) | set(mine)):
        got = mine.get((suite, test), "absent")
        at_base = base.get((suite, test), "absent")
        decl = declared_result(decls, position, config, suite, test)
        was = declared_result(decls, 0, config, suite, test)
        if decl:
            want = decl[0]
            if was and at_base != was[0]:
                out.append((suite, test, f"{was[0]} on the base", at_base))
        else:
            want = at_base
        if got == want:
            continue
        if "/" not in test and any(
                declared_result(decls, position, config, suite, t)
                for t in by_suite[suite] if t.startswith(test + "/")) and \
                _program_ok(by_suite[suite], test, got):
            continue
        out.append((suite, test, want, got))
    return out


def undeclared(diffs, decls=None, position=None):
    """The base/series differences (compare()'s tuples) that no declared
    change explains.  Without positions every declared change counts as
    made by the series."""
    decls = expected_changes() if decls is None else decls
    keys = {(d["config"], d["suite"], d["test"], d["before"], d["after"])
            for d in decls}
    progs = {(d["config"], d["suite"], d["test"].split("/")[0])
             for d in decls}
    return [d for d in diffs if d not in keys and
            (d[0], d[1], d[2]) not in progs]


def failures(rows, decls=()):
    """Rows that break a promise: a failure that is not known in advance
    and is not the "before" side of a declared change on the base."""
    declared_fail = {(d["config"], d["suite"], d["test"]) for d in decls
                     if d["before"] == "fail"}
    declared_progs = {(c, s, t.split("/")[0]) for c, s, t in declared_fail}
    bad = []
    for r in rows:
        if r["result"] not in ("fail", "timeout") or "known" in r:
            continue
        key = (r["config"], r["suite"], r["test"])
        if r["kernel"] == "base" and (key in declared_fail or
                                      key in declared_progs):
            continue
        bad.append(r)
    return bad


def counts(rows):
    """{(kernel, config): {suite: Counter(result)}} over subtests where a
    program has them, else over the program."""
    has_sub = {(r["kernel"], r["config"], r["suite"], r["test"].split("/")[0])
               for r in rows if "/" in r["test"]}
    out = collections.defaultdict(lambda: collections.defaultdict(
        collections.Counter))
    for r in rows:
        prog = r["test"].split("/")[0]
        if "/" not in r["test"] and (r["kernel"], r["config"], r["suite"],
                                     prog) in has_sub:
            continue
        res = "known" if "known" in r else r["result"]
        out[(r["kernel"], r["config"])][r["suite"]][res] += 1
    return out


def summary_table(rows):
    c = counts(rows)
    suites_seen = sorted({s for v in c.values() for s in v})
    lines = ["| kernel | config | " + " | ".join(suites_seen) + " |",
             "|---|---|" + "---|" * len(suites_seen)]
    for (kernel, config) in sorted(c):
        cells = []
        for s in suites_seen:
            n = c[(kernel, config)].get(s, collections.Counter())
            cell = f"{n['pass']}/{n['fail'] + n['timeout']}/{n['skip']}"
            if n["known"]:
                cell += f" ({n['known']} known)"
            if n["xfail"]:
                cell += f" ({n['xfail']} xfail)"
            cells.append(cell)
        lines.append(f"| {kernel} | {config} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(rows, path, extra="", decls=()):
    diffs = compare(rows)
    bad = failures(rows, decls)
    text = ["# Test report", "",
            "Cells are pass/fail/skip, counted over subtests (a program "
            "without subtests counts once).", "", summary_table(rows), ""]
    text.append("## Outcomes that differ between base and series")
    text.append("")
    if diffs:
        why = {(d["config"], d["suite"], d["test"]): d for d in decls}
        for d in diffs:
            w = why.get((d[0], d[1], d[2]))
            note = (f" (declared by \"{w['patch']}\": {w['why']})" if w
                    else "")
            text.append(f"- {d[0]} {d[1]}:{d[2]}: {d[3]} -> {d[4]}{note}")
    else:
        text.append("None: every test has the same outcome on both kernels.")
    text += ["", "## Failures", ""]
    text += [f"- {r['kernel']}-{r['config']} {r['suite']}:{r['test']}: "
             f"{r['result']} {r.get('note', '')}" for r in bad] or ["None."]
    text += ["", "## Known outcomes", ""]
    for name, why in sorted(suites.KNOWN.items()):
        res = sorted({f"{r['kernel']}-{r['config']}={r['result']}"
                      for r in rows if f"{r['suite']}:{r['test']}" == name})
        if not res:
            res = ["did not run"]
        text.append(f"- {name}: {', '.join(res)}. {why}")
    skipped = sorted({(r["suite"], r["test"], r.get("reason", ""))
                      for r in rows if r["result"] == "skip"})
    text += ["", "## Skips and their reasons", ""]
    text += [f"- {s}:{t}: {why or '(no reason printed)'}"
             for s, t, why in skipped] or ["None."]
    if extra:
        text += ["", extra]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(text) + "\n")
    return diffs, bad


def default_paths():
    return os.path.join(OUT, "results.json"), os.path.join(OUT, "report.md")


def rows_of(doc):
    """The rows of a results file: {"rows": [...], ...} with the commits
    it is about, or a bare list (older files, 6.12's)."""
    if isinstance(doc, dict):
        return doc.get("rows", [])
    return doc or []


def read_rows(path=None):
    return rows_of(read_json(path or default_paths()[0], default=[]))


def write_results(path, rows, **about):
    """results.json: what ran (the harness, base and series commits, the
    kernels, configs and programs) and one row per program and subtest."""
    from .common import TREE, git, write_json

    def rev(cwd, what):
        if not os.path.isdir(cwd):
            return None
        return git("rev-parse", "-q", "--verify", what, cwd=cwd,
                   check=False) or None

    doc = {"harness": rev(ROOT, "HEAD"), "base": rev(TREE, "base"),
           "series": rev(TREE, "series"), **about, "rows": rows}
    write_json(path, doc)


def write_ktap(path, text):
    """The KTAP a boot printed between the markers."""
    body = ktap.between_markers(text)[0]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(body + "\n")


def write_junit(path, rows):
    """JUnit XML: a testsuite per kernel, config and collection, a testcase
    per program and subtest; known outcomes are skips with their reason."""
    from xml.sax.saxutils import quoteattr
    suites_of = collections.OrderedDict()
    for r in rows:
        suites_of.setdefault((r["kernel"], r["config"], r["suite"]),
                             []).append(r)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for (k, c, s), rs in suites_of.items():
        fails = sum(r["result"] in ("fail", "timeout") and not r.get("known")
                    for r in rs)
        skips = sum(r["result"] == "skip" or bool(r.get("known"))
                    for r in rs)
        out.append(f"  <testsuite name={quoteattr(f'{k}-{c}.{s}')} "
                   f'tests="{len(rs)}" failures="{fails}" '
                   f'skipped="{skips}">')
        for r in rs:
            out.append(f"    <testcase classname={quoteattr(f'{k}-{c}.{s}')}"
                       f" name={quoteattr(r['test'])}>")
            if r.get("known"):
                out.append(f"      <skipped message="
                           f"{quoteattr('known: ' + r['known'])}/>")
            elif r["result"] == "skip":
                out.append(f"      <skipped message="
                           f"{quoteattr(r.get('reason', ''))}/>")
            elif r["result"] != "pass":
                why = r.get("note") or r.get("reason") or r["result"]
                out.append(f"      <failure message={quoteattr(why)}/>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")
