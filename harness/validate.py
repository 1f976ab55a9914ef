"""`make validate`: real userspace on the base and the series kernel.

The pieces live in validate/ (see validate/README.md): a tracer-churn
stress with audit and tracepoint toggling (churn), gdb's catch syscall /
stepi over svc / finish out of an interrupted read (gdb), auditd's own
records for a workload (audit), and in the full run stress-ng's syscall,
ptrace and seccomp stressors (stressng), Debian's trinity fuzzing the
syscalls for 60 s per kernel (trinity) and strace's whole test suite
(strace).  All but strace run on the base and series kernels in the
lockdep config (the debug config plus PROVE_LOCKING, DEBUG_ATOMIC_SLEEP,
hung-task and soft-lockup detection); strace's ~1250 tests run on the
debug config's kernels, where they take a third of the time.  Everything a
piece prints between its markers, but for "#" lines, must be identical on
both kernels (churn, stressng and trinity: their verdicts); the kernel log must
hold no WARN, BUG, lockdep, RCU or hung-task report; no task may be left
in D or t state.

Writes out/validate.md and out/validate.json.

Usage: python3 -m harness.validate [--short] [--pieces P,...]
  --short: churn for 10 s, gdb and audit: what make check runs
  --pieces: only these pieces (e.g. --pieces strace)
  --from-logs: judge the last boots' console logs again, booting nothing
"""

import concurrent.futures
import functools
import os
import re
import time

from . import boot, kbuild, ktap, tree
from .common import (BUILD, OUT, ROOT, Cache, HarnessError, Stage,
                     file_bytes, run, say, write_json)

SRC = os.path.join(ROOT, "validate")
CONFIG = "lockdep"
# A WARN() prints "WARNING: CPU: n PID: n at ..." after a "cut here" line;
# a bare "WARNING:" is also pr_warn()'s text for deprecations (trinity's
# mount flags meet "The mand mount option has been deprecated").
SPLATS = re.compile(
    r"WARNING: CPU: \d+ PID: |\[ cut here \]|BUG:|Oops|Kernel panic|possible recursive locking|"
    r"possible circular locking|inconsistent lock state|"
    r"suspicious RCU usage|sleeping function called from invalid context|"
    r"INFO: task .* blocked|rcu_(?:preempt|sched) (?:self-)?detected stall|"
    r"soft lockup|hard LOCKUP|lockdep is turned off|"
    r"DEBUG_LOCKS_WARN_ON|Call trace:")
SECTION = re.compile(r"^VALIDATE-BEGIN (\S+)\s*$(.*?)^VALIDATE-END \1 rc=(\d+)",
                     re.M | re.S)

GUEST_RUN = """#!/bin/sh
# Run the validation pieces, then report the kernel log and stuck tasks.
# The configs have no driver for the virt machine's RTC, so the clock would
# start in 1970: strace-V.test checks that the year is no earlier than
# strace's copyright year.  The host's time when the initramfs was made
# (date's own error, if any, reaches the console log).
busybox date -u -s @{epoch} > /dev/null
for p in {pieces}; do
	if [ "$p" = churn ] || [ "$p" = stressng ] || [ "$p" = trinity ]; then
		sh /validate/$p/run.sh /validate/$p {churn_secs}
	else
		sh /validate/$p/run.sh /validate/$p
	fi
done
echo "VALIDATE-BEGIN stuck"
for s in /proc/[0-9]*/stat; do
	read -r line < "$s" 2>/dev/null || continue
	st=${{line##*) }}; st=${{st%% *}}
	case "$st" in D|t) echo "stuck: $line";; esac
done
echo "VALIDATE-END stuck rc=0"
echo "VALIDATE-BEGIN dmesg"
dmesg
echo "VALIDATE-END dmesg rc=0"
"""


# (config, pieces, boot timeout in seconds) of each pair of boots
FULL = [(CONFIG, ["churn", "gdb", "audit", "stressng", "trinity"], 1800),
        ("debug", ["strace"], 4 * 3600)]
SHORT = [(CONFIG, ["churn", "gdb", "audit"], 1800)]
# validate/strace/build.sh's selection of tests (part of the overlay)
STRACE_ENV = ("STRACE_TESTS", "STRACE_SLICE")


