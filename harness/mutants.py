"""`make mutants`: the tests fail when the property they pin breaks.

Each mutant is the series tip with one property of the exit path broken
by a one-line edit (MUTANTS below: the file, the text replaced, what it
breaks, and the subtests that must catch it).  Every mutant kernel is
built in the debug config (where the rseq check is on) from a commit of
its own, never on branch series, and boots the exit-path suites.  A
mutant passes when every subtest it lists fails; the other failures it
causes are reported too, as the table's "also caught by" (outcomes known
on every kernel, suites.KNOWN, are left out).  `make check` runs it after
the bisection.

Writes out/mutants.json and out/mutants.md (the README's mutant table).

Usage: python3 -m harness mutants [--mutants NAME,...]
"""

import os
import subprocess

from . import kbuild, results, run as runmod, selftests, suites, tree
from .common import (BUILD, OUT, TREE, HarnessError, Stage, git, say,
                     write_json)

CONFIG = "debug"
SYSCALL_C = "arch/arm64/kernel/syscall.c"
PTRACE_C = "arch/arm64/kernel/ptrace.c"
# ftracetest's name of the series' case (its description line)
FTRACE_CASE = "event tracing - raw_syscalls:sys_exit on the syscall exit path"

# name, file, old text, new text, what breaks, subtests that must fail
MUTANTS = [
    ("rseq-only-with-work", SYSCALL_C,
     "\trseq_debug_syscall_return(regs);\n\n"
     "\tif (unlikely(flags & _TIF_SYSCALL_EXIT_WORK))\n"
     "\t\tsyscall_exit_work(regs, flags);\n",
     "\tif (unlikely(flags & _TIF_SYSCALL_EXIT_WORK)) {\n"
     "\t\trseq_debug_syscall_return(regs);\n"
     "\t\tsyscall_exit_work(regs, flags);\n\t}\n",
     "the rseq check only when exit work is pending",
     ["rseq:syscall_debug_test/rseq_syscall.plain.in_cs_sigsegv",
      "rseq:syscall_debug_test/rseq_syscall.seccomp_errno.in_cs_sigsegv",
      "rseq:syscall_debug_test/rseq_syscall.seccomp_trap.in_cs_sigsegv",
      "rseq:syscall_debug_test/rseq_syscall.cont_at_entry.in_cs_sigsegv",
      "rseq:syscall_debug_test/rseq_syscall.seccomp_trace.in_cs_sigsegv"]),
    ("rseq-after-work", SYSCALL_C,
     "\trseq_debug_syscall_return(regs);\n\n"
     "\tif (unlikely(flags & _TIF_SYSCALL_EXIT_WORK))\n"
     "\t\tsyscall_exit_work(regs, flags);\n",
     "\tif (unlikely(flags & _TIF_SYSCALL_EXIT_WORK))\n"
     "\t\tsyscall_exit_work(regs, flags);\n\n"
     "\trseq_debug_syscall_return(regs);\n",
     "the rseq check after the exit work (it sees a PC a tracer wrote)",
     ["rseq:syscall_debug_test/rseq_exit_stop.pc_out_of_cs.move_pc",
      "rseq:syscall_debug_test/rseq_exit_stop.pc_into_cs.move_pc"]),
    ("x7-not-restored", PTRACE_C,
     "\t\tptrace_report_syscall_exit(regs, 0);\n"
     "\t\tregs->regs[regno] = saved_reg;\n",
     "\t\tptrace_report_syscall_exit(regs, 0);\n",
     "x7/r12 not restored after the exit stop",
     ["arm64:syscall_stop/global.x7_indicator",
      "arm64:syscall_stop/global.x7_at_seccomp_stop"]),
    ("no-tracepoint-exit", SYSCALL_C,
     "#define _TIF_SYSCALL_EXIT_WORK\t(_TIF_SYSCALL_TRACE | "
     "_TIF_SYSCALL_AUDIT | \\\n\t\t\t\t _TIF_SYSCALL_TRACEPOINT | "
     "_TIF_SINGLESTEP)\n",
     "#define _TIF_SYSCALL_EXIT_WORK\t(_TIF_SYSCALL_TRACE | "
     "_TIF_SYSCALL_AUDIT | \\\n\t\t\t\t _TIF_SINGLESTEP)\n",
     "no exit work for the sys_exit tracepoint alone",
     ["ftrace:ftracetest/" + FTRACE_CASE,
      "ftrace:ftracetest/(instance) " + FTRACE_CASE]),
    ("no-singlestep-exit", SYSCALL_C,
     "#define _TIF_SYSCALL_EXIT_WORK\t(_TIF_SYSCALL_TRACE | "
     "_TIF_SYSCALL_AUDIT | \\\n\t\t\t\t _TIF_SYSCALL_TRACEPOINT | "
     "_TIF_SINGLESTEP)\n",
     "#define _TIF_SYSCALL_EXIT_WORK\t(_TIF_SYSCALL_TRACE | "
     "_TIF_SYSCALL_AUDIT | \\\n\t\t\t\t _TIF_SYSCALL_TRACEPOINT)\n",
     "no exit work for single-step alone (no pseudo-step)",
     ["arm64:syscall_stop/global.singlestep_svc",
      "arm64:syscall_stop/global.syscall_entry_then_singlestep",
      "arm64:syscall_stop/global.compat_singlestep_svc"]),
    ("no-audit-exit", PTRACE_C,
     "\taudit_syscall_exit(regs);\n\n"
     "\tif (flags & _TIF_SYSCALL_TRACEPOINT)\n",
     "\tif (flags & _TIF_SYSCALL_TRACEPOINT)\n",
     "no audit_syscall_exit() in the exit work",
     ["audit:audit_syscall_exit/audit.success",
      "audit:audit_syscall_exit/audit.failure",
      "audit:audit_syscall_exit/audit.traced"]),
]


