"""`make check`: every promise the series makes, stopping at the first
broken one.

1. the harness's own unit tests;
2. the series applies on the base with git am, and tree -> export gives
   series/ back byte for byte (with SERIES=<tree>:<base>..<branch>: the
   branch's patches apply);
3. every patch: checkpatch.pl --strict clean, Signed-off-by the
   author (its From: identity), no review trailers nobody gave;
4. `make run`: base and series, both configs, the same outcomes but for
   the changes harness/expected_changes.json declares;
5. `make bisect` (harness/bisect.py): every patch builds in both configs
   (incrementally), adds no W=1 or sparse warning to the objects it
   touches, boots and runs the exit-path suites with the base's outcomes,
   but for the declared changes of the patches up to it (the series tip
   ran everything in step 4); a selftest patch builds its selftests;
6. `make mutants`: one exit-path property broken per kernel, and the
   tests listed for it fail;
7. a short `make validate` (churn, gdb, auditd) on lockdep kernels;
8. `make conformance`: the tests on x86_64 generic entry, every
   difference from the arm64 series explained;
9. the cover letter's results matrix and bisection paragraph are the
   ones steps 4 and 5 measured.

Usage: python3 -m harness.check [--quick]  (--quick: steps 1-3 only)
"""

import os
import re
import subprocess
import sys

from . import run as runmod, tree
from .common import ROOT, TREE, HarnessError, Stage, say, series_patches

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


def main(argv):
    quick = "--quick" in argv
    from . import deps
    deps.main([])
    unit_tests()
    with Stage("check: series applies on the base"):
        if tree.user_branch():
            # No series/ to give back: the branch's patches are applied.
            tree.apply_series(force=True)
        else:
            tree.check_roundtrip()
    check_patches()
    if quick:
        return 0
    runmod.main(["--no-deps", "--fresh"])
    from . import bisect
    bisect.main([])
    if tree.user_branch():
        # Their edits and the conformance's test list are the series'.
        say("SERIES= names a branch of your own: mutants and conformance "
            "left out (they are about this series' code and tests)")
    else:
        from . import mutants
        mutants.main([])
    from . import validate
    validate.main(["--short"])
    # The x86_64 generic-entry comparison: two x86_64 kernels and a boot
    # each, about a quarter of the gate's time.
    if not tree.user_branch():
        from . import conformance
        conformance.main([])
        from . import cover
        cover.main(["--check"])
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
