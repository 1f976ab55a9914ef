"""`make check`: every promise the series makes, stopping at the first
broken one.

1. the harness's own unit tests;
2. the series applies on the base with git am, and tree -> export gives
   series/ back byte for byte;
3. every patch: checkpatch.pl --strict clean, Signed-off-by the
   author (its From: identity), no review trailers nobody gave;
4. `make run`: base and series, both configs, the same outcomes but for
   the changes harness/expected_changes.json declares;
5. bisect: every patch builds in both configs (incrementally), adds no
   W=1 or sparse warning to the objects it touches, boots and runs the
   exit-path suites with the base's outcomes, but for the declared changes
   of the patches up to it (the series tip ran everything in step 4); a
   selftest patch builds its selftests;
6. a short `make validate` (churn, gdb, auditd) on lockdep kernels;
7. `make conformance`: the tests on x86_64 generic entry, every
   difference from the arm64 series explained.

Usage: python3 -m harness.check [--quick]  (--quick: steps 1-3 only)
"""

import os
import re
import subprocess
import sys

from . import kbuild, results, run as runmod, selftests, suites, tree
from .common import (CONFIGS, OUT, ROOT, TREE, HarnessError, Stage,
                     say, series_patches, write_json)

# A new file makes checkpatch ask whether MAINTAINERS needs an update; the
# new files here fall under existing entries (arm64, selftests), so that
# one question is not a finding.
CHECKPATCH_IGNORE = "FILE_PATH_CHANGES"
FORBIDDEN_TRAILERS = ("Reviewed-by", "Acked-by", "Tested-by", "Reported-by")


