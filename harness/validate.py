"""`make validate`: real userspace on the base and the series kernel.

The pieces live in validate/ (see validate/README.md): a tracer-churn
stress with audit and tracepoint toggling (churn), gdb's catch syscall /
stepi over svc / finish out of an interrupted read (gdb), auditd's own
records for a workload (audit), and in the full run stress-ng's syscall,
ptrace and seccomp stressors (stressng) and a selection of strace's own
test suite (strace).  They run on the base and series kernels in the
lockdep config (the debug config plus PROVE_LOCKING, DEBUG_ATOMIC_SLEEP,
hung-task and soft-lockup detection).  Everything a piece prints between
its markers, but for "#" lines, must be identical on both kernels (churn
and stressng: their verdicts); the kernel log must hold no WARN, BUG,
lockdep, RCU or hung-task report; no task may be left in D or t state.

Writes out/validate.md and out/validate.json.

Usage: python3 -m harness.validate [--short]
  --short: churn for 10 s, gdb and audit (no strace): what make check runs
"""

import concurrent.futures
import os
import re

from . import boot, kbuild, tree
from .common import (BUILD, OUT, ROOT, HarnessError, Stage, file_bytes, run,
                     say, sha256_of, write_json)

SRC = os.path.join(ROOT, "validate")
CONFIG = "lockdep"
SPLATS = re.compile(
    r"WARNING:|BUG:|Oops|Kernel panic|possible recursive locking|"
    r"possible circular locking|inconsistent lock state|"
    r"suspicious RCU usage|sleeping function called from invalid context|"
    r"INFO: task .* blocked|rcu_(?:preempt|sched) (?:self-)?detected stall|"
    r"soft lockup|hard LOCKUP|lockdep is turned off|"
    r"DEBUG_LOCKS_WARN_ON|Call trace:")
SECTION = re.compile(r"^VALIDATE-BEGIN (\S+)\s*$(.*?)^VALIDATE-END \1 rc=(\d+)",
                     re.M | re.S)

GUEST_RUN = """#!/bin/sh
# Run the validation pieces, then report the kernel log and stuck tasks.
for p in {pieces}; do
	if [ "$p" = churn ] || [ "$p" = stressng ]; then
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


def overlay(pieces):
    out = os.path.join(BUILD, "validate", "overlay")
    srcs = sorted(os.path.join(t, f) for t, _, fs in os.walk(SRC)
                  for f in fs)
    ident = sha256_of(" ".join(pieces), *[file_bytes(f) for f in srcs])
    stamp = out + ".stamp"
    if os.path.exists(stamp) and open(stamp).read() == ident:
        return out
    log = os.path.join(BUILD, "logs", "validate-overlay.log")
    with Stage(f"validate: guest overlays for {' '.join(pieces)}"):
        run(["rm", "-rf", out], stage="validate")
        from . import selftests
        hdr = selftests.headers(log)
        run(["bash", os.path.join(SRC, "build-all.sh"), out, *pieces],
            log=log, env={"KHDR": hdr}, stage="validate",
            what="validate/build-all.sh")
        with open(stamp, "w") as fh:
            fh.write(ident)
    return out


def sections(text):
    return {m.group(1): (m.group(2).strip("\n"), int(m.group(3)))
            for m in SECTION.finditer(text.replace("\r\n", "\n"))}


def comparable(piece, body):
    lines = [ln for ln in body.splitlines() if not ln.startswith("#")]
    if piece in ("churn", "stressng"):
        # Verdicts only: the counters vary from run to run.
        return [" ".join(ln.split()[:3 if ln.startswith("stressng") else 2])
                for ln in lines if ln.startswith(("CHURN", "stressng"))]
    return lines


def splats(dmesg):
    return [ln for ln in dmesg.splitlines() if SPLATS.search(ln)]


def main(argv):
    short = "--short" in argv
    pieces = ["churn", "gdb", "audit"] + ([] if short else
                                          ["stressng", "strace"])
    churn_secs = 10 if short else 60
    tree.apply_series()
    kbuild.configure(CONFIG)
    images = [(name, CONFIG, kbuild.build(name, name, CONFIG))
              for name in ("base", "series")]
    kbuild.checkout("series")
    ov = overlay(pieces)
    initrd = os.path.join(OUT, "initramfs-validate.cpio.gz")
    with Stage("validate: initramfs"):
        boot.make_initramfs(initrd, None, [], run_script=GUEST_RUN.format(
            pieces=" ".join(pieces), churn_secs=churn_secs),
            trees=[(ov, "validate")])
    def one(k):
        name, config, image = k
        log = os.path.join(os.path.dirname(image), "validate.log")
        text = boot.boot(image, initrd, log, name, config, timeout=1800)
        return name, sections(text)

    with Stage(f"validate: {' '.join(pieces)} on base and series "
               f"({CONFIG}), both at once"):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            found = dict(pool.map(one, images))
    rows, problems = [], []
    for piece in pieces:
        got = {k: found[k].get(piece) for k in found}
        for k, v in got.items():
            if v is None:
                problems.append(f"{piece}: no result from the {k} kernel")
            elif v[1] != 0:
                problems.append(f"{piece}: exit {v[1]} on the {k} kernel")
        same = None not in got.values() and \
            comparable(piece, got["base"][0]) == \
            comparable(piece, got["series"][0])
        if None not in got.values() and not same:
            problems.append(f"{piece}: base and series differ")
        rows.append({"piece": piece, "identical": same,
                     "base_rc": got["base"][1] if got["base"] else None,
                     "series_rc": got["series"][1] if got["series"] else
                     None,
                     "base": got["base"][0] if got["base"] else "",
                     "series": got["series"][0] if got["series"] else ""})
    for k in found:
        bad = splats(found[k].get("dmesg", ("", 0))[0])
        stuck = [ln for ln in found[k].get("stuck", ("", 0))[0].splitlines()
                 if ln.startswith("stuck:")]
        rows.append({"piece": "kernel-log", "kernel": k, "splats": bad,
                     "stuck": stuck})
        if bad:
            problems.append(f"{k}: {len(bad)} splat lines in the kernel log,"
                            f" first: {bad[0]}")
        if stuck:
            problems.append(f"{k}: tasks left stuck: {stuck[0]}")
    write_json(os.path.join(OUT, "validate.json"), rows)
    md = ["# make validate", "",
          f"Kernels: base and series, config `{CONFIG}`; pieces: "
          f"{', '.join(pieces)}" + (" (short run)" if short else ""), "",
          "| piece | base | series | identical |", "|---|---|---|---|"]
    for r in rows:
        if r["piece"] != "kernel-log":
            md.append(f"| {r['piece']} | rc={r['base_rc']} | "
                      f"rc={r['series_rc']} | "
                      f"{'yes' if r['identical'] else 'NO'} |")
    md += ["", "Kernel log: " + ", ".join(
        f"{r['kernel']}: {len(r['splats'])} splat lines, "
        f"{len(r['stuck'])} stuck tasks" for r in rows
        if r["piece"] == "kernel-log")]
    for r in rows:
        if r["piece"] != "kernel-log":
            md += ["", f"## {r['piece']} (series)", "", "```",
                   r["series"][-4000:], "```"]
    path = os.path.join(OUT, "validate.md")
    with open(path, "w") as fh:
        fh.write("\n".join(md) + "\n")
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
