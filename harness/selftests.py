"""Stage: build and install the kselftests, statically, for arm64.

The tests come from a commit of build/linux (the series tip by default), so
the same binaries run on every kernel.  The kernel's own kselftest Makefiles
do the work; two things are added for a static build:
- libcap (seccomp_bpf) comes from Debian's libcap-dev:arm64 in the sysroot;
- rseq links -lrseq against a shared librseq.so: a static librseq.a is built
  first and a placeholder librseq.so, newer than its sources, keeps make
  from linking the shared one (which -static cannot).
The top-level install target exits 0 when a target fails, so every test
the harness runs is checked to be installed.
"""

import os
import re
import shutil

from .common import (ARCH, BUILD, CROSS_COMPILE, CROSS_COMPILE_COMPAT,
                     SYSROOT, WORK, HarnessError, Stage, git, jobs, run)
from . import suites

KST = os.path.join(BUILD, "kselftest")


def install_dir(tag="series"):
    return os.path.join(KST, tag, "install")


def headers(log):
    from . import kbuild
    hdr = os.path.join(KST, "headers")
    if not os.path.exists(os.path.join(WORK, "Makefile")):
        kbuild.checkout("series")
    run(["make", "-s", f"O={hdr}", f"ARCH={ARCH}", "headers"], cwd=WORK,
        log=log, stage="selftests", what="make headers")
    return os.path.join(hdr, "usr", "include")


def _prebuild_librseq(obj, hdr, log, tree=WORK, cross=CROSS_COMPILE):
    src = os.path.join(tree, "tools/testing/selftests/rseq")
    out = os.path.join(obj, "kselftest", "rseq")
    os.makedirs(out, exist_ok=True)
    o = os.path.join(out, "rseq.static.o")
    run([f"{cross}gcc", "-O2", "-g", "-Wall", "-isystem", hdr,
         "-I", os.path.join(tree, "tools/include"),
         "-I", os.path.join(tree, "tools/testing/selftests"), "-I", src, "-c",
         os.path.join(src, "rseq.c"), "-o", o], log=log, stage="selftests",
        what="static librseq")
    lib = os.path.join(out, "librseq.a")
    if os.path.exists(lib):
        os.unlink(lib)
    run([f"{cross}ar", "rcs", lib, o], log=log, stage="selftests")
    with open(os.path.join(out, "librseq.so"), "w") as fh:
        fh.write("/* placeholder: the harness links rseq tests statically "
                 "against librseq.a */\n")


def tests_present(rev):
    """The harness's tests whose source exists at rev."""
    files = git("ls-tree", "-r", "--name-only", rev,
                "tools/testing/selftests/").split()
    names = {os.path.splitext(os.path.basename(f))[0]: f for f in files
             if f.endswith(".c") or f.endswith("/ftracetest")}
    return [t for t in suites.all_tests()
            if t.split(":", 1)[1] in names and
            names[t.split(":", 1)[1]].startswith(
                "tools/testing/selftests/" + t.split(":", 1)[0] + "/")]


def support_source(rev, path):
    """Is a support file's source (path, or path.c) in rev's selftests?"""
    base = "tools/testing/selftests/" + path
    return any(git("ls-tree", "--name-only", rev, p, check=False)
               for p in (base, base + ".c"))


def targets_present(rev, targets):
    """The targets whose directory exists at rev: a directory the series
    adds (audit) is not there on the patches before the one adding it."""
    dirs = {os.path.basename(d) for d in git(
        "ls-tree", "-d", "--name-only", rev,
        "tools/testing/selftests/").split()}
    return [t for t in targets if t in dirs]


def build(rev="series", tag="series", targets=None, check_tests=None):
    """Build and install the kselftests of rev; return the install dir.
    Every test of the harness whose source exists at rev must install."""
    targets = targets_present(rev, targets or suites.TARGETS)
    check_tests = tests_present(rev) if check_tests is None else check_tests
    log = os.path.join(BUILD, "logs", f"selftests-{tag}.log")
    if os.path.exists(log):
        os.unlink(log)
    from . import kbuild
    kbuild.checkout(rev)
    obj = os.path.join(KST, tag, "obj")
    inst = install_dir(tag)
    with Stage(f"selftests: build {' '.join(targets)} ({tag})"):
        hdr = headers(log)
        if os.path.exists(inst):
            shutil.rmtree(inst)
        _prebuild_librseq(obj, hdr, log)
        inc = os.path.join(SYSROOT, "usr", "include")
        lib = os.path.join(SYSROOT, "usr", "lib", "aarch64-linux-gnu")
        run(["make", "-s", f"-j{jobs()}", "-C", "tools/testing/selftests",
             f"ARCH={ARCH}", f"CROSS_COMPILE={CROSS_COMPILE}",
             f"CROSS_COMPILE_COMPAT={CROSS_COMPILE_COMPAT}",
             f"TARGETS={' '.join(targets)}", "ARM64_SUBTARGETS=abi",
             f"USERCFLAGS=-static -I{inc}", f"USERLDFLAGS=-static -L{lib}",
             f"KHDR_INCLUDES=-isystem {hdr}", f"O={obj}",
             f"INSTALL_PATH={inst}", "install"],
            cwd=WORK, log=log, stage="selftests", what="kselftest install")
        errors = [ln.strip() for ln in open(log, errors="replace")
                  if re.search(r"make\[\d+\]: \*\*\* |\berror:", ln)]
        if errors:
            # The top-level install carries on past a failed target.
            raise HarnessError("kselftest build errors:\n  " +
                               "\n  ".join(errors[:10]), stage="selftests",
                               log=log)
        # Installed, listed or not: 7.3 installs rseq's param_test as an
        # extended program, run by run_param_test.sh, and the harness runs
        # it directly with bounded arguments.
        missing = [t for t in check_tests if not
                   os.path.exists(os.path.join(inst, *t.split(":", 1)))]
        missing += [f for t in check_tests
                    for f in suites.SUPPORT_FILES.get(t, ())
                    if support_source(rev, f) and
                    not os.path.exists(os.path.join(inst, f))]
        if missing:
            raise HarnessError("kselftests not built/installed: " +
                               ", ".join(missing), stage="selftests", log=log)
    return inst


def main(argv):
    from . import tree
    tree.apply_series()
    build()
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
