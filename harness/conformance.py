"""`make conformance`: the exit-path tests on an x86_64 generic-entry
kernel, beside arm64's base and series results.

x86_64 uses generic entry (kernel/entry/common.c), which the series says
arm64's exit path now mirrors.  From the same base tree this builds an
x86_64 kernel per config (allnoconfig + configs/base.config +
configs/x86_64.config + configs/x86_64-<config>.config + the selftest
directories' fragments) with the host's gcc in a git worktree of its own
(build/x86_64/linux, at the series tip: the series changes no x86 code, so
this is the base kernel for x86_64 and its tests are the series'), builds
the arch-independent tests statically for x86_64, boots each kernel under
qemu-system-x86_64 -M pc (TCG) and sets every result beside the arm64 base
and series results of the same config (out/results.json, from `make run`).

Writes out/conformance.json, one row per test and subtest:
  {"config", "suite", "test", "arm64-base", "arm64-series", "x86_64",
   "difference"}
where difference is "" when arm64-series and x86_64 agree, else the
explanation from harness/differences.json: "abi: ..." (an interface of one
architecture), "deliberate: ..." (a difference the series keeps, and
why), "gap: ..." (what a move to GENERIC_ENTRY would change) or "env:
..." (no behaviour measured on one side: a known outcome of the emulated
machine, such as a test that times out under TCG on every kernel).  A
difference without an explanation is an error.  out/conformance.md
renders it with the summary the cover letter carries.

Usage: python3 -m harness conformance [--configs debug,prod] [--table-only]
  --table-only: the table again from out/results-x86_64.json and
                out/results.json (after editing harness/differences.json)
"""

import fnmatch
import os
import re
import shutil

from . import boot, deps, results, run as runner, selftests, suites, tree
from .common import (BUILD, CONFIGS, CONFIGS_DIR, OUT, ROOT,
                     Cache, HarnessError, Stage, git, jobs, read_json, run,
                     say, file_bytes, write_json)

ARCH = "x86_64"
XBUILD = os.path.join(BUILD, ARCH)
WORKTREE = os.path.join(XBUILD, "linux")
XSYSROOT = os.path.join(XBUILD, "sysroot")
XOUT = os.path.join(OUT, "kernels")
RULES = os.path.join(ROOT, "harness", "differences.json")
# abi: an interface of one architecture; deliberate: kept by the series,
# with its reason; gap: what GENERIC_ENTRY would change; env: no behaviour
# measured on one side (a known outcome of the emulated machine).
KINDS = ("abi", "deliberate", "gap", "env")
LOG_DIR = os.path.join(BUILD, "logs")

# The guest userland for x86_64, as for arm64 (deps.GUEST_PACKAGES).
PACKAGES = ["busybox-static", "libcap-dev", "libcap2"]
TARGETS = ["ptrace", "rseq", "seccomp", "audit", "ftrace",
           "syscall_user_dispatch"]
FRAGMENT_DIRS = ["ptrace", "rseq", "seccomp", "audit",
                 "syscall_user_dispatch"]
# The arch-independent programs (ours and the base tree's), and x86's own
# single-step over syscall, the counterpart of arm64's pseudo-step tests.
TESTS = [
    "ptrace:get_syscall_info",
    "ptrace:peeksiginfo",
    "ptrace:syscall_exit_stops",
    "rseq:basic_test",
    "rseq:param_test",
    "rseq:syscall_debug_test",
    "seccomp:seccomp_bpf",
    "syscall_user_dispatch:sud_test",
    "audit:audit_syscall_exit",
    "ftrace:ftracetest",
    "x86:single_step_syscall_64",
]
# arm64's own programs that the table lists with no x86_64 counterpart.
ARM64_ONLY = ["arm64:syscall_stop"]
MAKE_ENV = {"ARCH": ARCH, "CROSS_COMPILE": "",
            "KBUILD_BUILD_TIMESTAMP": "Thu Jan  1 00:00:00 UTC 2026",
            "KBUILD_BUILD_USER": "harness", "KBUILD_BUILD_HOST": "harness",
            "CCACHE_BASEDIR": BUILD, "CCACHE_NOHASHDIR": "1"}


def worktree():
    """build/x86_64/linux: a worktree of build/linux at the series tip,
    the harness's own (the user's tree is never checked out)."""
    tree.apply_series()
    tip = git("rev-parse", "series")
    if not os.path.isdir(os.path.join(WORKTREE, ".git")) and \
            not os.path.isfile(os.path.join(WORKTREE, ".git")):
        os.makedirs(XBUILD, exist_ok=True)
        git("worktree", "prune")
        git("worktree", "add", "-f", "--detach", WORKTREE, tip)
    run(["git", "checkout", "-q", "-f", "--detach", tip], cwd=WORKTREE,
        stage="conformance", what="git checkout in the x86_64 worktree")
    return tip


