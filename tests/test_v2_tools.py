"""The range-diff's file list, the 6.12 comparison, the cover's matrix."""

import os
import tempfile
import unittest

from harness import cover, oldbase, rangediff

PATCH = """From 0 Mon Sep 17 00:00:00 2001
Subject: [PATCH] x

diff --git a/{a} b/{a}
--- a/{a}
+++ b/{a}
@@ -1 +1 @@
-x
+y
"""


class RangeDiff(unittest.TestCase):
    def test_touched_lists_existing_files_only(self):
        new = ("diff --git a/n b/n\nnew file mode 100644\n--- /dev/null\n"
               "+++ b/n\n")
        self.assertEqual(rangediff.touched([PATCH.format(a="arch/x.c"),
                                            PATCH.format(a="a/b.h"), new]),
                         ["a/b.h", "arch/x.c"])

    def test_v1_is_pinned_to_a_full_commit_id(self):
        self.assertRegex(rangediff.V1_COMMIT, r"^[0-9a-f]{40}$")


class OldBase(unittest.TestCase):
    def test_selftest_only_keeps_patches_that_touch_only_tests(self):
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i, f in enumerate(["tools/testing/selftests/x/t.c",
                                   "arch/arm64/kernel/syscall.c",
                                   "MAINTAINERS"]):
                p = os.path.join(tmp, f"{i:04d}-p.patch")
                with open(p, "w") as fh:
                    fh.write(PATCH.format(a=f))
                paths.append(p)
            self.assertEqual(oldbase.selftest_only(paths),
                             [paths[0], paths[2]])

    def test_compare_explains_known_differences_only(self):
        new = [{"kernel": "base", "config": "debug", "suite": "rseq",
                "test": "syscall_debug_test/rseq_syscall.plain.in_cs_sigsegv",
                "result": "pass"},
               {"kernel": "base", "config": "debug", "suite": "audit",
                "test": "audit_syscall_exit/x", "result": "pass"}]
        old = [dict(new[0], result="skip"), dict(new[1], result="fail")]
        got = oldbase.compare(old, new)
        self.assertEqual(len(got), 2)
        why = {d[2]: d[5] for d in got}
        self.assertTrue(why["syscall_debug_test/rseq_syscall.plain."
                            "in_cs_sigsegv"])
        self.assertIsNone(why["audit_syscall_exit/x"])

    def test_a_wrong_result_is_not_explained_by_the_right_reason(self):
        new = [{"kernel": "base", "config": "debug", "suite": "rseq",
                "test": "syscall_debug_test/a", "result": "pass"}]
        old = [dict(new[0], result="fail")]
        self.assertIsNone(oldbase.compare(old, new)[0][5])


class CoverMatrix(unittest.TestCase):
    def rows(self, kernel, res):
        return [{"kernel": kernel, "config": c, "suite": "s", "test": t,
                 "result": r} for c in ("debug", "prod")
                for t, r in res.items()]

    def test_matrix_counts_what_differs(self):
        rows = self.rows("base", {"p": "pass", "p/a": "pass", "p/b": "fail"})
        rows += self.rows("series", {"p": "pass", "p/a": "pass",
                                     "p/b": "pass"})
        text = cover.matrix(rows, [])
        self.assertIn("6 results per kernel", text)
        self.assertIn("4 are the same", text)
        self.assertIn("s:p/b: fail -> pass", text)
        self.assertIn("2 undeclared", text)


if __name__ == "__main__":
    unittest.main()
