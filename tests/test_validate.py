"""validate's console parsing: sections, comparison, splat detection."""

import os
import unittest
import unittest.mock

from harness import validate

CONSOLE = """\
[    1.0] booting
VALIDATE-BEGIN churn
# churn: tracee 58 (4 threads), tracer 62, 10s
CHURN ok syscalls=15050 attaches=260 switches=2308 audit_toggles=47
VALIDATE-END churn rc=0
VALIDATE-BEGIN gdb
catch: x7=0 at entry
VALIDATE-END gdb rc=1
VALIDATE-BEGIN dmesg
[    0.006905] Lock dependency validator: Copyright (c) 2006 Red Hat
[   12.1] WARNING: CPU: 0 PID: 58 at kernel/locking/lockdep.c:4404
[   12.2] BUG: sleeping function called from invalid context at x.c:1
[   13.0] INFO: task churn:60 blocked for more than 30 seconds.
VALIDATE-END dmesg rc=0
"""


class Sections(unittest.TestCase):
    def test_sections_and_exit_codes(self):
        s = validate.sections(CONSOLE)
        self.assertEqual(sorted(s), ["churn", "dmesg", "gdb"])
        self.assertEqual(s["gdb"], ("catch: x7=0 at entry", 1))

    def test_churn_compares_its_verdict_only(self):
        a = "CHURN ok syscalls=1 attaches=2\n# timing 3"
        b = "CHURN ok syscalls=9 attaches=8\n# timing 7"
        self.assertEqual(validate.comparable("churn", a),
                         validate.comparable("churn", b))
        self.assertNotEqual(validate.comparable("churn", a),
                            validate.comparable("churn", "CHURN FAIL x"))

    def test_other_pieces_compare_all_but_comments(self):
        self.assertEqual(validate.comparable("gdb", "# t=1\nx7=1"), ["x7=1"])

    def test_splats_found_and_boot_banner_ignored(self):
        bad = validate.splats(validate.sections(CONSOLE)["dmesg"][0])
        self.assertEqual(len(bad), 3)
        self.assertFalse(any("Copyright" in b for b in bad))

    def test_missing_end_marker_is_no_section(self):
        self.assertNotIn("churn", validate.sections(
            "VALIDATE-BEGIN churn\nCHURN ok\n"))

    def test_strace_outcome_sets(self):
        body = ("ok 1 getppid.gen.test\n"
                "ok 2 bpf.gen.test # SKIP bpf syscall is not available\n"
                "not ok 3 membarrier.gen.test # exit 1\n"
                "not ok 4 qual_signal.test # exit 124\n"
                "#   ok 9 not-a-result\n")
        self.assertEqual(validate.tap_sets(body), {
            "pass": ["getppid.gen.test"], "skip": ["bpf.gen.test"],
            "fail": ["membarrier.gen.test", "qual_signal.test"]})

    def assert_listed_with_reasons(self, listed, example):
        self.assertIn(example, listed)
        for name, why in listed.items():
            self.assertRegex(name, r"\.test$")
            self.assertGreater(len(why.split()), 3, name)

    def test_every_expected_strace_failure_has_a_reason(self):
        self.assert_listed_with_reasons(validate.expected_failures(),
                                        "membarrier.gen.test")

    def test_tests_not_run_have_a_reason_and_are_not_also_expected(self):
        notrun = validate.not_run()
        self.assert_listed_with_reasons(notrun,
                                        "filtering_syscall-syntax.test")
        self.assertFalse(notrun.keys() & validate.expected_failures().keys())

    def test_outcome_report_counts_listed_and_unlisted_failures(self):
        sets = validate.tap_sets("ok 1 a.test\nnot ok 2 m.test # exit 1\n"
                                 "not ok 3 n.test # exit 1\n"
                                 "ok 4 p.test\n")
        md = "\n".join(validate.outcome_report(
            "strace", {"base": sets, "series": sets},
            {"m.test": "why m", "p.test": "why p", "q.test": "why q"}))
        self.assertIn("| base | 2 | 1 | 1 | 0 |", md)
        self.assertIn("- m.test: why m", md)
        self.assertIn("(the list may shrink): p.test\n", md + "\n")
        self.assertIn("- filtering_syscall-syntax.test: ", md)

    def test_strace_timing_tests_are_not_compared(self):
        a = "ok 1 strace-r.test\nnot ok 2 x.test # exit 1\n"
        b = "not ok 1 strace-r.test # exit 1\nnot ok 2 x.test # exit 1\n"
        self.assertEqual(validate.comparable("strace", a),
                         validate.comparable("strace", b))
        self.assertNotEqual(validate.comparable("strace", a),
                            validate.comparable("strace", "ok 2 x.test\n"))


class OverlayIdent(unittest.TestCase):
    def ident(self, pieces, slice_=None):
        with unittest.mock.patch.dict(os.environ):
            os.environ.pop("STRACE_SLICE", None)
            if slice_:
                os.environ["STRACE_SLICE"] = slice_
            return validate.overlay_inputs(pieces)

    def test_strace_selection_changes_only_the_strace_overlay(self):
        self.assertEqual(self.ident(["churn", "gdb"]),
                         self.ident(["churn", "gdb"], "1-10"))
        self.assertNotEqual(self.ident(["strace"]),
                            self.ident(["strace"], "1-10"))
        self.assertNotEqual(self.ident(["strace"], "1-10"),
                            self.ident(["strace"], "1-10,20-30"))


if __name__ == "__main__":
    unittest.main()