def sysroot():
    return deps.guest_sysroot(XSYSROOT, "amd64", "x86_64-linux-gnu",
                              PACKAGES)


def fragments(config):
    """(strict, reported): ours for x86_64 must land; base.config's arm64
    boot options and the selftests' fragments are reported when not."""
    strict = [os.path.join(CONFIGS_DIR, f"x86_64{s}.config")
              for s in ("", f"-{config}")]
    for f in strict:
        if not os.path.exists(f):
            raise HarnessError(f"missing config fragment {f}",
                               config=config, stage="conformance")
    fragdir = os.path.join(XBUILD, "fragments")
    os.makedirs(fragdir, exist_ok=True)
    reported = [os.path.join(CONFIGS_DIR, "base.config")]
    for d in FRAGMENT_DIRS:
        src = os.path.join(WORKTREE, "tools/testing/selftests", d, "config")
        if os.path.exists(src):
            dst = os.path.join(fragdir, f"{d}.config")
            shutil.copy(src, dst)
            reported.append(dst)
    return strict, reported


def kernel(config):
    """Configure and build the x86_64 kernel of config; its bzImage."""
    from . import kbuild
    od = os.path.join(XBUILD, "obj", config)
    strict, reported = fragments(config)
    log = os.path.join(LOG_DIR, f"build-x86_64-{config}.log")
    cache = Cache(os.path.join(od, ".harness-config"),
                  git("rev-parse", "base"),
                  *[file_bytes(f) for f in strict + reported])
    if not cache.hit(os.path.join(od, ".config")):
        with Stage(f"conformance: config x86_64-{config}"), cache.making():
            os.makedirs(od, exist_ok=True)
            run([os.path.join(WORKTREE, "scripts/kconfig/merge_config.sh"),
                 "-n", "-O", od, *reported, *strict], cwd=WORKTREE,
                env=MAKE_ENV, log=log, config=config, stage="conformance",
                what="merge_config.sh")
            for frag, key, want, have in kbuild.mismatches(
                    os.path.join(od, ".config"), strict + reported):
                msg = (f"{key}={want} (got {have}) from "
                       f"{os.path.basename(frag)}")
                if frag in strict:
                    raise HarnessError(f"config value not honoured: {msg}",
                                       config=config, stage="conformance",
                                       log=log)
                say(f"config x86_64-{config}: not on x86_64: {msg}")
    with Stage(f"conformance: build x86_64-{config}",
               key=f"build-x86_64-{config}"):
        run(["make", "-s", f"-j{jobs()}", f"O={od}", "CC=ccache gcc",
             "bzImage"], cwd=WORKTREE, env=MAKE_ENV, log=log, config=config,
            kernel="x86_64", stage="conformance", timeout=3600,
            what=f"x86_64 kernel build ({config})")
    dest = os.path.join(XOUT, f"x86_64-{config}")
    os.makedirs(dest, exist_ok=True)
    image = os.path.join(dest, "bzImage")
    shutil.copy(os.path.join(od, boot.ARCHS[ARCH]["image"]), image)
    shutil.copy(os.path.join(od, ".config"), os.path.join(dest, "config"))
    return image


