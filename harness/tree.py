"""Stage: the kernel tree.

build/linux is a git repository: the base as one commit tagged `base` and the
series applied on top with `git am` on branch `series`.  The base is Debian's
linux-source-7.3 tarball by default (deps.base_tarball(): pinned, verified,
fetched through the harness's own apt state), or BASE=<path> to a kernel git
tree, a source directory or a tarball.  `export` writes series/ back from the tree;
both directions are deterministic, so tree -> export is byte-identical.

Usage: python3 -m harness.tree [apply|export|check-roundtrip]
"""

import glob
import os
import re
import shutil
import subprocess
import tempfile

from .common import (BUILD, SERIES, TREE, Cache, HarnessError, Stage, git,
                     hold_build, read_text, run, say, series_patches,
                     file_bytes)

# A fixed identity and date make the synthetic base commit, and so every
# commit applied on it, the same on every machine.
BASE_ENV = {
    "GIT_AUTHOR_NAME": "base", "GIT_AUTHOR_EMAIL": "base@localhost",
    "GIT_COMMITTER_NAME": "base", "GIT_COMMITTER_EMAIL": "base@localhost",
    "GIT_AUTHOR_DATE": "1700000000 +0000",
    "GIT_COMMITTER_DATE": "1700000000 +0000",
}
FORMAT_ARGS = ["-c", "core.abbrev=12", "format-patch", "--zero-commit",
               "--no-signature", "--base=base", "--cover-letter",
               "--cover-from-description=subject", "--no-numbered-files",
               "--notes"]
LOG = os.path.join(BUILD, "logs", "tree.log")


def user_branch():
    """SERIES=<git tree>:<base>..<branch>, a branch of the user's own
    tree to test instead of series/: (tree, base sha, branch sha), or
    None."""
    spec = os.environ.get("SERIES", "").strip()
    if not spec:
        return None
    m = re.fullmatch(r"(.+):([^:]+?)\.\.([^:.][^:]*)", spec)
    if not m:
        raise HarnessError(f"SERIES={spec}: expected <git tree>:<base>.."
                           "<branch>, e.g. SERIES=~/linux:v7.3..my-work",
                           stage="tree")
    path = os.path.abspath(os.path.expanduser(m.group(1)))
    if not os.path.isdir(path) or \
            not git("rev-parse", "--git-dir", cwd=path, check=None):
        raise HarnessError(f"SERIES={spec}: {path} is not a git tree",
                           stage="tree")
    if os.environ.get("BASE", "").strip():
        raise HarnessError(f"SERIES={spec} names its base; BASE= as well "
                           "is ambiguous", stage="tree")
    if os.environ.get("HARNESS_SERIES"):
        raise HarnessError(f"SERIES={spec} writes its patches to "
                           "build/branch-series/; HARNESS_SERIES= as well "
                           "is ambiguous", stage="tree")
    shas = []
    for rev in m.group(2, 3):
        sha = git("rev-parse", "-q", "--verify", rev + "^{commit}",
                  cwd=path, check=False)
        if not sha:
            raise HarnessError(f"SERIES={spec}: no commit {rev!r} in "
                               f"{path}", stage="tree")
        shas.append(sha)
    if not git("rev-list", f"{shas[0]}..{shas[1]}", cwd=path):
        raise HarnessError(f"SERIES={spec}: no commits in the range",
                           stage="tree")
    return path, shas[0], shas[1]


def _write_branch_series(branch):
    """series patches of SERIES= (format-patch of the range, into
    build/branch-series/), written again only when the range moved."""
    path, base, tip = branch
    cache = Cache(SERIES + ".stamp", path, base, tip,
                  note=f"{path} {base}..{tip}")
    if cache.hit(SERIES):
        return
    with Stage(f"tree: the patches of {path} {base[:12]}..{tip[:12]}"), \
            cache.making():
        shutil.rmtree(SERIES, ignore_errors=True)
        run(["git", "-c", "core.abbrev=12", "format-patch", "-q",
             "--zero-commit", "--no-signature", "--suffix=.patch",
             "--no-cover-letter", "-o", SERIES, f"{base}..{tip}"],
            cwd=path, log=LOG, stage="tree",
            what="git format-patch of SERIES=")
        if not series_patches():
            raise HarnessError(f"git format-patch of {base[:12]}..{tip[:12]}"
                               f" wrote no patches to {SERIES}",
                               stage="tree", log=LOG)


