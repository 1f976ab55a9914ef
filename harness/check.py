"""`make check`: every promise the series makes, stopping at the first
broken one.

1. the harness's own unit tests;
2. the series applies on the base with git am, and tree -> export gives
   series/ back byte for byte;
3. every patch: checkpatch.pl --strict clean, Signed-off-by the
   repository's identity, no review trailers nobody gave;
4. `make run`: base and series, both configs, identical outcomes;
5. bisect: every patch builds in both configs (incrementally), adds no
   W=1 or sparse warning to the objects it touches, boots and gives the
   base's outcomes; a selftest patch builds its selftests.

Usage: python3 -m harness.check [--quick]  (--quick: steps 1-3 only)
"""

import os
import re
import subprocess
import sys

from . import kbuild, results, run as runmod, selftests, tree
from .common import (BUILD, CONFIGS, OUT, ROOT, TREE, HarnessError, Stage,
                     git, say, series_patches, write_json)

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


def identity():
    name = git("config", "user.name", cwd=ROOT)
    email = git("config", "user.email", cwd=ROOT)
    return f"{name} <{email}>"


def check_patches():
    patches = series_patches()
    if not patches:
        raise HarnessError("series/ has no patches", stage="check")
    who = identity()
    with Stage(f"check: checkpatch --strict and trailers on {len(patches)} "
               "patches"):
        for p in patches:
            name = os.path.basename(p)
            text = open(p).read()
            head, _, _ = text.partition("\n---\n")
            sobs = re.findall(r"^Signed-off-by: (.*)$", head, re.M)
            if who not in sobs:
                raise HarnessError(f"{name}: no 'Signed-off-by: {who}'",
                                   stage="checkpatch", log=p)
            for t in FORBIDDEN_TRAILERS:
                if re.search(rf"^{t}:", head, re.M):
                    raise HarnessError(f"{name}: carries a {t}: trailer "
                                       "that nobody gave", stage="checkpatch",
                                       log=p)
            proc = subprocess.run(
                [os.path.join(TREE, "scripts/checkpatch.pl"), "--strict",
                 "--quiet", "--no-summary", "--show-types",
                 f"--ignore={CHECKPATCH_IGNORE}", p], cwd=TREE,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if proc.returncode or proc.stdout.strip():
                raise HarnessError(f"checkpatch --strict: {name}:\n" +
                                   proc.stdout.strip()[:4000],
                                   stage="checkpatch", log=p)
    say(f"{len(patches)} patches checkpatch --strict clean, signed off by "
        f"{who}")


def bisect(base_rows):
    """Build, strict-check and test every patch of the series."""
    commits = tree.commits()
    base_out = {(r["config"], r["suite"], r["test"]): r["result"]
                for r in base_rows if r["kernel"] == "base"}
    inst = selftests.install_dir("series")
    initrd = os.path.join(OUT, "initramfs-tests.cpio.gz")
    summary = []
    prev = "base"
    kernel_objs = {}
    final = git("rev-parse", "series")
    for i, (sha, name) in enumerate(commits, 1):
        paths = kbuild.changed_paths(prev, sha)
        entry = {"patch": name, "kernel_changed": False, "strict": {},
                 "tests": {}}
        label = f"[{i}/{len(commits)}] {name}"
        if any(p.startswith("tools/testing/selftests/") for p in paths):
            selftests.build(rev=sha, tag="bisect", check_tests=[])
            entry["selftests_built"] = True
        if not kbuild.affects_kernel(paths):
            say(f"{label}: no kernel source change; kernel as before")
            summary.append(entry)
            prev = sha
            continue
        entry["kernel_changed"] = True
        for config in CONFIGS:
            objs = kbuild.objects_for(paths, config)
            kernel_objs.setdefault(config, set()).update(objs)
            before = kbuild.strict_warnings("base", config, objs,
                                            f"base-{i:02d}")
            after = kbuild.strict_warnings(sha, config, objs, f"p{i:02d}")
            new = sorted(after - before)
            entry["strict"][config] = {"objects": len(objs),
                                       "new_warnings": new}
            if new:
                raise HarnessError(f"{name} adds W=1/sparse warnings in "
                                   f"{config}:\n  " + "\n  ".join(new),
                                   stage="strict-build", config=config,
                                   kernel=name)
            say(f"{label} {config}: W=1 C=2 on {len(objs)} objects: no new "
                "warnings")
        images = []
        for config in CONFIGS:
            if sha == final:
                images.append((name, config, os.path.join(
                    kbuild.kernel_dir("series", config), "Image")))
            else:
                images.append((name, config, kbuild.build(
                    f"p{i:02d}", sha, config)))
        rows = runmod.test_kernels(images, initrd) if sha != final else \
            [dict(r, kernel=name) for r in base_rows
             if r["kernel"] == "series"]
        for config in CONFIGS:
            mine = {(r["suite"], r["test"]): r["result"] for r in rows
                    if r["config"] == config}
            diff = [f"{s}:{t}: base {base_out.get((config, s, t))} -> "
                    f"{res}" for (s, t), res in sorted(mine.items())
                    if base_out.get((config, s, t)) != res]
            entry["tests"][config] = {"rows": len(mine), "differences": diff}
            if diff:
                raise HarnessError(f"{name} changes test outcomes in "
                                   f"{config}:\n  " + "\n  ".join(diff),
                                   stage="bisect", config=config, kernel=name)
            say(f"{label} {config}: {len(mine)} outcomes, all as on base")
        summary.append(entry)
        prev = sha
    kbuild.checkout("series")
    write_json(os.path.join(OUT, "bisect.json"), summary)
    return summary


def main(argv):
    quick = "--quick" in argv
    from . import deps
    deps.main([])
    unit_tests()
    with Stage("check: series applies on the base"):
        tree.check_roundtrip()
    check_patches()
    if quick:
        return 0
    runmod.main(["--no-deps"])
    rows = results.read_rows()
    with Stage("check: bisect, every patch"):
        s = bisect(rows)
    say(f"bisect: {len(s)} patches, "
        f"{sum(e['kernel_changed'] for e in s)} with kernel changes, each "
        "built in both configs, strict-checked and tested")
    return 0


if __name__ == "__main__":
    from .common import die
    try:
        sys.exit(main(sys.argv[1:]))
    except HarnessError as e:
        die(e)
