"""validate's console parsing: sections, comparison, splat detection."""

import unittest

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


if __name__ == "__main__":
    unittest.main()