def base_source():
    """(kind, path, identity) of the base the user asked for."""
    branch = user_branch()
    if branch:
        return ("git", branch[0], f"git:{branch[0]}:{branch[1]}")
    base = os.environ.get("BASE", "").strip()
    if not base:
        from . import deps
        tarball = deps.base_tarball()
        return ("tarball", tarball,
                f"debian:{deps.BASE_PACKAGE}={deps.BASE_VERSION}:"
                f"{deps.BASE_DEB_SHA256}")
    base = os.path.abspath(os.path.expanduser(base))
    if not os.path.exists(base):
        raise HarnessError(f"BASE={base} does not exist", stage="tree")
    if os.path.isdir(base):
        if not os.path.exists(os.path.join(base, "Makefile")) or \
           not os.path.isdir(os.path.join(base, "arch", "arm64")):
            raise HarnessError(f"BASE={base} is not a kernel source tree "
                               "(no Makefile or arch/arm64)", stage="tree")
        if os.path.isdir(os.path.join(base, ".git")) or \
           os.path.isfile(os.path.join(base, ".git")):
            head = git("rev-parse", "HEAD", cwd=base)
            dirty = git("status", "--porcelain", "--untracked-files=no",
                        cwd=base)
            if dirty:
                say(f"note: BASE={base} has uncommitted changes; using its "
                    f"HEAD {head[:12]} only")
            return ("git", base, f"git:{base}:{head}")
        return ("dir", base, f"dir:{base}:{int(os.stat(base).st_mtime)}")
    if re.search(r"\.tar(\.(xz|gz|bz2|zst))?$|\.tgz$", base):
        st = os.stat(base)
        return ("tarball", base, f"tarball:{base}:{st.st_size}:"
                                 f"{int(st.st_mtime)}")
    raise HarnessError(f"BASE={base}: not a directory or a tarball",
                       stage="tree")


def _stamp(name):
    return os.path.join(TREE, ".git", "harness-" + name)


def _commit_all(cwd, message):
    run(["git", "init", "-q", "-b", "series", "."], cwd=cwd, log=LOG,
        stage="tree")
    run(["git", "config", "core.abbrev", "12"], cwd=cwd, stage="tree")
    # Debian's top-level .gitignore ignores everything: add with -f.
    run(["git", "add", "-f", "-A", "."], cwd=cwd, log=LOG, stage="tree",
        what="git add of the base")
    run(["git", "commit", "-q", "--no-verify", "-m", message], cwd=cwd,
        env=BASE_ENV, log=LOG, stage="tree", what="git commit of the base")


def _base_cache():
    kind, path, ident = base_source()
    cache = Cache(_stamp("base"), ident, note=ident)
    if read_text(cache.stamp) == ident:
        # The stamp as harness v1 wrote it: the identity itself.
        cache.record()
    return kind, path, cache


