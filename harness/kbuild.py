"""Stage: kernel configs and builds.

Each config (debug, prod) has one object directory, build/obj/<config>, so
every build after the first is incremental (and ccache catches the rest).
A kernel (a Kernel: label, revision, config) is built by checking its
commit out in build/work, the harness's own worktree, and running make
there; the Image and .config are copied to out/kernels/<label>-<config>/.

The .config is allnoconfig + configs/base.config + configs/<config>.config +
the config fragment of each selftest directory the harness runs, taken from
the series tip so base and series kernels get the same config.  Values our
own fragments ask for must all land; a selftest fragment's value that
cannot (GENERIC_ENTRY for syscall_user_dispatch on arm64) is reported.
"""

import dataclasses
import glob
import os
import re
import shutil

from .common import (ARCH, BUILD, CONFIGS, CONFIGS_DIR, CROSS_COMPILE,
                     KERNELS, OUT, WORK, Cache, HarnessError, Stage,
                     file_bytes, git, hold_build, jobs, run, say)

# Selftest directories whose config fragments are merged (breakpoints too,
# though its test is not run: see suites.py).  ftrace is left
# out on purpose: its fragment serves ftracetest's whole suite (BTF,
# kprobes, modules); the exit-path event test needs only FTRACE_SYSCALLS,
# which configs/base.config has.
FRAGMENT_DIRS = ["ptrace", "rseq", "arm64", "arm64/abi", "breakpoints",
                 "seccomp", "syscall_user_dispatch", "audit"]


# A config that builds on another: distro is prod plus Debian's options.
CONFIG_PARENTS = {"distro": ("prod",), "lockdep": ()}


def objdir(config):
    return os.path.join(BUILD, "obj", config)


@dataclasses.dataclass(frozen=True)
class Kernel:
    """One kernel the harness builds and boots.

    label is what results call it: base, series, or for a bisect step the
    patch's number (p07); rev is the revision it is built from; patch the
    patch file a bisect step stops at.  Every file of the kernel lives in
    its directory, out/kernels/<label>-<config>/."""

    label: str
    rev: str
    config: str
    patch: str = None

    @classmethod
    def of(cls, label, config):
        """base or series in config."""
        if label not in KERNELS:
            raise HarnessError(f"unknown kernel {label!r} (base, series)",
                               config=config, stage="kernel")
        return cls(label, label, config)

    @classmethod
    def at_patch(cls, patch, rev, config):
        """The kernel of the series up to and including patch."""
        m = re.match(r"(\d{4})-", patch)
        if not m:
            raise HarnessError(f"{patch}: not a numbered patch file",
                               stage="kernel")
        return cls(f"p{int(m.group(1)):02d}", rev, config, patch)

    @property
    def name(self):
        return f"{self.label}-{self.config}"

    @property
    def dir(self):
        return os.path.join(OUT, "kernels", self.name)

    def path(self, what):
        """A file of this kernel: Image, config, build.log, console.log,
        results.json (its last test results), validate.log, bench-*.log."""
        return os.path.join(self.dir, what)

    @property
    def image(self):
        return self.path("Image")

    def built_cache(self, sha):
        """Image and config are of sha, built with the object dir's
        .config."""
        return Cache(self.path("built-from"), sha,
                     file_bytes(os.path.join(objdir(self.config),
                                             ".config")), note=sha)


def make_env():
    env = {"ARCH": ARCH, "CROSS_COMPILE": CROSS_COMPILE,
           "KBUILD_BUILD_TIMESTAMP": "Thu Jan  1 00:00:00 UTC 2026", "KBUILD_BUILD_USER": "harness",
           "KBUILD_BUILD_HOST": "harness", "KBUILD_BUILD_VERSION": "1",
           # Kbuild passes absolute source paths with O=: relative to the
           # build directory they are the same in every clone, so ccache
           # hits across checkouts.
           "CCACHE_BASEDIR": BUILD, "CCACHE_NOHASHDIR": "1"}
    return env


def make_cc():
    return f"ccache {CROSS_COMPILE}gcc"


def fragments(config):
    """Paths of the fragments for config: ours (strict) and selftests'."""
    ours = [os.path.join(CONFIGS_DIR, "base.config")] + [
        os.path.join(CONFIGS_DIR, f"{c}.config")
        for c in CONFIG_PARENTS.get(config, ()) + (config,)]
    # An older base's spelling of an option (make selftests-6.12).
    if os.environ.get("HARNESS_EXTRA_FRAGMENT"):
        ours.insert(1, os.environ["HARNESS_EXTRA_FRAGMENT"])
    for f in ours:
        if not os.path.exists(f):
            raise HarnessError(f"missing config fragment {f}",
                               config=config, stage="config")
    fragdir = os.path.join(BUILD, "obj", "fragments")
    os.makedirs(fragdir, exist_ok=True)
    theirs = []
    for d in FRAGMENT_DIRS:
        path = f"tools/testing/selftests/{d}/config"
        text = git("show", f"series:{path}", check=False)
        if not text:
            continue
        out = os.path.join(fragdir, d.replace("/", "_") + ".config")
        with open(out, "w") as fh:
            fh.write(text + "\n")
        theirs.append(out)
    return ours, theirs