def overlay_inputs(pieces):
    """What an overlay of pieces is built from: the pieces, validate/'s
    files and, for strace only, its selection of tests."""
    srcs = sorted(os.path.join(t, f) for t, _, fs in os.walk(SRC)
                  for f in fs)
    return [" ".join(pieces), *[file_bytes(f) for f in srcs],
            *[os.environ.get(v, "") for v in STRACE_ENV
              if "strace" in pieces]]


def overlay(pieces, config):
    out = os.path.join(BUILD, "validate", f"overlay-{config}")
    cache = Cache(out + ".stamp", *overlay_inputs(pieces),
                  note=" ".join(pieces))
    if cache.hit(out):
        return out
    log = os.path.join(BUILD, "logs", "validate-overlay.log")
    with Stage(f"validate: guest overlays for {' '.join(pieces)}"), \
            cache.making():
        run(["rm", "-rf", out], stage="validate")
        from . import selftests
        hdr = selftests.headers(log)
        run(["bash", os.path.join(SRC, "build-all.sh"), out, *pieces],
            log=log, env={"KHDR": hdr}, stage="validate",
            what="validate/build-all.sh")
    return out


def sections(text):
    return {m.group(1): (m.group(2).strip("\n"), int(m.group(3)))
            for m in SECTION.finditer(text.replace("\r\n", "\n"))}


def tap_name(line):
    """The test a TAP result line is about, or None (harness/ktap.py
    reads it)."""
    doc = ktap.parse_lines([line])
    return doc.tests[0].name if doc.tests else None


@functools.lru_cache(maxsize=None)
def timing_tests():
    """validate/strace/timing.list: strace tests that judge wall-clock
    time (run and reported, not compared)."""
    with open(os.path.join(SRC, "strace", "timing.list")) as fh:
        return frozenset(ln.strip() for ln in fh
                         if ln.strip() and not ln.startswith("#"))


def comparable(piece, body):
    lines = [ln for ln in body.splitlines() if not ln.startswith("#")]
    if piece == "strace":
        timing = timing_tests()
        lines = [ln for ln in lines if tap_name(ln) not in timing]
    if piece in ("churn", "stressng", "trinity"):
        # Verdicts only: the counters vary from run to run.
        return [" ".join(ln.split()[:3 if ln.startswith("stressng") else 2])
                for ln in lines
                if ln.startswith(("CHURN", "stressng", "trinity"))]
    return lines


def tap_sets(body):
    """{outcome: [test, ...]} of a piece's TAP result lines (strace's
    run.sh prints one per test), read by harness/ktap.py."""
    out = {"pass": [], "fail": [], "skip": []}
    for t in ktap.parse_lines(body.splitlines()).tests:
        out["skip" if t.directive == "SKIP" else
            "pass" if t.ok else "fail"].append(t.name)
    return out


def reasons(listname):
    """{test: reason} of a validate/strace list of NAME REASON lines."""
    out = {}
    with open(os.path.join(SRC, "strace", listname)) as fh:
        for ln in fh:
            if ln.strip() and not ln.startswith("#"):
                name, _, reason = ln.strip().partition(" ")
                out[name] = reason.strip()
    return out


def expected_failures():
    """xfail.list: the strace tests that fail on the unpatched base too."""
    return reasons("xfail.list")


def not_run():
    """notrun.list: the strace tests run.sh reports skipped unstarted."""
    return reasons("notrun.list")