def make_base():
    hold_build("tree")
    kind, path, cache = _base_cache()
    if cache.hit() and git("rev-parse", "-q", "--verify", "base",
                           check=False):
        return cache.note
    unexported = user_commits() if os.path.isdir(TREE) else None
    if unexported:
        raise HarnessError(
            f"the base changed (now {cache.note}), which makes {TREE} "
            f"anew, but its branch series has {unexported} not in "
            "series/: nothing was touched. `make export` keeps them, or "
            "move the tree aside.", stage="tree")
    with Stage(f"tree: base from {kind} {path}"):
        keep = user_state() if os.path.exists(TREE) else []
        if keep:
            aside = _aside_name()
            os.rename(TREE, aside)
            say(f"tree: {TREE} had " + ", ".join(keep) + f"; moved to "
                f"{aside}, nothing deleted")
        elif os.path.exists(TREE):
            shutil.rmtree(TREE)
        os.makedirs(os.path.dirname(TREE), exist_ok=True)
        if kind == "git":
            head = cache.note.rsplit(":", 1)[1]
            run(["git", "clone", "-q", "--shared", "--no-checkout", path,
                 TREE], log=LOG, stage="tree", what="git clone of BASE")
            run(["git", "checkout", "-q", "-b", "series", head], cwd=TREE,
                log=LOG, stage="tree")
            run(["git", "config", "core.abbrev", "12"], cwd=TREE,
                stage="tree")
            run(["git", "tag", "-f", "base", head], cwd=TREE, log=LOG,
                stage="tree")
        else:
            tmp = tempfile.mkdtemp(dir=os.path.dirname(TREE))
            if kind == "tarball":
                run(["tar", "-xf", path, "-C", tmp], log=LOG, stage="tree",
                    what=f"unpacking {path}")
                entries = os.listdir(tmp)
                if len(entries) != 1:
                    raise HarnessError(f"{path}: expected one top-level "
                                       "directory", stage="tree")
                os.rename(os.path.join(tmp, entries[0]), TREE)
                os.rmdir(tmp)
            else:
                run(["rsync", "-a", "--exclude=.git", path + "/", tmp + "/"],
                    log=LOG, stage="tree", what="copying BASE")
                os.rename(tmp, TREE)
            makefile = read_text(os.path.join(TREE, "Makefile")) or ""
            ver = ".".join(re.findall(r"^(?:VERSION|PATCHLEVEL|SUBLEVEL) = "
                                      r"(\d+)", makefile, re.M))
            _commit_all(TREE, f"Linux {ver} base ({os.path.basename(path)})")
            run(["git", "tag", "-f", "base"], cwd=TREE, log=LOG,
                stage="tree")
        # A patch's per-version notes (below its "---") are the git note
        # of its commit; rebase and commit --amend keep them with this.
        run(["git", "config", "notes.rewriteRef", "refs/notes/commits"],
            cwd=TREE, stage="tree")
        cache.record()
    return cache.note


def user_state():
    """What in build/linux is the user's rather than the harness's:
    uncommitted changes, stashes, branches other than series."""
    found = []
    if git("status", "--porcelain", "--untracked-files=no", check=False):
        found.append("uncommitted changes")
    if git("rev-parse", "-q", "--verify", "refs/stash", check=False):
        found.append("stashed changes")
    # A branch with nothing beyond the base (a clone's default branch)
    # holds no work.
    others = [b for b in git("for-each-ref", "--format=%(refname:short)",
                             "refs/heads/", check=False).split()
              if b != "series" and not git("merge-base", "--is-ancestor",
                                           b, "base", check=None)]
    if others:
        found.append("branches " + ", ".join(others))
    return found


def _aside_name():
    n = 1
    while os.path.exists(f"{TREE}.old-{n}"):
        n += 1
    return f"{TREE}.old-{n}"


def cover_description(cover_path):
    """Subject and body of a format-patch cover letter, for the branch
    description that format-patch --cover-from-description=subject reads."""
    text = file_bytes(cover_path).decode()
    head, _, body = text.partition("\n\n")
    m = re.search(r"^Subject: (?:\[[^]]*\] )?(.*(?:\n .*)*)", head, re.M)
    if not m:
        raise HarnessError(f"{cover_path}: no Subject", stage="tree")
    subject = re.sub(r"\n ", " ", m.group(1))
    # The body ends where format-patch's shortlog ("Name (N):") begins.
    m = re.search(r"\n\n[^\n]+ \(\d+\):\n", body)
    if not m:
        raise HarnessError(f"{cover_path}: no shortlog found; not a "
                           "format-patch cover letter", stage="tree")
    return subject + "\n\n" + body[:m.start()] + "\n"


def _series_cache():
    """Branch series is series/ applied when its stamp names series/'s
    files as they are now."""
    files = sorted(glob.glob(os.path.join(SERIES, "*.patch")))
    return Cache(_stamp("series"), *[(os.path.basename(p), file_bytes(p))
                                     for p in files],
                 note=f"{len(files)} files of {SERIES}")


def apply_series(force=False, port=None):
    """Apply series/ on the base with git am.  port(patch) may resolve a
    patch that does not apply (the selftests' backport to an older base):
    it applies what it can and returns notes for what it changed, or
    raises; without it a patch that does not apply is an error."""
    make_base()
    branch = user_branch()
    if branch:
        _write_branch_series(branch)
    patches = series_patches()
    cache = _series_cache()
    unexported = user_commits()
    _reattach()
    if not force and cache.hit():
        if unexported:
            say(f"tree: branch series has {unexported} not in series/: "
                "testing the branch as it is (make export writes them)")
        return patches
    _refuse_to_lose_work(unexported)
    old_tip = git("rev-parse", "-q", "--verify", "refs/heads/series",
                  check=False)
    with Stage(f"tree: applying {len(patches)} patches with git am"):
        git("am", "--abort", check=False)
        run(["git", "checkout", "-q", "-B", "series", "base"],
            cwd=TREE, log=LOG, stage="tree")
        try:
            for p in patches:
                _am(p, port)
        except HarnessError:
            # Branch series as it was: a half-applied series is neither
            # series/ nor the user's branch.
            if old_tip:
                git("checkout", "-q", "-B", "series", old_tip)
            raise
        cover = os.path.join(SERIES, "0000-cover-letter.patch")
        if os.path.exists(cover):
            git("config", "branch.series.description",
                cover_description(cover))
        cache.record()
        _record_tip()
    return patches