def requested(path):
    vals = {}
    for line in open(path):
        line = line.strip()
        m = re.match(r"(CONFIG_\w+)=(.*)", line) or \
            re.match(r"# (CONFIG_\w+) is not set", line)
        if m:
            vals[m.group(1)] = m.group(2) if m.lastindex == 2 else "n"
    return vals


def actual(dotconfig):
    vals = {}
    for line in open(dotconfig):
        m = re.match(r"(CONFIG_\w+)=(.*)", line.strip())
        if m:
            vals[m.group(1)] = m.group(2)
    return vals


def mismatches(dotconfig, frags):
    """(fragment, option, wanted, got) for each value of frags that did
    not land in dotconfig."""
    got = actual(dotconfig)
    for frag in frags:
        for key, want in requested(frag).items():
            have = got.get(key, "n")
            if have != want:
                yield frag, key, want, have


def configure(config):
    ours, theirs = fragments(config)
    od = objdir(config)
    cache = Cache(os.path.join(od, ".harness-config"),
                  *[file_bytes(f) for f in ours + theirs],
                  git("rev-parse", "base"))
    if cache.hit(os.path.join(od, ".config")):
        return
    log = os.path.join(BUILD, "logs", f"config-{config}.log")
    with Stage(f"config {config}: allnoconfig + {len(ours)} + "
               f"{len(theirs)} fragments"), cache.making():
        os.makedirs(od, exist_ok=True)
        checkout("series")
        # Ours last but for base.config: the config-specific fragment
        # (DEBUG_RSEQ on or off) must win over rseq/config's request.
        order = [ours[0], *theirs, *ours[1:]]
        run([os.path.join(WORK, "scripts/kconfig/merge_config.sh"), "-n",
             "-O", od, *order], cwd=WORK, env=make_env(), log=log,
            config=config, stage="config", what="merge_config.sh")
        bad, unmet = [], []
        override = {}
        for f in ours[1:]:
            override.update(requested(f))
        for frag, key, want, have in mismatches(
                os.path.join(od, ".config"), ours + theirs):
            if frag in ours:
                bad.append(f"{key}={want} (got {have}) from "
                           f"{os.path.basename(frag)}")
            elif key in override:
                unmet.append(f"{key}={want}: overridden by " + ", ".join(
                    os.path.basename(f) for f in ours[1:]))
            else:
                unmet.append(f"{key}={want} (got {have}): not "
                             "available on this arch/base")
        if bad:
            raise HarnessError("config values not honoured:\n  " +
                               "\n  ".join(bad), config=config,
                               stage="config", log=log)
        for u in unmet:
            say(f"config {config}: a selftest fragment asks {u}")


def checkout(rev):
    """Check rev out in build/work, the harness's own worktree of
    build/linux (made on first use): the tree the user edits is never
    checked out, so its branch, HEAD and edits stay as they are."""
    hold_build("build")
    if os.path.exists(os.path.join(WORK, ".git")) and \
            not git("rev-parse", "--git-dir", cwd=WORK, check=None):
        # A worktree of an earlier build/linux (made anew since).
        shutil.rmtree(WORK)
    if not os.path.exists(os.path.join(WORK, ".git")):
        git("worktree", "prune")
        git("worktree", "add", "-q", "-f", "--detach", WORK, rev)
    git("checkout", "-q", "-f", "--detach", rev, cwd=WORK)


def build(k, extra=()):
    """Build kernel k's Image in its config's object dir; copy it, its
    .config and the build log to k's directory.  Returns k.image."""
    od = objdir(k.config)
    log = os.path.join(BUILD, "logs", f"build-{k.name}.log")
    if os.path.exists(log):
        os.unlink(log)
    checkout(k.rev)
    sha = git("rev-parse", k.rev)
    with Stage(f"build {k.name}", key=f"build-{k.config}"):
        run(["make", "-s", f"-j{jobs()}", f"O={od}", f"CC={make_cc()}",
             *extra, "Image"], cwd=WORK, env=make_env(), log=log,
            kernel=k.label, config=k.config, stage="build", timeout=3600,
            what=f"kernel build of {k.label} ({k.config})")
    with k.built_cache(sha).making():
        os.makedirs(k.dir, exist_ok=True)
        shutil.copy(os.path.join(od, "arch/arm64/boot/Image"), k.image)
        shutil.copy(os.path.join(od, ".config"), k.path("config"))
        shutil.copy(log, k.path("build.log"))
        with open(k.path("commit"), "w") as fh:
            fh.write(sha + "\n")
    return k.image