def mutant_commit(name, path, old, new):
    """A commit of the series tip with old replaced by new in path, made
    with a temporary index (branch series and its work tree untouched)."""
    text = subprocess.run(["git", "cat-file", "blob", f"series:{path}"],
                          cwd=TREE, stdout=subprocess.PIPE, text=True,
                          check=True, timeout=300).stdout
    if text.count(old) != 1:
        raise HarnessError(f"mutant {name}: the text to replace is not "
                           f"once in {path} at the series tip; update "
                           "harness/mutants.py", stage="mutants")
    env = {"GIT_INDEX_FILE": os.path.join(BUILD, "mutant.index"),
           "GIT_AUTHOR_NAME": "harness", "GIT_AUTHOR_EMAIL": "harness@localhost",
           "GIT_COMMITTER_NAME": "harness",
           "GIT_COMMITTER_EMAIL": "harness@localhost"}

    def g(*args, data=None):
        return git(*args, env=env, input=data)

    g("read-tree", "series")
    blob = g("hash-object", "-w", "--stdin", data=text.replace(old, new))
    g("update-index", "--cacheinfo", f"100644,{blob},{path}")
    try:
        return g("commit-tree", g("write-tree"), "-p", "series", "-m",
                 f"mutant: {name}")
    finally:
        if os.path.exists(env["GIT_INDEX_FILE"]):
            os.unlink(env["GIT_INDEX_FILE"])


def controls(mutants, rows):
    """The listed subtests that do not pass on the unmutated series tip
    (the debug rows of the last full run): a failure there proves
    nothing."""
    tip = {f"{r['suite']}:{r['test']}": r["result"] for r in rows
           if r["kernel"] == "series" and r["config"] == CONFIG}
    return sorted({t for m in mutants for t in m[5]
                   if tip.get(t) != "pass"})


def judge(mutants, rows):
    """[{name, breaks, must, missed, also}] of each mutant's rows."""
    out = []
    for name, _, _, _, breaks, must in mutants:
        failed = sorted(f"{r['suite']}:{r['test']}" for r in rows
                        if r["kernel"] == f"m-{name}" and "/" in r["test"]
                        and r["result"] in ("fail", "timeout")
                        and "known" not in r)
        out.append({"name": name, "breaks": breaks, "must": must,
                    "missed": [t for t in must if t not in failed],
                    "also": [t for t in failed if t not in must]})
    return out


def table(judged):
    md = ["| mutant | what it breaks | must fail (all did) | also caught by |",
          "|---|---|---|---|"]
    for j in judged:
        short = [t.split("/", 1)[1] for t in j["must"]]
        also = ", ".join(t.split("/", 1)[1] for t in j["also"]) or "-"
        md.append(f"| {j['name']} | {j['breaks']} | {', '.join(short)} | "
                  f"{also} |")
    return "\n".join(md)


def main(argv):
    want = None
    if "--mutants" in argv:
        want = argv[argv.index("--mutants") + 1].split(",")
        unknown = set(want) - {m[0] for m in MUTANTS}
        if unknown:
            raise HarnessError(f"unknown mutants {sorted(unknown)}",
                               stage="mutants")
    mutants = [m for m in MUTANTS if want is None or m[0] in want]
    tree.apply_series()
    bad = controls(mutants, results.read_rows())
    if bad:
        raise HarnessError("these listed subtests do not pass on the series "
                           f"tip ({CONFIG}, out/results.json; run `make "
                           "run` first): " + ", ".join(bad), stage="mutants")
    kbuild.configure(CONFIG)
    kernels = []
    for name, path, old, new, _, _ in mutants:
        sha = mutant_commit(name, path, old, new)
        k = kbuild.Kernel(f"m-{name}", sha, CONFIG)
        kbuild.build(k)
        kernels.append(k)
    kbuild.checkout("series")
    inst = selftests.build()
    planned = runmod.run_order(suites.exit_path_tests())
    with Stage(f"mutants: {len(kernels)} kernels with the exit-path "
               "suites"):
        rows = runmod.test_kernels(kernels, runmod.initramfs(
            inst, "exit-path", planned), planned=planned)
    judged = judge(mutants, rows)
    write_json(os.path.join(OUT, "mutants.json"), judged)
    md = os.path.join(OUT, "mutants.md")
    with open(md, "w") as fh:
        fh.write(table(judged) + "\n")
    print(table(judged))
    missed = [j for j in judged if j["missed"]]
    for j in judged:
        say(f"mutant {j['name']}: " + (
            f"NOT caught by {', '.join(j['missed'])}" if j["missed"] else
            f"caught by all {len(j['must'])} listed subtests, and "
            f"{len(j['also'])} more"))
    if missed:
        raise HarnessError(f"{len(missed)} mutants not caught as listed "
                           f"(see {md})", stage="mutants", log=md)
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
