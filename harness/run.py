"""`make run`: base and series kernels, both configs, the kselftests on each,
and the comparison.  Writes out/results.json and out/report.md.

Usage: python3 -m harness run [--configs C,..] [--kernels K,..]
                              [--tests T,..|exit-path] [--jobs N]
                              [--boot-timeout S] [--fresh] [--no-deps]
A run narrowed by --configs, --kernels or --tests is the inner loop: it
writes out/selected/results.json and report.md and leaves the full run's
out/results.json alone.
"""

import argparse
import concurrent.futures
import os
import shutil

from . import boot, deps, kbuild, results, selftests, suites, tree
from .common import (CONFIGS, KERNELS, OUT, Cache, HarnessError, Stage,
                     file_bytes, say, write_json)

BOOT_JOBS = int(os.environ.get("BOOT_JOBS", "2"))


def run_order(tests):
    """The kernel's own order, as run_kselftest.sh runs the collections
    (tools/testing/selftests/Makefile lists TARGETS alphabetically): audit
    comes before ftrace, ptrace, rseq and seccomp.  The audit test leaves
    a task,never rule behind, so the tasks of the later tests get no audit
    context and keep the no-work fast path."""
    return sorted(tests, key=lambda t: t.split(":", 1)[0])


def initramfs(install_dir, name="tests", tests=None):
    path = os.path.join(OUT, f"initramfs-{name}.cpio.gz")
    tests = run_order(suites.all_tests()) if tests is None else tests
    with Stage(f"initramfs {name} ({len(tests)} test programs)"):
        boot.make_initramfs(path, install_dir, tests,
                            env_lines=suites.env_lines())
    return path


def _ktap(ktap_dir, k):
    log = k.path("console.log")
    if ktap_dir and os.path.exists(log):
        with open(log, errors="replace") as fh:
            results.write_ktap(os.path.join(ktap_dir, f"{k.name}.ktap"),
                               fh.read())


def no_result_rows(k, planned, error):
    """The rows of a kernel that gave no results: each planned program
    fails, saying why."""
    return [{"kernel": k.label, "config": k.config,
             "suite": t.split(":", 1)[0], "test": t.split(":", 1)[1],
             "result": "fail", "note": f"no result: {error.message[:200]}"}
            for t in planned]


def boot_one(k, initrd, planned, reuse, ktap_dir):
    """Boot kernel k with the test initramfs; its rows.  With reuse, a
    kernel whose Image, initramfs and qemu command are byte-identical to
    those of its last boot is not booted again: its console log is read
    again (with today's parser and known outcomes), and said so."""
    try:
        rows = _boot_one(k, initrd, planned, reuse, ktap_dir)
        flaky = suites.flaky_timeouts(rows)
        return _boot_again(k, initrd, planned, ktap_dir, flaky) \
            if flaky else rows
    except (OSError, ValueError) as e:
        raise HarnessError(f"{type(e).__name__}: {e}", kernel=k.label,
                           config=k.config, stage="boot",
                           log=k.path("console.log")) from None


def _boot_again(k, initrd, planned, ktap_dir, flaky):
    """Boot k once more after subtests with a race of their own (suites.
    FLAKY_TIMEOUTS) timed out; the second boot's rows, the flaky ones
    with a note, the first console log kept beside the second."""
    first = k.path("console.first.log")
    shutil.copyfile(k.path("console.log"), first)
    say(f"boot {k.name}: {', '.join(flaky)} timed out, a race of the test "
        f"itself (harness/suites.py FLAKY_TIMEOUTS); booting it once more, "
        f"the first console log kept as {first}")
    rows = _boot_one(k, initrd, planned, False, ktap_dir)
    for r in rows:
        if f"{r['suite']}:{r['test']}" in flaky:
            r["note"] = (f"timed out in a first boot ({first}); this is "
                         "the outcome of the second")
    again = suites.flaky_timeouts(rows)
    say(f"boot {k.name}, second boot: " +
        (f"{', '.join(again)} timed out again" if again else
         "the cases that had timed out ran to their end"))
    return rows