def _refuse_to_lose_work(unexported):
    """Before branch series is made anew from series/: refuse, touching
    nothing, while it has commits or changes series/ does not have."""
    if unexported:
        raise HarnessError(
            f"branch series of {TREE} has {unexported} that series/ does "
            "not have, and series/ changed since the branch was made from "
            "it: nothing was touched. Keep the commits with `make export` "
            "(series/ is then rewritten from the branch) or move them "
            "aside (git -C build/linux branch my-work series), then run "
            "again.", stage="tree")
    dirty = git("status", "--porcelain", "--untracked-files=no",
                check=False)
    if dirty and git("symbolic-ref", "-q", "HEAD", check=False) == \
            "refs/heads/series":
        raise HarnessError(f"{TREE} has uncommitted changes on branch "
                           "series (git -C build/linux status): commit or "
                           "stash them; nothing was touched", stage="tree")


def patch_notes(text):
    """A patch's per-version notes: the "Notes:" block, indented by four
    spaces, that format-patch --notes writes after the "---" line and an
    empty one, or None."""
    lines = text.split("\n")
    try:
        start = lines.index("---") + 2
    except ValueError:
        return None
    if lines[start - 1:start + 1] != ["", "Notes:"]:
        return None
    body = []
    for ln in lines[start + 1:]:
        if not ln.startswith("    "):
            break
        body.append(ln[4:])
    return "\n".join(body) + "\n" if body else None


def _am(patch, port):
    """git am one patch; with port, a patch that does not apply is
    ported and the am continued."""
    # A fixed committer: anyone can apply the series, with or without a
    # git identity of their own.
    am_env = dict(os.environ, GIT_COMMITTER_NAME="harness",
                  GIT_COMMITTER_EMAIL="harness@localhost")

    def am(*args):
        return subprocess.run(["git", "am", "-q", *args], cwd=TREE,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              timeout=300, env=am_env)

    proc = am("--committer-date-is-author-date", patch)
    if proc.returncode and port:
        try:
            notes = port(patch)
        except HarnessError:
            # The tree as before this patch, nothing of it half-ported
            # (the tree was clean when the apply began: _refuse_to_lose_work;
            # a .rej the error names is left to read).
            git("am", "--abort", check=False)
            git("reset", "-q", "--hard")
            raise
        for note in notes:
            say(f"tree: ported {os.path.basename(patch)}: {note}")
        proc = am("--continue")
    if proc.returncode:
        git("am", "--abort", check=False)
        with open(LOG, "a") as fh:
            fh.write(proc.stdout)
        raise HarnessError(
            f"{os.path.basename(patch)} does not apply on the base "
            f"({_base_cache()[2].recorded_note()}):\n"
            f"{proc.stdout.strip()}", stage="tree", log=LOG)
    # git am leaves what follows "---" out of the commit: the notes go
    # back on it as its git note, for format-patch --notes.
    notes = patch_notes(file_bytes(patch).decode(errors="replace"))
    if notes:
        proc = subprocess.run(
            ["git", "notes", "add", "-f", "-F", "-", "HEAD"], cwd=TREE,
            input=notes, text=True, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(am_env, GIT_AUTHOR_NAME="harness",
                     GIT_AUTHOR_EMAIL="harness@localhost"))
        if proc.returncode:
            raise HarnessError(f"{os.path.basename(patch)}: git notes add "
                               f"failed: {proc.stdout.strip()}",
                               stage="tree")


def _reattach():
    """Put HEAD back on branch series when an older harness left it
    detached at the branch's commit (it checked revisions out here)."""
    if git("symbolic-ref", "-q", "HEAD", check=None):
        return
    head = git("rev-parse", "-q", "--verify", "HEAD", check=False)
    if head and head == git("rev-parse", "-q", "--verify",
                            "refs/heads/series", check=False):
        git("checkout", "-q", "series")