def build_tests(sysroot_dir):
    """The tests, static, for x86_64; the install directory."""
    obj = os.path.join(XBUILD, "kselftest", "obj")
    inst = os.path.join(XBUILD, "kselftest", "install")
    log = os.path.join(LOG_DIR, "selftests-x86_64.log")
    if os.path.exists(log):
        os.unlink(log)
    with Stage("conformance: x86_64 selftests"):
        hdr_dir = os.path.join(XBUILD, "kselftest", "headers")
        run(["make", "-s", f"O={hdr_dir}", f"ARCH={ARCH}", "headers"],
            cwd=WORKTREE, log=log, stage="conformance", what="make headers")
        hdr = os.path.join(hdr_dir, "usr", "include")
        shutil.rmtree(inst, ignore_errors=True)
        selftests._prebuild_librseq(obj, hdr, log, tree=WORKTREE, cross="")
        inc = os.path.join(sysroot_dir, "usr", "include")
        lib = os.path.join(sysroot_dir, "usr", "lib", "x86_64-linux-gnu")
        common = [f"USERCFLAGS=-static -I{inc}",
                  f"USERLDFLAGS=-static -L{lib}",
                  f"KHDR_INCLUDES=-isystem {hdr}"]
        run(["make", "-s", f"-j{jobs()}", "-C", "tools/testing/selftests",
             f"ARCH={ARCH}", f"TARGETS={' '.join(TARGETS)}", *common,
             f"O={obj}", f"INSTALL_PATH={inst}", "install"], cwd=WORKTREE,
            log=log, stage="conformance", what="kselftest install")
        # x86's single-step test alone: the rest of selftests/x86 has
        # nothing to do with the syscall exit path.
        x86 = os.path.join(inst, "x86")
        os.makedirs(x86, exist_ok=True)
        src = os.path.join(WORKTREE, "tools/testing/selftests/x86")
        run(["gcc", "-static", "-O2", "-g", "-Wall", "-isystem", hdr,
             "-I", os.path.join(WORKTREE, "tools/include"),
             "-I", os.path.dirname(src), "-o",
             os.path.join(x86, "single_step_syscall_64"),
             os.path.join(src, "single_step_syscall.c"), "-lrt", "-ldl"],
            log=log, stage="conformance", what="x86/single_step_syscall_64")
        errors = [ln.strip() for ln in open(log, errors="replace")
                  if re.search(r"make\[\d+\]: \*\*\* |\berror:", ln)]
        if errors:
            raise HarnessError("x86_64 kselftest build errors:\n  " +
                               "\n  ".join(errors[:10]),
                               stage="conformance", log=log)
        missing = [t for t in TESTS
                   if not os.path.exists(os.path.join(inst, *t.split(":")))]
        if missing:
            raise HarnessError("x86_64 kselftests not installed: " +
                               ", ".join(missing), stage="conformance",
                               log=log)
    return inst


def rules():
    """[(config glob, suite, test glob, explanation, series outcome,
    x86_64 outcome)] from harness/differences.json; an outcome given in a
    rule ("series", "x86_64") limits it to that outcome."""
    doc = read_json(RULES, default=None)
    if doc is None:
        raise HarnessError(f"missing {RULES}", stage="conformance")
    out = []
    for r in doc["differences"]:
        kind = r["kind"]
        if kind not in KINDS:
            raise HarnessError(f"{RULES}: kind {kind!r} is not one of "
                               f"{', '.join(KINDS)}", stage="conformance")
        out.append((r.get("config", "*"), r["suite"], r["test"],
                    f"{kind}: {r['reason']}", r.get("series"),
                    r.get("x86_64")))
    return out


def explain(rule_list, config, suite, test, series=None, x86=None):
    for c, s, t, why, when, when_x86 in rule_list:
        if fnmatch.fnmatchcase(config, c) and s == suite and \
                fnmatch.fnmatchcase(test, t) and when in (None, series) \
                and when_x86 in (None, x86):
            return why
    return None


def outcome(row):
    if row is None:
        return "absent"
    return "known" if row.get("known") else row["result"]


def table(arm64_rows, x86_rows, configs, rule_list):
    """The conformance rows for configs."""
    index = {}
    for r in arm64_rows:
        index[(r["config"], r["kernel"], r["suite"], r["test"])] = r
    for r in x86_rows:
        index[(r["config"], "x86_64", r["suite"], r["test"])] = r
    progs = {t for t in TESTS + ARM64_ONLY}
    out = []
    for config in configs:
        keys = sorted({(s, t) for (c, k, s, t) in index
                       if c == config and
                       f"{s}:{t.split('/')[0]}" in progs})
        for suite, test in keys:
            cells = {k: outcome(index.get((config, k, suite, test)))
                     for k in ("base", "series", "x86_64")}
            diff = ""
            if cells["series"] != cells["x86_64"]:
                diff = explain(rule_list, config, suite, test,
                               cells["series"], cells["x86_64"]) or \
                    "UNEXPLAINED"
            out.append({"config": config, "suite": suite, "test": test,
                        "arm64-base": cells["base"],
                        "arm64-series": cells["series"],
                        "x86_64": cells["x86_64"], "difference": diff})
    return out


def summary(rows):
    """{config: {"rows", "same", "aligned", "abi", "deliberate", "gap",
    "unexplained"}}: aligned counts the rows where the base differed from
    x86_64 and the series does not."""
    out = {}
    for r in rows:
        s = out.setdefault(r["config"], {k: 0 for k in (
            "rows", "same", "aligned", *KINDS, "unexplained")})
        s["rows"] += 1
        if not r["difference"]:
            s["same"] += 1
            if r["arm64-base"] != r["x86_64"]:
                s["aligned"] += 1
        elif r["difference"] == "UNEXPLAINED":
            s["unexplained"] += 1
        else:
            s[r["difference"].split(":")[0]] += 1
    return out