def _boot_one(k, initrd, planned, reuse, ktap_dir):
    cache = Cache(k.path("results.key"), file_bytes(k.image),
                  file_bytes(initrd), *planned,
                  " ".join(boot.qemu_cmd("", "")))
    if reuse and cache.hit(k.path("console.log")):
        say(f"boot {k.name}: Image and initramfs unchanged since the last "
            "run; its console log read again (make check always boots)")
        _ktap(ktap_dir, k)
        with open(k.path("console.log"), errors="replace") as fh:
            return results.rows_from_console(fh.read(), k.label, k.config,
                                             planned)
    with cache.making():
        try:
            text = boot.boot(k.image, initrd, k.path("console.log"),
                             k.label, k.config,
                             timeout=boot.DEFAULT_TIMEOUT,
                             silence=boot.SILENCE, stream=True)
        finally:
            _ktap(ktap_dir, k)
        got = results.rows_from_console(text, k.label, k.config, planned)
        write_json(k.path("results.json"), got)
    return got


def test_kernels(kernels, initrd, reuse=False, planned=None, errors=None,
                 ktap_dir=None):
    """Boot each Kernel with the test initramfs, BOOT_JOBS at a time;
    return the rows.  A kernel that fails to boot or hangs is an error for
    that kernel; the others still run, then the first error is raised, or,
    with errors (a list), the errors are put there and the failed kernel's
    programs get rows that say so.  Each boot's KTAP goes to ktap_dir."""
    planned = run_order(suites.all_tests()) if planned is None else planned
    rows, raise_first = [], errors is None
    errors = [] if errors is None else errors
    with Stage(f"boot and test {len(kernels)} kernels, {BOOT_JOBS} at a "
               "time"):
        with concurrent.futures.ThreadPoolExecutor(BOOT_JOBS) as pool:
            futs = {pool.submit(boot_one, k, initrd, planned, reuse,
                                ktap_dir): k for k in kernels}
            for fut in concurrent.futures.as_completed(futs):
                try:
                    rows.extend(fut.result())
                except HarnessError as e:
                    say(e.describe())
                    errors.append(e)
                    rows.extend(no_result_rows(futs[fut], planned, e))
    if errors and raise_first:
        raise errors[0]
    return rows


def build_all(configs=CONFIGS, kernels=KERNELS):
    """Configure, build every kernel of kernels x configs and the
    selftests; ([Kernel], the selftests' install directory)."""
    tree.apply_series()
    for config in configs:
        kbuild.configure(config)
    built = []
    for label in kernels:
        for config in configs:
            k = kbuild.Kernel.of(label, config)
            kbuild.build(k)
            built.append(k)
    inst = selftests.build()
    kbuild.checkout("series")
    return built, inst


def add_arguments(p):
    p.add_argument("--configs", default=",".join(CONFIGS),
                   help="configs to build and boot (default: %(default)s; "
                   "also distro, lockdep)")
    p.add_argument("--kernels", default=",".join(KERNELS),
                   help="kernels: base (the unpatched tree), series (its "
                   "tip) (default: %(default)s)")
    p.add_argument("--tests", default="all",
                   help="test programs as suite:program, comma separated, "
                   "or exit-path (the suites that pin the exit path, what "
                   "every bisect step runs) or all (default)")
    p.add_argument("--jobs", type=int, default=BOOT_JOBS,
                   help="guests booted at once (env BOOT_JOBS, default "
                   "%(default)s)")
    p.add_argument("--boot-timeout", type=int, default=boot.DEFAULT_TIMEOUT,
                   help="seconds a boot may take (env BOOT_TIMEOUT, default "
                   "%(default)s); a program silent for HARNESS_SILENCE "
                   f"({boot.SILENCE}) s is hung")
    p.add_argument("--fresh", action="store_true",
                   help="boot even when kernel, initramfs and qemu command "
                   "are those of the last run (default: reuse its results)")
    p.add_argument("--no-deps", action="store_true",
                   help="do not check the host packages and the base first")