def _record_tip():
    """The commit branch series is at when it matches series/."""
    with open(_stamp("series-tip"), "w") as fh:
        fh.write(git("rev-parse", "series") + "\n")


def user_commits():
    """'N commits' on branch series since it last matched series/ (apply
    or export), 'a rewritten history' when that commit is no longer on
    it, or None."""
    tip = git("rev-parse", "-q", "--verify", "refs/heads/series",
              check=False)
    recorded = (read_text(_stamp("series-tip")) or "").strip()
    if not tip or not recorded or tip == recorded:
        return None
    if not git("merge-base", "--is-ancestor", recorded, tip, check=None):
        return "a rewritten history"
    n = len(git("rev-list", f"{recorded}..{tip}").split())
    return f"{n} commit{'s' if n != 1 else ''}"


def commits():
    """The series' commits, oldest first, as (sha, patch file name)."""
    shas = git("rev-list", "--reverse", "base..series").split()
    names = [os.path.basename(p) for p in series_patches()]
    if len(shas) != len(names):
        raise HarnessError(f"tree has {len(shas)} commits on base but "
                           f"series/ has {len(names)} patches", stage="tree")
    return list(zip(shas, names))


def subjects():
    """The series' commit subjects, oldest first."""
    return git("log", "--reverse", "--format=%s", "base..series").splitlines()


def declarations():
    """harness/expected_changes.json with each declaring patch's
    position in the series; for a user's branch (SERIES=) the
    declarations of patches it does not have are left out."""
    from . import results
    return results.with_positions(results.expected_changes(), subjects(),
                                  strict=user_branch() is None)


def maintainers(patches):
    """(To, Cc) for these patches from the tree's get_maintainer.pl:
    maintainers and lists To, everyone else it names Cc."""
    # The series tip's MAINTAINERS, whatever revision is checked out (the
    # series adds an entry).
    mfile = os.path.join(BUILD, "MAINTAINERS.series")
    with open(mfile, "w") as fh:
        fh.write(git("show", "series:MAINTAINERS") + "\n")
    proc = subprocess.run(
        [os.path.join(TREE, "scripts/get_maintainer.pl"), "--no-git",
         "--no-git-fallback", "--no-rolestats", "--roles", "--no-tree",
         "--mpath", mfile, *patches], cwd=TREE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, timeout=300)
    if proc.returncode:
        raise HarnessError("get_maintainer.pl failed: " + proc.stderr,
                           stage="export")
    to, cc = [], []
    for line in proc.stdout.splitlines():
        addr, _, role = line.partition(" (")
        addr = addr.strip()
        if "@" not in addr:
            continue
        if re.search(r"maintainer|list", role) and "reviewer" not in role:
            to.append(addr)
        else:
            cc.append(addr)
    return to, [c for c in cc if c not in to]


# Cc'd on every mail besides get_maintainer.pl's list: the owners of the
# code the series' proofs rest on (generic entry, which it mirrors; audit,
# whose invariant the no-functional-change arguments use; rseq, whose check
# it moves) and the arm64 entry code's reviewer.
EXTRA_CC = [
    "Thomas Gleixner <tglx@kernel.org>",
    "Andy Lutomirski <luto@kernel.org>",
    "Mark Rutland <mark.rutland@arm.com>",
    "Paul Moore <paul@paul-moore.com>",
    "Eric Paris <eparis@redhat.com>",
    "audit@vger.kernel.org",
    "Mathieu Desnoyers <mathieu.desnoyers@efficios.com>",
]


