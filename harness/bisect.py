"""`make bisect`: every patch of the series on its own.

1. a patch that touches tools/testing/selftests/ builds its selftests;
2. a patch that changes the kernel adds no W=1 or sparse (C=2) warning to
   the objects it touches, against the same objects built from the base;
3. its kernel, in both configs, builds (incrementally) and boots the
   exit-path suites with the base's outcomes, but for the declared changes
   of the patches up to it.  The series tip ran everything in `make run`:
   its rows come from out/results.json.

Writes out/bisect.json, one entry per patch.  `make check` runs it after
`make run`; alone it needs a full run's out/results.json.

Usage: python3 -m harness bisect
"""

import os

from . import kbuild, results, run as runmod, selftests, suites, tree
from .common import (CONFIGS, OUT, HarnessError, Stage, git, read_json, say,
                     write_json)


def selftest_steps(commits, summary):
    """Build the selftests at each patch that touches them; the patches
    that change the kernel as (sha, name, paths)."""
    touched = []
    prev = "base"
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
    return touched


def strict_check(touched, summary):
    """W=1 and sparse on every object a kernel patch touches, against the
    same objects built from the base (computed once per config)."""
    for config in CONFIGS:
        objs = {name: kbuild.objects_for(paths, config)
                for sha, name, paths in touched}
        union = sorted({o for v in objs.values() for o in v})
        before = kbuild.strict_warnings("base", config, union, "base")
        for sha, name, paths in touched:
            label = kbuild.Kernel.at_patch(name, sha, config).label
            new = sorted(kbuild.strict_warnings(sha, config, objs[name],
                                                label) - before)
            summary[name]["strict"][config] = {
                "objects": len(objs[name]), "new_warnings": new}
            if new:
                raise HarnessError(f"{name} adds W=1/sparse warnings in "
                                   f"{config}:\n  " + "\n  ".join(new),
                                   stage="strict-build", config=config,
                                   kernel=name)
            say(f"{name} {config}: W=1 C=2 on {len(objs[name])} objects: "
                "no new warnings")


def boot_steps(kernels, base_rows):
    """Rows of every patch kernel: booted with the exit-path suites, or
    for the one the series tip stands for, the full run's series rows."""
    planned = runmod.run_order(suites.exit_path_tests())
    fresh = [k for k in kernels if k.label != "series"]
    rows = runmod.test_kernels(fresh, runmod.initramfs(
        selftests.install_dir(), "exit-path", planned),
        planned=planned) if fresh else []
    return rows + [r for r in base_rows if r["kernel"] == "series" and
                   any(k.label == "series" and k.config == r["config"]
                       for k in kernels)]


def compare(k, rows, base_rows, decls, position):
    """(outcome count, unexpected differences, declared changes in effect)
    of patch kernel k against the base's rows of the programs it ran."""
    mine = [r for r in rows if r["kernel"] == k.label and
            r["config"] == k.config]
    progs = {(r["suite"], r["test"].split("/")[0]) for r in mine}
    base = [r for r in base_rows if r["kernel"] == "base" and
            (r["suite"], r["test"].split("/")[0]) in progs]
    diff = [f"{s}:{t}: expected {want}, got {got}" for s, t, want, got
            in results.unexpected(mine, base, decls, position, k.config)]
    declared = []
    for d in decls:
        if d["config"] == k.config and position >= d["position"]:
            want = results.declared_result(decls, position, k.config,
                                           d["suite"], d["test"])[0]
            declared.append(f"{d['suite']}:{d['test']}: {want}")
    return len(mine), diff, declared


def bisect(base_rows):
    """Build, strict-check and test every patch of the series; the
    summary, also written to out/bisect.json."""
    commits = tree.commits()
    summary = {name: {"patch": name, "kernel_changed": False,
                      "selftests_built": False, "strict": {}, "tests": {}}
               for _, name in commits}
    touched = selftest_steps(commits, summary)
    strict_check(touched, summary)
    kernels = kbuild.patch_kernels()
    rows = boot_steps(kernels, base_rows)
    decls = tree.declarations()
    position = {name: i for i, (_, name) in enumerate(commits, 1)}
    for k in kernels:
        n, diff, declared = compare(k, rows, base_rows, decls,
                                    position[k.patch])
        summary[k.patch]["tests"][k.config] = {
            "kernel": k.label, "outcomes": n, "differences": diff,
            "declared_in_effect": declared}
        if diff:
            raise HarnessError(f"{k.patch} gives unexpected test outcomes "
                               f"in {k.config}:\n  " + "\n  ".join(diff),
                               stage="bisect", config=k.config,
                               kernel=k.label)
        say(f"{k.patch} {k.config}: {n} outcomes, as on base" +
            (f" but for {len(declared)} declared changes" if declared
             else ""))
    kbuild.checkout("series")
    out = [summary[name] for _, name in commits]
    write_json(os.path.join(OUT, "bisect.json"), out)
    return out


def main(argv):
    rows = results.read_rows()
    if not rows:
        raise HarnessError("no out/results.json: run `make run` first",
                           stage="bisect")
    tree.apply_series()
    ran = (read_json(os.path.join(OUT, "results.json"), {}) or {})
    tip = git("rev-parse", "series")
    if isinstance(ran, dict) and ran.get("series") != tip:
        raise HarnessError(
            f"out/results.json is of series {str(ran.get('series'))[:12]}, "
            f"branch series is at {tip[:12]}: run `make run` first (the "
            "tip's rows stand for its kernel here)", stage="bisect")
    with Stage("bisect: every patch"):
        s = bisect(rows)
    say(f"bisect: {len(s)} patches, "
        f"{sum(e['kernel_changed'] for e in s)} with kernel changes, each "
        "built in both configs, strict-checked and tested")
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