def changed_paths(rev_a, rev_b):
    return git("diff", "--name-only", rev_a, rev_b).split()


def affects_kernel(paths):
    """Does a change to these paths change the kernel image?"""
    return any(not (p.startswith("tools/") or p.startswith("Documentation/")
                    or p in ("MAINTAINERS",)) for p in paths)


# For a changed header, the objects that include it and belong to the
# syscall path: a header's W=1 or sparse warning shows the same in every
# includer, and compiling all 75 includers of asm/syscall.h twice per patch
# and config would add minutes for nothing.
SYSCALL_PATH_OBJS = {"kernel/seccomp.o", "kernel/ptrace.o", "kernel/auditsc.o",
                     "kernel/signal.o", "kernel/exit.o", "kernel/fork.o",
                     "kernel/trace/trace_syscalls.o"}


def objects_for(paths, config):
    """Object files whose build reads any of these source paths: the .c
    files themselves, and for headers the objects that include them under
    arch/arm64/ or in SYSCALL_PATH_OBJS."""
    od = objdir(config)
    objs = set()
    headers = [p for p in paths if p.endswith(".h")]
    for p in paths:
        if p.endswith(".c") and os.path.exists(
                os.path.join(od, p[:-2] + ".o")):
            objs.add(p[:-2] + ".o")
    if headers:
        for cmd in glob.glob(os.path.join(od, "**", ".*.o.cmd"),
                             recursive=True):
            text = open(cmd, errors="replace").read()
            if any(h in text for h in headers):
                rel = os.path.relpath(cmd, od)
                d, base = os.path.split(rel)
                o = os.path.join(d, base[1:-4])
                if o.endswith(".o") and "/vdso" not in o and (
                        o.startswith("arch/arm64/") or
                        o in SYSCALL_PATH_OBJS):
                    objs.add(o)
    return sorted(objs)


WARN_RE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?:\d+:)? "
                     r"(?P<kind>warning|error): (?P<msg>.*)$")


def strict_warnings(rev, config, objs, name):
    """Compile objs at rev with W=1 and sparse (C=2); return the set of
    warnings with line numbers dropped (so unrelated moves do not count)."""
    if not objs:
        return set()
    od = objdir(config)
    log = os.path.join(BUILD, "logs", f"strict-{name}-{config}.log")
    if os.path.exists(log):
        os.unlink(log)
    checkout(rev)
    run(["make", f"-j{jobs()}", f"O={od}", f"CC={make_cc()}", "W=1", "C=2",
         *objs], cwd=WORK, env=make_env(), log=log, kernel=name,
        config=config, stage="strict-build",
        what=f"W=1 C=2 build of {len(objs)} objects")
    found = set()
    for line in open(log, errors="replace"):
        m = WARN_RE.match(line.strip())
        if m:
            f = os.path.relpath(os.path.normpath(
                os.path.join(od, m.group("file"))), WORK) \
                if not m.group("file").startswith(WORK) else \
                os.path.relpath(m.group("file"), WORK)
            found.add(f"{f}: {m.group('kind')}: {m.group('msg')}")
    return found


def main(argv):
    from . import tree
    tree.apply_series()
    configs = argv or list(CONFIGS)
    for config in configs:
        configure(config)
    for label in KERNELS:
        for config in configs:
            build(Kernel.of(label, config))
    checkout("series")
    return 0


def patch_kernels(configs=CONFIGS):
    """[Kernel] of every patch that changes the kernel, oldest first, in
    each config.  The last such patch builds the same kernel as the series
    tip: series (already built by `run`) stands for it, with its patch."""
    from . import tree
    changed = []
    prev = "base"
    for sha, name in tree.commits():
        if affects_kernel(changed_paths(prev, sha)):
            changed.append((sha, name))
        prev = sha
    out = []
    for i, (sha, name) in enumerate(changed):
        for config in configs:
            if i == len(changed) - 1:
                out.append(Kernel("series", "series", config, name))
                continue
            k = Kernel.at_patch(name, sha, config)
            if not k.built_cache(sha).hit(k.image):
                build(k)
            out.append(k)
    return out


if __name__ == "__main__":
    from .common import entry
    entry(main)