def selected_tests(spec):
    every = suites.all_tests()
    if spec == "all":
        return every
    if spec == "exit-path":
        return suites.exit_path_tests()
    want = [t.strip() for t in spec.split(",") if t.strip()]
    unknown = [t for t in want if t not in every]
    if unknown:
        raise HarnessError(f"unknown tests {', '.join(unknown)}; known: "
                           f"{', '.join(every)}", stage="run")
    return want


def parse(argv):
    p = argparse.ArgumentParser(prog="python3 -m harness run",
                                description=__doc__.split("\n\n")[0])
    add_arguments(p)
    a = p.parse_args(argv)
    a.configs = [c for c in a.configs.split(",") if c]
    a.kernels = [k for k in a.kernels.split(",") if k]
    for k in a.kernels:
        if k not in KERNELS:
            raise HarnessError(f"unknown kernel {k!r} (base, series)",
                               stage="run")
    a.tests = selected_tests(a.tests)
    a.selected = (a.configs != list(CONFIGS) or a.kernels != list(KERNELS)
                  or a.tests != suites.all_tests())
    return a


def print_summary(rows, diffs, bad):
    print()
    print(results.summary_table(rows))
    print()
    if diffs:
        print("Outcomes that differ between base and series:")
        for d in diffs:
            print(f"  {d[0]} {d[1]}:{d[2]}: {d[3]} -> {d[4]}")
    else:
        print("Every test has the same outcome on base and series.")
    if bad:
        print("Failures:")
        for r in bad:
            print(f"  {r['kernel']}-{r['config']} {r['suite']}:{r['test']}: "
                  f"{r['result']} {r.get('note', '')}")


def main(argv):
    a = parse(argv)
    global BOOT_JOBS
    BOOT_JOBS = a.jobs
    boot.DEFAULT_TIMEOUT = a.boot_timeout
    if not a.no_deps:
        deps.main([])
    kernels, inst = build_all(a.configs, a.kernels)
    planned = run_order(a.tests)
    initrd = initramfs(inst, "selected" if a.selected else "tests", planned)
    out_dir = os.path.join(OUT, "selected") if a.selected else OUT
    errors = []
    rows = test_kernels(kernels, initrd, reuse=not a.fresh, planned=planned,
                        errors=errors, ktap_dir=os.path.join(out_dir, "ktap"))
    order = {k: i for i, k in enumerate(KERNELS)}
    rows.sort(key=lambda r: (order[r["kernel"]], r["config"], r["suite"],
                             r["test"]))
    results.write_junit(os.path.join(out_dir, "junit.xml"), rows)
    about = {"kernels": a.kernels, "configs": a.configs, "programs": planned}
    return report(rows, a, about, errors, out_dir)


def report(rows, a, about, errors, out_dir):
    """results.json, report.md (written before a boot error is raised),
    the summary, and with both kernels the outcome differences that no
    declared change explains.  A narrowed run writes to out/selected/."""
    json_path = os.path.join(out_dir, "results.json")
    md_path = os.path.join(out_dir, "report.md")
    results.write_results(json_path, rows, **about)
    decls = tree.declarations()
    diffs, bad = results.report(rows, md_path, decls=decls)
    both = set(a.kernels) == set(KERNELS)
    print_summary(rows, diffs if both else [], bad)
    say(f"wrote {json_path} ({len(rows)} rows), {md_path}, "
        f"{os.path.join(out_dir, 'junit.xml')} and "
        f"{os.path.join(out_dir, 'ktap')}/")
    if errors:
        raise errors[0]
    und = []
    if both:
        und = results.undeclared(diffs, decls)
        tip = len(tree.subjects())
        series = [r for r in rows if r["kernel"] == "series"]
        base = [r for r in rows if r["kernel"] == "base"]
        for config in a.configs:
            und += [(config, *u) for u in results.unexpected(
                series, base, decls, tip, config)]
        und = sorted(set(und))
    for u in und:
        say(f"unexpected outcome: {u}")
    if bad or und:
        raise HarnessError(f"{len(bad)} failing tests, {len(und)} undeclared "
                           f"outcome differences (see {md_path})",
                           stage="results", log=md_path)
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