def format_series(outdir, extra=()):
    """format-patch base..series into outdir, To/Cc from get_maintainer.pl
    (a first pass gives it the patches to read).  The cover letter is
    from the series' author, whoever runs the export."""
    os.makedirs(outdir, exist_ok=True)
    who = git("log", "-1", "--format=%an%n%ae", "series").split("\n")
    env = {"GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1],
           "GIT_COMMITTER_NAME": who[0], "GIT_COMMITTER_EMAIL": who[1]}
    first = tempfile.mkdtemp(dir=os.path.dirname(outdir))
    try:
        run(["git", *FORMAT_ARGS, "-o", first, "base..series"], cwd=TREE,
            log=LOG, stage="export", what="git format-patch", env=env)
        to, cc = maintainers(sorted(
            f for f in glob.glob(os.path.join(first, "*.patch"))
            if "0000-cover-letter" not in f))
    finally:
        shutil.rmtree(first)
    if not to:
        raise HarnessError("get_maintainer.pl named no maintainer",
                           stage="export", log=LOG)
    cc += [a for a in EXTRA_CC if a not in to and a not in cc]
    run(["git", *FORMAT_ARGS, *extra, *[f"--to={a}" for a in to],
         *[f"--cc={a}" for a in cc], "-o", outdir, "base..series"],
        cwd=TREE, log=LOG, stage="export", what="git format-patch", env=env)
    _pin_cover_date(outdir)
    return sorted(glob.glob(os.path.join(outdir, "*.patch")))


def _pin_cover_date(outdir):
    """format-patch dates the cover letter now; use the last commit's date
    so the export is reproducible."""
    cover = os.path.join(outdir, "0000-cover-letter.patch")
    if not os.path.exists(cover):
        return
    date = git("log", "-1", "--format=%aD", "series")
    text = file_bytes(cover).decode()
    text = re.sub(r"^Date: .*$", "Date: " + date, text, count=1, flags=re.M)
    with open(cover, "w") as fh:
        fh.write(text)


def export():
    """Write series/ from build/linux."""
    if user_branch():
        raise HarnessError("SERIES= tests a branch of your own tree; "
                           "there is no series/ to write (commit in your "
                           "tree instead)", stage="export")
    with Stage("export: series/ from build/linux"):
        tmp = tempfile.mkdtemp(dir=BUILD)
        files = format_series(tmp)
        for old in glob.glob(os.path.join(SERIES, "*.patch")):
            os.unlink(old)
        os.makedirs(SERIES, exist_ok=True)
        for f in files:
            shutil.move(f, os.path.join(SERIES, os.path.basename(f)))
        os.rmdir(tmp)
        _series_cache().record()
        _record_tip()
    say(f"wrote {len(files)} files to series/")


def check_roundtrip():
    """series/ -> git am -> format-patch must give series/ back, byte for
    byte."""
    apply_series(force=True)
    tmp = tempfile.mkdtemp(dir=BUILD)
    try:
        got = {os.path.basename(f): file_bytes(f) for f in format_series(tmp)}
        want = {os.path.basename(f): file_bytes(f)
                for f in glob.glob(os.path.join(SERIES, "*.patch"))}
        if got.keys() != want.keys():
            raise HarnessError("round trip gives files "
                               f"{sorted(got)} but series/ has "
                               f"{sorted(want)}", stage="export")
        for name in sorted(want):
            if got[name] != want[name]:
                diff = subprocess.run(
                    ["diff", "-u", os.path.join(SERIES, name),
                     os.path.join(tmp, name)], stdout=subprocess.PIPE,
                    text=True).stdout
                raise HarnessError(f"round trip changes {name}:\n"
                                   f"{diff[:3000]}", stage="export")
    finally:
        shutil.rmtree(tmp)
    say(f"round trip series/ -> tree -> series/: {len(want)} files "
        "byte-identical")


def main(argv):
    verb = argv[0] if argv else "apply"
    if verb == "apply":
        apply_series()
        say(f"build/linux: base {git('rev-parse', '--short', 'base')}, "
            f"series {git('rev-parse', '--short', 'series')} "
            f"({len(series_patches())} patches)")
    elif verb == "export":
        export()
    elif verb == "check-roundtrip":
        check_roundtrip()
    elif verb == "may-delete":
        # make distclean: refuse while the branch has unexported commits.
        unexported = user_commits() if os.path.isdir(TREE) else None
        if unexported and not os.environ.get("FORCE"):
            raise HarnessError(
                f"branch series of {TREE} has {unexported} not in "
                "series/: make export first, or make distclean FORCE=1 to "
                "delete them with build/", stage="distclean")
        state = user_state() if os.path.isdir(TREE) else []
        if state and not os.environ.get("FORCE"):
            raise HarnessError(
                f"{TREE} has " + ", ".join(state) + ": keep them "
                "elsewhere first, or make distclean FORCE=1 to delete "
                "them with build/", stage="distclean")
    else:
        raise HarnessError(f"unknown verb {verb}", stage="tree")
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