def unit_tests():
    with Stage("check: harness unit tests"):
        proc = subprocess.run([sys.executable, "-m", "unittest", "discover",
                               "-s", os.path.join(ROOT, "tests"), "-t",
                               ROOT], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        print(proc.stdout.strip().splitlines()[-1] if proc.stdout else "")
        if proc.returncode:
            raise HarnessError("harness unit tests failed:\n" +
                               proc.stdout[-4000:], stage="check")


def author(head):
    """The From: identity of a format-patch mail header (folded lines
    joined)."""
    m = re.search(r"^From: (.*(?:\n[ \t].*)*)", head, re.M)
    return re.sub(r"\s*\n\s+", " ", m.group(1)).strip() if m else None


def check_patch_trailers(name, text):
    """The author signs the patch off; no review trailer nobody gave."""
    head, _, _ = text.partition("\n---\n")
    who = author(head)
    if not who:
        raise HarnessError(f"{name}: no From: header; not a format-patch "
                           "mail", stage="checkpatch")
    sobs = re.findall(r"^Signed-off-by: (.*)$", head, re.M)
    if who not in sobs:
        raise HarnessError(f"{name}: its author {who} has not signed it "
                           "off (no matching Signed-off-by:)",
                           stage="checkpatch")
    for t in FORBIDDEN_TRAILERS:
        if re.search(rf"^{t}:", head, re.M):
            raise HarnessError(f"{name}: carries a {t}: trailer "
                               "that nobody gave", stage="checkpatch")
    return who


def check_patches():
    patches = series_patches()
    if not patches:
        raise HarnessError("series/ has no patches", stage="check")
    authors = set()
    with Stage(f"check: checkpatch --strict and trailers on {len(patches)} "
               "patches"):
        for p in patches:
            name = os.path.basename(p)
            authors.add(check_patch_trailers(name, open(p).read()))
            proc = subprocess.run(
                [os.path.join(TREE, "scripts/checkpatch.pl"), "--strict",
                 "--quiet", "--no-summary", "--show-types",
                 f"--ignore={CHECKPATCH_IGNORE}", p], cwd=TREE,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                env=dict(os.environ, PATH="/usr/bin:" + os.environ["PATH"]),
                timeout=300)
            if proc.returncode or proc.stdout.strip():
                raise HarnessError(f"checkpatch --strict: {name}:\n" +
                                   proc.stdout.strip()[:4000],
                                   stage="checkpatch", log=p)
    say(f"{len(patches)} patches checkpatch --strict clean, each signed off "
        f"by its author ({', '.join(sorted(authors))})")


def bisect(base_rows):
    """Build, strict-check and test every patch of the series."""
    commits = tree.commits()
    summary = {name: {"patch": name, "kernel_changed": False,
                      "selftests_built": False, "strict": {}, "tests": {}}
               for _, name in commits}
    prev = "base"
    touched = []
    for i, (sha, name) in enumerate(commits, 1):
        paths = kbuild.changed_paths(prev, sha)
        if any(p.startswith("tools/testing/selftests/") for p in paths):
            selftests.build(rev=sha, tag="bisect")
            summary[name]["selftests_built"] = True
            say(f"[{i}/{len(commits)}] {name}: its selftests build")
        if kbuild.affects_kernel(paths):
            summary[name]["kernel_changed"] = True
            touched.append((sha, name, paths))
        prev = sha

    # W=1 and sparse: the warnings of every object a patch touches, against
    # the same objects built from the base (computed once per config).
    for config in CONFIGS:
        objs = {name: kbuild.objects_for(paths, config)
                for sha, name, paths in touched}
        union = sorted({o for v in objs.values() for o in v})
        before = kbuild.strict_warnings("base", config, union, "base")
        for sha, name, paths in touched:
            after = kbuild.strict_warnings(sha, config, objs[name],
                                           name[:4])
            new = sorted(after - before)
            summary[name]["strict"][config] = {
                "objects": len(objs[name]), "new_warnings": new}
            if new:
                raise HarnessError(f"{name} adds W=1/sparse warnings in "
                                   f"{config}:\n  " + "\n  ".join(new),
                                   stage="strict-build", config=config,
                                   kernel=name)
            say(f"{name} {config}: W=1 C=2 on {len(objs[name])} objects: "
                "no new warnings")

    # Every patch's kernel, both configs, boots and runs the exit-path
    # suites; the series tip's kernel ran everything in `run`.
    images = kbuild.patch_kernels()
    tip = [(n, c, i) for _, n, c, i in images
           if i.startswith(kbuild.kernel_dir("series", c))]
    fresh = [(name, config, image) for sha, name, config, image in images
             if not image.startswith(kbuild.kernel_dir("series", config))]
    planned = runmod.run_order(suites.exit_path_tests())
    rows = runmod.test_kernels(fresh, runmod.initramfs(
        selftests.install_dir(), "exit-path", planned),
        planned=planned) if fresh else []
    for name, config, image in tip:
        rows += [dict(r, kernel=name) for r in base_rows
                 if r["kernel"] == "series" and r["config"] == config]
    subjects = tree.subjects()
    decls = results.with_positions(results.expected_changes(), subjects)
    position = {name: i for i, (_, name) in enumerate(commits, 1)}
    for sha, name, config, image in images:
        mine = [r for r in rows if r["kernel"] == name and
                r["config"] == config]
        progs = {(r["suite"], r["test"].split("/")[0]) for r in mine}
        base = [r for r in base_rows if r["kernel"] == "base" and
                (r["suite"], r["test"].split("/")[0]) in progs]
        diff = [f"{s}:{t}: expected {want}, got {got}" for s, t, want, got
                in results.unexpected(mine, base, decls, position[name],
                                      config)]
        declared = [f"{d['suite']}:{d['test']}: "
                    f"{results.declared_result(decls, position[name], config, d['suite'], d['test'])[0]}"
                    for d in decls if d["config"] == config and
                    position[name] >= d["position"]]
        summary[name]["tests"][config] = {"outcomes": len(mine),
                                          "differences": diff,
                                          "declared_in_effect": declared}
        if diff:
            raise HarnessError(f"{name} gives unexpected test outcomes in "
                               f"{config}:\n  " + "\n  ".join(diff),
                               stage="bisect", config=config, kernel=name)
        say(f"{name} {config}: {len(mine)} outcomes, as on base"
            + (f" but for {len(declared)} declared changes" if declared
               else ""))
    kbuild.checkout("series")
    out = [summary[name] for _, name in commits]
    write_json(os.path.join(OUT, "bisect.json"), out)
    return out


def main(argv):
    if "--bisect-only" in argv:
        # The bisect stage alone, against the last full run's results.
        rows = results.read_rows()
        if not rows:
            raise HarnessError("no out/results.json: run `make run` first",
                               stage="bisect")
        tree.apply_series()
        with Stage("check: bisect, every patch"):
            bisect(rows)
        return 0
    quick = "--quick" in argv
    from . import deps
    deps.main([])
    unit_tests()
    with Stage("check: series applies on the base"):
        tree.check_roundtrip()
    check_patches()
    if quick:
        return 0
    runmod.main(["--no-deps", "--fresh"])
    rows = results.read_rows()
    with Stage("check: bisect, every patch"):
        s = bisect(rows)
    say(f"bisect: {len(s)} patches, "
        f"{sum(e['kernel_changed'] for e in s)} with kernel changes, each "
        "built in both configs, strict-checked and tested")
    from . import validate
    validate.main(["--short"])
    # The x86_64 generic-entry comparison: two x86_64 kernels and a boot
    # each, about a quarter of the gate's time.
    from . import conformance
    conformance.main([])
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