def outcome_report(piece, outcomes, xfail):
    """Markdown lines: per-kernel counts, the lists, the expected failures
    with their reasons, and listed tests that passed everywhere."""
    timing = timing_tests()
    accepted = xfail.keys() | timing
    md = ["", f"## {piece}: outcomes (timing-sensitive tests below)", "",
          "| kernel | pass | fail, listed | fail, not listed | skip |",
          "|---|---|---|---|---|"]
    md += [f"| {k} | {len(v['pass'])} | "
           f"{len([t for t in v['fail'] if t in xfail])} | "
           f"{len([t for t in v['fail'] if t not in accepted])} | "
           f"{len(v['skip'])} |" for k, v in outcomes.items()]
    for o in ("fail", "skip"):
        for k, v in outcomes.items():
            md += ["", f"{o} on {k} ({len(v[o])}): " +
                   (" ".join(v[o]) or "none")]
    md += ["", "Expected failures (validate/strace/xfail.list: they fail "
           "on the unpatched base too):", ""]
    md += [f"- {t}: {why}" for t, why in sorted(xfail.items())]
    ran = {t for v in outcomes.values() for o in v.values() for t in o}
    passed = sorted(t for t in xfail if t in ran and not any(
        t in v["fail"] for v in outcomes.values()))
    md += ["", "Listed but passed on both kernels (the list may shrink): " +
           (" ".join(passed) or "none")]
    md += ["", "Not run (validate/strace/notrun.list; counted as skips on "
           "both kernels):", ""]
    md += [f"- {t}: {why}" for t, why in sorted(not_run().items())]
    slow = {k: " ".join(t for t in v["fail"] if t in timing) or "none"
            for k, v in outcomes.items()}
    md += ["", "Timing-sensitive (validate/strace/timing.list; run, not "
           "compared), failed: " +
           "; ".join(f"on {k}: {v}" for k, v in slow.items())]
    return md


def splats(dmesg):
    return [ln for ln in dmesg.splitlines() if SPLATS.search(ln)]


def boot_pair(config, pieces, churn_secs, timeout):
    """Boot base and series (config) at once with pieces' overlays; return
    {kernel: {section: (body, rc)}}."""
    kbuild.configure(config)
    kernels = [kbuild.Kernel.of(name, config) for name in ("base", "series")]
    for k in kernels:
        kbuild.build(k)
    kbuild.checkout("series")
    ov = overlay(pieces, config)
    initrd = os.path.join(OUT, f"initramfs-validate-{config}.cpio.gz")
    with Stage(f"validate: initramfs ({config})"):
        boot.make_initramfs(initrd, None, [], run_script=GUEST_RUN.format(
            pieces=" ".join(pieces), churn_secs=churn_secs,
            epoch=int(time.time())),
            trees=[(ov, "validate")])

    def one(k):
        text = boot.boot(k.image, initrd, k.path("validate.log"), k.label,
                         config, timeout=timeout)
        return k.label, sections(text)

    with Stage(f"validate: {' '.join(pieces)} on base and series "
               f"({config}), both at once"):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            return dict(pool.map(one, kernels))


def selected_runs(argv):
    """(runs, short): the (config, pieces, timeout) boots argv asks for."""
    short = "--short" in argv
    runs = SHORT if short else FULL
    if "--pieces" in argv:
        want = argv[argv.index("--pieces") + 1].split(",")
        known = {p for _, ps, _ in FULL for p in ps}
        if set(want) - known:
            raise HarnessError(f"validate: unknown pieces {set(want) - known}"
                               f" (known: {', '.join(sorted(known))})",
                               stage="validate")
        runs = [(c, [p for p in ps if p in want], t) for c, ps, t in runs
                if set(ps) & set(want)]
    return runs, short


def collect(runs, churn_secs, from_logs):
    """{kernel: {section: (body, rc)}} of every boot, the kernel log and
    stuck-task sections named per config."""
    found = {}
    for config, ps, timeout in runs:
        if from_logs:
            # The verdict again from the last boots' console logs.
            got = {name: sections(open(kbuild.Kernel.of(name, config).path(
                "validate.log"), errors="replace").read())
                for name in ("base", "series")}
        else:
            got = boot_pair(config, ps, churn_secs, timeout)
        for k, secs in got.items():
            found.setdefault(k, {})
            # one kernel log per boot
            for name in ("dmesg", "stuck"):
                if name in secs:
                    secs[f"{name}-{config}"] = secs.pop(name)
            found[k].update(secs)
    return found


