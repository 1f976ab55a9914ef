"""The KTAP parser and the console -> results step."""

import glob
import os
import unittest

from harness import ktap, results

DATA = os.path.join(os.path.dirname(__file__), "data")

NESTED = """\
TAP version 13
1..3
# timeout set to 45
# selftests: ptrace: syscall_exit_stops
# TAP version 13
# 1..3
# # Starting 3 tests from 1 test cases.
# #  RUN           exit_stops.plain ...
# #            OK  exit_stops.plain
# ok 1 exit_stops.plain
# #  RUN           exit_stops.error ...
# # syscall_exit_stops.c:120:error:Expected -9 (-9) == rval (0)
# #          FAIL  exit_stops.error
# not ok 2 exit_stops.error
# ok 3 exit_stops.arch # SKIP no register accessor for this architecture
# # FAILED: 1 / 3 tests passed.
# # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
not ok 1 selftests: ptrace: syscall_exit_stops # exit=1
# timeout set to 45
# selftests: rseq: syscall_debug_test
# TAP version 13
# 1..1
# ok 1 rseq_syscall.plain.in_cs_sigsegv # XFAIL known on this config
ok 2 selftests: rseq: syscall_debug_test
# selftests: syscall_user_dispatch: sud_test
ok 3 selftests: syscall_user_dispatch: sud_test # SKIP
"""


class Parse(unittest.TestCase):
    def test_nested_results_and_directives(self):
        doc = ktap.parse(NESTED)
        self.assertEqual(doc.plan, 3)
        self.assertFalse(doc.truncated)
        prog = doc.tests[0]
        self.assertEqual(prog.name, "selftests: ptrace: syscall_exit_stops")
        self.assertEqual(prog.result, "fail")
        self.assertEqual([s.result for s in prog.subtests],
                         ["pass", "fail", "skip"])
        self.assertEqual(prog.subtests[2].reason,
                         "no register accessor for this architecture")
        self.assertEqual(doc.tests[1].subtests[0].result, "xfail")
        self.assertEqual(doc.tests[2].result, "skip")

    def test_kernel_log_lines_interleaved_are_dropped(self):
        text = NESTED.replace(
            "# ok 1 exit_stops.plain\n",
            "[   12.345678] audit: type=1300 audit(1.2:3): arch=c00000b7\n"
            "# ok 1 exit_stops.plain\r\n")
        doc = ktap.parse(text)
        self.assertEqual(doc.tests[0].subtests[0].result, "pass")
        self.assertEqual(len(doc.tests[0].subtests), 3)

    def test_crash_mid_program_is_not_a_pass(self):
        # The program printed ok for itself (exit 0 from a wrapper) but its
        # own plan was cut short: a crash hides in there.
        text = ("TAP version 13\n1..1\n# selftests: a: b\n# TAP version 13\n"
                "# 1..4\n# ok 1 x\n# ok 2 y\nok 1 selftests: a: b\n")
        doc = ktap.parse(text)
        self.assertTrue(doc.tests[0].truncated)
        self.assertEqual(doc.tests[0].result, "fail")

    def test_crash_mid_run_leaves_plan_unmet(self):
        text = NESTED.split("# selftests: rseq")[0]
        doc = ktap.parse(text)
        self.assertTrue(doc.truncated)
        rows = results.rows_from_console(
            "HARNESS: BEGIN x\n" + text, "base", "debug",
            ["ptrace:syscall_exit_stops", "rseq:syscall_debug_test"])
        missing = [r for r in rows if r["test"] == "syscall_debug_test"]
        self.assertEqual(missing[0]["result"], "fail")
        self.assertIn("crashed", missing[0]["note"])

    def test_markers(self):
        body, began, ended, end = ktap.between_markers(
            "noise\nHARNESS: BEGIN 6.12\nTAP version 13\nHARNESS: END rc=0\n")
        self.assertTrue(began and ended)
        self.assertEqual(body, "TAP version 13")
        self.assertEqual(end, "HARNESS: END rc=0")
        _, began, ended, _ = ktap.between_markers("HARNESS: BEGIN 6.12\nok")
        self.assertTrue(began)
        self.assertFalse(ended)


class Rows(unittest.TestCase):
    def test_known_outcome_carries_reason(self):
        rows = results.rows_from_console(
            "HARNESS: BEGIN\n" + NESTED + "HARNESS: END rc=0\n", "base",
            "prod", ["syscall_user_dispatch:sud_test"])
        self.assertEqual(rows[0]["result"], "skip")
        self.assertIn("GENERIC_ENTRY", rows[0]["known"])
        self.assertEqual(results.failures(rows), [])

    def test_compare_lists_differences(self):
        mk = lambda k, res: {"kernel": k, "config": "debug", "suite": "s",
                             "test": "t", "result": res}
        diffs = results.compare([mk("base", "pass"), mk("series", "fail")])
        self.assertEqual(diffs, [("debug", "s", "t", "pass", "fail")])
        self.assertEqual(results.undeclared(diffs), diffs)


class RealConsoles(unittest.TestCase):
    """Consoles captured from real boots of the base kernel."""

    def test_every_captured_console_parses_completely(self):
        logs = sorted(glob.glob(os.path.join(DATA, "console-*.log")))
        self.assertTrue(logs, "no captured console logs in tests/data")
        for log in logs:
            text = open(log, errors="replace").read()
            body, began, ended, _ = ktap.between_markers(text)
            doc = ktap.parse(body)
            with self.subTest(log=os.path.basename(log)):
                self.assertTrue(began and ended)
                self.assertFalse(doc.truncated)
                self.assertGreater(len(doc.tests), 0)
                nested = sum(len(t.subtests) for t in doc.tests)
                self.assertGreater(nested, len(doc.tests))
                expect = os.path.splitext(log)[0] + ".expect"
                if os.path.exists(expect):
                    with open(expect) as fh:
                        want = dict(line.rstrip("\n").rsplit(" ", 1)
                                    for line in fh if line.strip())
                    got = {t.name.split(": ")[-1] + "/" + s.name: s.result
                           for t in doc.tests for s in t.subtests}
                    got.update({t.name.split(": ")[-1]: t.result
                                for t in doc.tests})
                    for k, v in want.items():
                        self.assertEqual(got.get(k), v, k)


if __name__ == "__main__":
    unittest.main()
