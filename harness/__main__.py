"""python3 -m harness <verb>: the harness's one front door.

Every verb is also a make target (make <verb>, arguments through
ARGS="..."); `python3 -m harness <verb> --help` lists a verb's options and
never runs anything.
"""

import argparse
import importlib
import sys

# verb: (module, one line, [(option, help)]); run's options come from
# harness.run itself.
VERBS = {
    "deps": ("deps", "check host packages; fetch and verify the base "
             "tarball and the arm64 guest packages", []),
    "tree": ("tree", "build/linux: the base commit and series/ applied on "
             "branch series", []),
    "export": ("tree", "write series/ back from branch series of "
               "build/linux", []),
    "build": ("kbuild", "build the base and series kernels in every "
              "config", []),
    "selftests": ("selftests", "build and install the kselftests for "
                  "arm64", []),
    "run": ("run", "build, boot and test base and series; compare", None),
    "check": ("check", "the gate: unit tests, round trip, checkpatch, run, "
              "bisect, validate --short, conformance, the cover's claims",
              [("--quick", "stop after checkpatch (no kernel builds)")]),
    "bisect": ("bisect", "every patch on its own: builds in both configs, "
               "no new W=1/sparse warning, boots the exit-path suites with "
               "the base's outcomes but for the declared changes (after "
               "run)", []),
    "bench": ("bench", "instructions per syscall path under qemu -icount",
              [("--quick", "base and series only, not every patch"),
               ("--configs", "comma-separated configs (default debug,prod,"
                "distro)")]),
    "validate": ("validate", "real userspace (churn, gdb, auditd, stress-ng, "
                 "trinity, strace) on base and series",
                 [("--short", "churn 10 s, gdb, audit: what check runs"),
                  ("--pieces", "comma-separated pieces only"),
                  ("--from-logs", "judge the last boots' logs again, "
                   "booting nothing")]),
    "conformance": ("conformance", "the tests on x86_64 generic entry "
                    "beside arm64's results",
                    [("--configs", "comma-separated configs (default "
                      "debug,prod)"),
                     ("--table-only", "the table again from the last "
                      "results, after editing harness/differences.json")]),
    "mutants": ("mutants", "break one exit-path property per kernel and "
                "check that the tests listed for it fail",
                [("--mutants", "comma-separated mutants only")]),
    "selftests-6.12": ("oldbase", "the selftest patches alone on Debian "
                       "12's 6.12 kernel, compared with 7.3", []),
    "cover": ("cover", "fill the cover letter from the results",
              [("--check", "write nothing; fail unless the cover letter's "
                "results are those of out/")]),
    "rangediff": ("rangediff", "range-diff of the series against v1", []),
    "outgoing": ("outgoing", "the series as mails, To/Cc from "
                 "get_maintainer.pl", []),
}

ENVIRONMENT = """environment:
  BASE=<git tree|source dir|tarball>  a base of your own (default: Debian's
                                      linux-source-7.3 7.3.4-1~bpo13+1)
  SERIES=<git tree>:<base>..<branch>  test a branch of your own tree
                                      instead of series/ (its base is
                                      <base>; no BASE= with it)
  BOOT_JOBS=2          guests booted at once
  BOOT_TIMEOUT=900     seconds a boot may take
  HARNESS_SILENCE=480  seconds a test program may print nothing
  JOBS                 make -j for kernel builds (default: cores + 1)
  HARNESS_BUILD, HARNESS_OUT, HARNESS_SERIES  where build/, out/, series/
                       are (defaults: beside harness/)
"""


def parser():
    p = argparse.ArgumentParser(
        prog="python3 -m harness", description=__doc__.split("\n\n")[0],
        epilog=ENVIRONMENT, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="verb", metavar="verb", required=True)
    for verb, (_, text, opts) in VERBS.items():
        sp = sub.add_parser(verb, help=text, description=text,
                            epilog=ENVIRONMENT,
                            formatter_class=argparse.RawTextHelpFormatter)
        if opts is None:
            from . import run
            run.add_arguments(sp)
            continue
        for opt, text in opts:
            if text is None:
                # Always passed: the verb is a stage of that module.
                sp.set_defaults(**{opt.lstrip("-").replace("-", "_"): True})
            elif opt in ("--pieces", "--configs", "--mutants"):
                sp.add_argument(opt, help=text)
            else:
                sp.add_argument(opt, action="store_true", help=text)
    return p


def module_argv(verb, args):
    """The argv the verb's module main() takes."""
    if verb == "tree":
        return ["apply"]
    if verb == "export":
        return ["export"]
    out = []
    for key, value in sorted(vars(args).items()):
        if key == "verb" or value in (None, False):
            continue
        opt = "--" + key.replace("_", "-")
        if value is True:
            out.append(opt)
        else:
            out += [opt, str(value) if not isinstance(value, list)
                    else ",".join(value)]
    return out


def main(argv=None):
    args = parser().parse_args(argv)
    mod = importlib.import_module(f"harness.{VERBS[args.verb][0]}")
    from .common import entry
    entry(mod.main, module_argv(args.verb, args))


if __name__ == "__main__":
    sys.exit(main())