def judge_piece(piece, got, xfail, timing):
    """(row, problems) of one piece's sections on base and series."""
    problems = []
    for k, v in got.items():
        if v is None:
            problems.append(f"{piece}: no result from the {k} kernel")
        elif piece == "strace":
            # rc=1 when tests fail: only the listed ones may
            bad = [t for t in tap_sets(v[0])["fail"]
                   if t not in xfail and t not in timing]
            if bad:
                problems.append(f"strace: {len(bad)} unexpected failures"
                                f" on the {k} kernel: {' '.join(bad[:8])}")
        elif v[1] != 0:
            problems.append(f"{piece}: exit {v[1]} on the {k} kernel")
    complete = None not in got.values()
    same = complete and comparable(piece, got["base"][0]) == \
        comparable(piece, got["series"][0])
    if complete and not same:
        problems.append(f"{piece}: base and series differ")
    row = {"piece": piece, "identical": same}
    for k in ("base", "series"):
        row[f"{k}_rc"] = got[k][1] if got[k] else None
        row[k] = got[k][0] if got[k] else ""
    if piece == "strace":
        row["outcomes"] = {k: tap_sets(row[k]) for k in ("base", "series")}
    return row, problems


def judge_kernel_log(k, config, secs):
    """(row, problems) of one boot's kernel log and stuck tasks."""
    problems = []
    if f"dmesg-{config}" not in secs:
        problems.append(f"{k} ({config}): no kernel log")
    bad = splats(secs.get(f"dmesg-{config}", ("", 0))[0])
    stuck = [ln for ln in secs.get(f"stuck-{config}", ("", 0))[0]
             .splitlines() if ln.startswith("stuck:")]
    if bad:
        problems.append(f"{k} ({config}): {len(bad)} splat lines in the "
                        f"kernel log, first: {bad[0]}")
    if stuck:
        problems.append(f"{k} ({config}): tasks left stuck: {stuck[0]}")
    return ({"piece": "kernel-log", "kernel": k, "config": config,
             "splats": bad, "stuck": stuck}, problems)


def write_report(rows, pieces, short, xfail):
    """out/validate.md; its path."""
    md = ["# make validate", "",
          f"Kernels: base and series; pieces: {', '.join(pieces)}" +
          (" (short run)" if short else "") + "".join(
              f"; {v}={os.environ[v]}" for v in STRACE_ENV
              if os.environ.get(v) and "strace" in pieces), "",
          "| piece | config | base | series | identical |",
          "|---|---|---|---|---|"]
    for r in rows:
        if r["piece"] != "kernel-log":
            md.append(f"| {r['piece']} | {r['config']} | rc={r['base_rc']} "
                      f"| rc={r['series_rc']} | "
                      f"{'yes' if r['identical'] else 'NO'} |")
    md += ["", "Kernel log: " + ", ".join(
        f"{r['kernel']} ({r['config']}): {len(r['splats'])} splat lines, "
        f"{len(r['stuck'])} stuck tasks" for r in rows
        if r["piece"] == "kernel-log")]
    for r in rows:
        if "outcomes" in r:
            md += outcome_report(r["piece"], r["outcomes"], xfail)
    for r in rows:
        if r["piece"] != "kernel-log":
            md += ["", f"## {r['piece']} (series)", "", "```",
                   r["series"][-4000:], "```"]
    path = os.path.join(OUT, "validate.md")
    with open(path, "w") as fh:
        fh.write("\n".join(md) + "\n")
    return path


def main(argv):
    runs, short = selected_runs(argv)
    tree.apply_series()
    found = collect(runs, 10 if short else 60, "--from-logs" in argv)
    pieces = [p for _, ps, _ in runs for p in ps]
    config_of = {p: c for c, ps, _ in runs for p in ps}
    xfail, timing = expected_failures(), timing_tests()
    rows, problems = [], []
    for piece in pieces:
        row, bad = judge_piece(piece, {k: found[k].get(piece)
                                       for k in found}, xfail, timing)
        rows.append(dict(row, config=config_of[piece]))
        problems += bad
    for k in found:
        for config in sorted({c for c, _, _ in runs}):
            row, bad = judge_kernel_log(k, config, found[k])
            rows.append(row)
            problems += bad
    write_json(os.path.join(OUT, "validate.json"), rows)
    path = write_report(rows, pieces, short, xfail)
    for r in rows:
        if r["piece"] != "kernel-log":
            say(f"validate {r['piece']}: base rc={r['base_rc']}, series "
                f"rc={r['series_rc']}, identical: {r['identical']}")
    if problems:
        raise HarnessError("validate: " + "; ".join(problems),
                           stage="validate", log=path)
    say(f"validate: all pieces agree, clean kernel logs; wrote {path}")
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
