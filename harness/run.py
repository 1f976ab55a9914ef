"""`make run`: base and series kernels, both configs, the kselftests on each,
and the comparison.  Writes out/results.json and out/report.md.

Usage: python3 -m harness.run [--no-deps]
"""

import concurrent.futures
import os

from . import boot, deps, kbuild, results, selftests, suites, tree
from .common import (CONFIGS, KERNELS, OUT, HarnessError, Stage, file_bytes,
                     read_json, say, sha256_of, write_json)

BOOT_JOBS = int(os.environ.get("BOOT_JOBS", "2"))


def run_order(tests):
    """Audit last: once audit has been enabled every new task carries
    TIF_SYSCALL_AUDIT, and the tests after it would no longer see the
    no-work fast path."""
    return sorted(tests, key=lambda t: t.startswith("audit:"))


def initramfs(install_dir, name="tests", tests=None):
    path = os.path.join(OUT, f"initramfs-{name}.cpio.gz")
    tests = run_order(suites.all_tests()) if tests is None else tests
    with Stage(f"initramfs {name} ({len(tests)} test programs)"):
        boot.make_initramfs(path, install_dir, tests,
                            env_lines=suites.env_lines())
    return path


def _inputs_key(image, initrd, planned):
    return sha256_of(file_bytes(image), file_bytes(initrd), *planned,
                     " ".join(boot.qemu_cmd("", "")))


def test_kernels(kernels, initrd, reuse=False, planned=None):
    """Boot each (name, config, image) with the test initramfs; return rows.
    A kernel that fails to boot or hangs is an error for that kernel; the
    others still run, then the first error is raised.  With reuse, a kernel
    whose Image, initramfs and qemu command are byte-identical to those of
    its last run is not booted again: its results are reused, and said so.
    """
    planned = run_order(suites.all_tests()) if planned is None else planned
    rows, errors = [], []

    def one(k):
        name, config, image = k
        log = os.path.join(os.path.dirname(image), "console.log")
        cache = os.path.join(os.path.dirname(image), "results.json")
        key = _inputs_key(image, initrd, planned)
        old = read_json(cache)
        if reuse and old and old.get("key") == key:
            say(f"boot {name}-{config}: Image and initramfs unchanged since "
                "the last run; its results reused (make check always boots)")
            return [dict(r, kernel=name, config=config) for r in old["rows"]]
        text = boot.boot(image, initrd, log, name, config,
                         silence=boot.SILENCE, stream=True)
        got = results.rows_from_console(text, name, config, planned)
        write_json(cache, {"key": key, "rows": got})
        return got

    with Stage(f"boot and test {len(kernels)} kernels, {BOOT_JOBS} at a "
               "time"):
        with concurrent.futures.ThreadPoolExecutor(BOOT_JOBS) as pool:
            futs = {pool.submit(one, k): k for k in kernels}
            for fut in concurrent.futures.as_completed(futs):
                try:
                    rows.extend(fut.result())
                except HarnessError as e:
                    say(e.describe())
                    errors.append(e)
    if errors:
        raise errors[0]
    return rows


def build_all():
    tree.apply_series()
    for config in CONFIGS:
        kbuild.configure(config)
    images = []
    for name, rev in (("base", "base"), ("series", "series")):
        for config in CONFIGS:
            images.append((name, config, kbuild.build(name, rev, config)))
    inst = selftests.build()
    kbuild.checkout("series")
    return images, inst


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
    if "--no-deps" not in argv:
        deps.main([])
    images, inst = build_all()
    initrd = initramfs(inst)
    rows = test_kernels(images, initrd, reuse="--fresh" not in argv)
    order = {k: i for i, k in enumerate(KERNELS)}
    rows.sort(key=lambda r: (order[r["kernel"]], r["config"], r["suite"],
                             r["test"]))
    json_path, md_path = results.default_paths()
    write_json(json_path, rows)
    decls = results.with_positions(results.expected_changes(),
                                   tree.subjects())
    diffs, bad = results.report(rows, md_path, decls=decls)
    print_summary(rows, diffs, bad)
    say(f"wrote {json_path} ({len(rows)} rows) and {md_path}")
    und = results.undeclared(diffs, decls)
    tip = len(tree.subjects())
    for config in CONFIGS:
        series = [r for r in rows if r["kernel"] == "series"]
        base = [r for r in rows if r["kernel"] == "base"]
        und += [(config, *u) for u in results.unexpected(
            series, base, decls, tip, config)]
    und = sorted(set(und))
    for u in und:
        say(f"unexpected outcome: {u}")
    if bad or und:
        raise HarnessError(f"{len(bad)} failing tests, {len(und)} undeclared "
                           "outcome differences (see out/report.md)",
                           stage="results", log=md_path)
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
