"""The range-diff of this series against its v1, for the cover letter.

v1 was based on Debian's 6.12.117 and v2 is on 7.3.4, so the two cannot
share one tree.  A scratch repository (build/rangediff) gets, for each
version, a base commit holding only the files the two series touch, taken
from that version's base, and the version's patches applied on it with
git am; `git range-diff` then compares the two ranges.  v1's patches are
read from this repository's history (V1_COMMIT), so nothing outside it is
needed but Debian's 6.12 source package (deps.base_tarball("6.12")).

Usage: python3 -m harness.rangediff   (writes out/range-diff.txt)
"""

import os
import re
import shutil
import subprocess

from . import deps
from .common import (BUILD, OUT, ROOT, TREE, HarnessError, Stage, git, run,
                     say, series_patches)

# The last commit of this repository whose series/ is v1.
V1_COMMIT = "e6ed890f6b7e41298ec0f2eb6d621dab15cdb678"
SCRATCH = os.path.join(BUILD, "rangediff")
ENV = {"GIT_AUTHOR_NAME": "base", "GIT_AUTHOR_EMAIL": "base@localhost",
       "GIT_COMMITTER_NAME": "base", "GIT_COMMITTER_EMAIL": "base@localhost",
       "GIT_AUTHOR_DATE": "1700000000 +0000",
       "GIT_COMMITTER_DATE": "1700000000 +0000"}
LOG = os.path.join(BUILD, "logs", "rangediff.log")


def v1_patches():
    names = git("ls-tree", "--name-only", f"{V1_COMMIT}:series",
                cwd=ROOT).split()
    return [(n, git("show", f"{V1_COMMIT}:series/{n}", cwd=ROOT) + "\n")
            for n in sorted(names) if n.endswith(".patch") and
            not n.startswith("0000-")]


def touched(texts):
    paths = set()
    for text in texts:
        paths.update(re.findall(r"^--- a/(\S+)$", text, re.M))
    return sorted(paths)


def _g(*args, **kw):
    return run(["git", *args], cwd=SCRATCH, env=ENV, log=LOG,
               stage="rangediff", timeout=300, **kw)


def _base_commit(label, files):
    """An orphan branch label whose one commit, tagged label-base, holds
    files {path: bytes}."""
    _g("checkout", "-q", "--orphan", label)
    _g("rm", "-rq", "--cached", "--ignore-unmatch", ".")
    for f in os.listdir(SCRATCH):
        if f != ".git":
            p = os.path.join(SCRATCH, f)
            shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)
    for path, data in files.items():
        dest = os.path.join(SCRATCH, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as fh:
            fh.write(data)
    _g("add", "-f", "-A", ".")
    _g("commit", "-q", "--allow-empty", "-m", f"{label} base")
    _g("tag", "-f", f"{label}-base")


def _apply(patches, label):
    for name, text in patches:
        proc = subprocess.run(["git", "am", "-q", "--keep-cr"], cwd=SCRATCH,
                              input=text, text=True, env=dict(os.environ,
                                                              **ENV),
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=300)
        if proc.returncode:
            subprocess.run(["git", "am", "--abort"], cwd=SCRATCH)
            raise HarnessError(f"{label} {name} does not apply on its base's "
                               f"files:\n{proc.stdout.strip()}",
                               stage="rangediff", log=LOG)


def from_tarball(tarball, paths):
    """{path: bytes} for the paths that exist in the tarball's tree."""
    tmp = os.path.join(BUILD, "rangediff-612")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    proc = subprocess.run(["tar", "-xf", tarball, "-C", tmp,
                           "--strip-components=1", "--wildcards",
                           *[f"*/{p}" for p in paths]],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=600)
    got = {}
    for p in paths:
        f = os.path.join(tmp, p)
        if os.path.exists(f):
            got[p] = open(f, "rb").read()
    if proc.returncode and not got:
        raise HarnessError(f"nothing of the series' files in {tarball}: "
                           f"{proc.stderr.strip()[:500]}", stage="rangediff")
    shutil.rmtree(tmp)
    return got


def from_tree(paths):
    got = {}
    for p in paths:
        out = subprocess.run(["git", "show", f"base:{p}"], cwd=TREE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if out.returncode == 0:
            got[p] = out.stdout
    return got


def range_diff():
    v1 = v1_patches()
    v2 = [(os.path.basename(p), open(p).read()) for p in series_patches()]
    paths = touched([t for _, t in v1 + v2])
    with Stage(f"range-diff: v1 ({len(v1)} patches on 6.12) against v2 "
               f"({len(v2)} patches on 7.3) over {len(paths)} files"):
        shutil.rmtree(SCRATCH, ignore_errors=True)
        os.makedirs(SCRATCH)
        _g("init", "-q", "-b", "scratch", ".")
        _base_commit("v1", from_tarball(deps.base_tarball("6.12"), paths))
        _apply(v1, "v1")
        _base_commit("v2", from_tree(paths))
        _apply(v2, "v2")
        proc = subprocess.run(["git", "range-diff", "--no-color",
                               "--creation-factor=80", "v1-base..v1",
                               "v2-base..v2"], cwd=SCRATCH,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=300)
        if proc.returncode:
            raise HarnessError("git range-diff failed: " + proc.stderr,
                               stage="rangediff", log=LOG)
    out = os.path.join(OUT, "range-diff.txt")
    os.makedirs(OUT, exist_ok=True)
    with open(out, "w") as fh:
        fh.write(proc.stdout)
    say(f"wrote {out} ({len(proc.stdout.splitlines())} lines)")
    return proc.stdout


def main(argv):
    from . import tree
    tree.apply_series()
    range_diff()
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
