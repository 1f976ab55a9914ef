"""The front door: python3 -m harness <verb>, --help, run's selection."""

import os
import subprocess
import sys
import unittest

from harness import __main__ as front
from harness import run, suites
from harness.common import ROOT, HarnessError


def harness(*args):
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=60,
                          env=dict(os.environ, HARNESS_BUILD="/nonexistent",
                                   HARNESS_OUT="/nonexistent"))


class Help(unittest.TestCase):
    def test_top_level_lists_every_verb_and_the_knobs(self):
        p = harness("--help")
        self.assertEqual(0, p.returncode, p.stdout)
        for verb in front.VERBS:
            self.assertIn(verb, p.stdout)
        self.assertIn("BOOT_TIMEOUT", p.stdout)

    def test_every_verb_has_help_and_runs_nothing(self):
        for verb in front.VERBS:
            p = harness(verb, "--help")
            self.assertEqual(0, p.returncode, (verb, p.stdout))
            self.assertIn("usage: python3 -m harness " + verb, p.stdout)
            # A stage prints "[  0s] ..." lines; --help prints none.
            self.assertNotRegex(p.stdout, r"^\[\s*\d+s\] ", verb)

    def test_unknown_verb_is_refused(self):
        p = harness("frobnicate")
        self.assertNotEqual(0, p.returncode)
        self.assertIn("invalid choice", p.stdout)


class RunSelection(unittest.TestCase):
    def test_default_is_the_full_run(self):
        a = run.parse([])
        self.assertFalse(a.selected)
        self.assertEqual(suites.all_tests(), a.tests)

    def test_inner_loop(self):
        a = run.parse(["--configs", "debug", "--kernels", "series",
                       "--tests", "exit-path"])
        self.assertTrue(a.selected)
        self.assertEqual(["debug"], a.configs)
        self.assertEqual(["series"], a.kernels)
        self.assertEqual(suites.exit_path_tests(), a.tests)

    def test_unknown_test_and_kernel(self):
        with self.assertRaises(HarnessError):
            run.parse(["--tests", "ptrace:nope"])
        with self.assertRaises(HarnessError):
            run.parse(["--kernels", "v1"])

    def test_front_door_passes_options_through(self):
        a = front.parser().parse_args(["run", "--configs", "prod",
                                       "--fresh"])
        argv = front.module_argv("run", a)
        b = run.parse(argv)
        self.assertEqual(["prod"], b.configs)
        self.assertTrue(b.fresh)
        a = front.parser().parse_args(["export"])
        self.assertEqual(["export"], front.module_argv("export", a))

    def test_kernel_order(self):
        order = run.run_order(["rseq:basic_test", "audit:audit_syscall_exit",
                               "ptrace:x", "arm64:y"])
        self.assertEqual(["arm64:y", "audit:audit_syscall_exit", "ptrace:x",
                          "rseq:basic_test"], order)


if __name__ == "__main__":
    unittest.main()