def render(rows, tip):
    lines = ["# Exit-path behaviour: arm64 (base, series) against x86_64 "
             "generic entry", "",
             f"Same base tree (series tip {tip[:12]}); x86_64 built with the "
             "host gcc, booted under qemu-system-x86_64 -M pc (TCG).", "",
             "| config | rows | same as x86_64 | aligned by the series | "
             + " | ".join(KINDS) + " | unexplained |",
             "|---|---|---|---|" + "---|" * len(KINDS) + "---|"]
    for c, s in summary(rows).items():
        lines.append(f"| {c} | {s['rows']} | {s['same']} | {s['aligned']} | "
                     + " | ".join(str(s[k]) for k in KINDS) +
                     f" | {s['unexplained']} |")
    lines += ["", "## Differences", "",
              "| config | test | arm64 base | arm64 series | x86_64 | "
              "difference |", "|---|---|---|---|---|---|"]
    for r in rows:
        if r["difference"] or r["arm64-base"] != r["arm64-series"]:
            lines.append(f"| {r['config']} | {r['suite']}:{r['test']} | "
                         f"{r['arm64-base']} | {r['arm64-series']} | "
                         f"{r['x86_64']} | {r['difference'] or 'same'} |")
    return "\n".join(lines) + "\n"


def main(argv):
    configs = list(CONFIGS)
    if "--configs" in argv:
        configs = argv[argv.index("--configs") + 1].split(",")
    arm64_rows = results.read_rows(os.path.join(OUT, "results.json"))
    if not arm64_rows:
        raise HarnessError("no out/results.json: run `make run` first (the "
                           "arm64 base and series results)",
                           stage="conformance")
    rule_list = rules()
    tip = worktree()
    if "--table-only" in argv:
        x86_rows = read_json(os.path.join(OUT, "results-x86_64.json"),
                             default=None)
        if x86_rows is None:
            raise HarnessError("no out/results-x86_64.json: run make "
                               "conformance first", stage="conformance")
        return report(arm64_rows, x86_rows, configs, rule_list, tip)
    sroot = sysroot()
    inst = build_tests(sroot)
    initrd = os.path.join(OUT, "initramfs-x86_64.cpio.gz")
    with Stage(f"conformance: initramfs ({len(TESTS)} test programs)"):
        boot.make_initramfs(initrd, inst, runner.run_order(TESTS),
                            suites.env_lines(),
                            sysroot=sroot)
    x86_rows = []
    for config in configs:
        image = kernel(config)
        log = os.path.join(os.path.dirname(image), "console.log")
        text = boot.boot(image, initrd, log, "x86_64", config,
                         silence=boot.SILENCE, stream=True, arch=ARCH)
        got = results.rows_from_console(text, "x86_64", config, TESTS)
        # suites.KNOWN is about arm64 (its reasons say so): on x86_64 every
        # outcome is a measured one.
        x86_rows += [{k: v for k, v in r.items() if k != "known"}
                     for r in got]
    write_json(os.path.join(OUT, "results-x86_64.json"), x86_rows)
    return report(arm64_rows, x86_rows, configs, rule_list, tip)


def report(arm64_rows, x86_rows, configs, rule_list, tip):
    rows = table(arm64_rows, x86_rows, configs, rule_list)
    write_json(os.path.join(OUT, "conformance.json"), rows)
    md = os.path.join(OUT, "conformance.md")
    with open(md, "w") as fh:
        fh.write(render(rows, tip))
    for c, s in summary(rows).items():
        say(f"conformance {c}: {s['rows']} rows, {s['same']} the same as "
            f"x86_64 ({s['aligned']} aligned by the series), " +
            ", ".join(f"{k} {s[k]}" for k in KINDS) +
            f", unexplained {s['unexplained']}")
    bad = [r for r in rows if r["difference"] == "UNEXPLAINED"]
    if bad:
        raise HarnessError(
            f"{len(bad)} unexplained differences from x86_64 (see {md}):\n  "
            + "\n  ".join(f"{r['config']} {r['suite']}:{r['test']}: series "
                          f"{r['arm64-series']}, x86_64 {r['x86_64']}"
                          for r in bad[:15]), stage="conformance", log=md)
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
