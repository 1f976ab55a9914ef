"""Declared behaviour changes: the base and each patch are held to the
outcomes the base and harness/expected_changes.json predict."""

import json
import os
import unittest

from harness import check, deps, results
from harness.common import HarnessError, ROOT

DECL = [{"patch": "B", "config": "debug", "suite": "rseq",
         "test": "t/case.one", "before": "fail", "after": "pass",
         "why": "moved"}]
SUBJECTS = ["A", "B", "C"]


def rows(kernel, config, results_by_test):
    return [{"kernel": kernel, "config": config, "suite": "rseq",
             "test": t, "result": r} for t, r in results_by_test.items()]


class DeclaredChanges(unittest.TestCase):
    def setUp(self):
        self.decls = results.with_positions(DECL, SUBJECTS)
        self.base = rows("base", "debug", {"t": "fail", "t/case.one": "fail",
                                           "t/case.two": "pass"})

    def test_position_is_the_declaring_patch(self):
        self.assertEqual(self.decls[0]["position"], 2)

    def test_unknown_patch_is_an_error(self):
        with self.assertRaises(ValueError):
            results.with_positions([dict(DECL[0], patch="Z")], SUBJECTS)

    def test_before_the_patch_the_base_outcome_is_expected(self):
        k = rows("p1", "debug", {"t": "fail", "t/case.one": "fail",
                                 "t/case.two": "pass"})
        self.assertEqual(results.unexpected(k, self.base, self.decls, 1,
                                            "debug"), [])

    def test_before_the_patch_the_new_outcome_is_unexpected(self):
        k = rows("p1", "debug", {"t": "pass", "t/case.one": "pass",
                                 "t/case.two": "pass"})
        got = results.unexpected(k, self.base, self.decls, 1, "debug")
        self.assertIn(("rseq", "t/case.one", "fail", "pass"), got)

    def test_from_the_patch_on_the_new_outcome_is_expected(self):
        k = rows("p2", "debug", {"t": "pass", "t/case.one": "pass",
                                 "t/case.two": "pass"})
        for pos in (2, 3):
            self.assertEqual(results.unexpected(k, self.base, self.decls,
                                                pos, "debug"), [])

    def test_from_the_patch_on_the_old_outcome_is_unexpected(self):
        k = rows("p3", "debug", {"t": "fail", "t/case.one": "fail",
                                 "t/case.two": "pass"})
        got = results.unexpected(k, self.base, self.decls, 3, "debug")
        self.assertIn(("rseq", "t/case.one", "pass", "fail"), got)

    def test_an_undeclared_change_elsewhere_is_caught(self):
        k = rows("p3", "debug", {"t": "fail", "t/case.one": "pass",
                                 "t/case.two": "fail"})
        got = results.unexpected(k, self.base, self.decls, 3, "debug")
        self.assertEqual(got, [("rseq", "t/case.two", "pass", "fail")])

    def test_a_base_that_does_not_show_the_before_side_is_caught(self):
        base = rows("base", "debug", {"t": "pass", "t/case.one": "pass",
                                      "t/case.two": "pass"})
        k = rows("p3", "debug", {"t": "pass", "t/case.one": "pass",
                                 "t/case.two": "pass"})
        got = results.unexpected(k, base, self.decls, 3, "debug")
        self.assertEqual(got, [("rseq", "t/case.one", "fail on the base",
                                "pass")])

    def test_other_configs_are_not_declared(self):
        base = rows("base", "prod", {"t/case.one": "fail"})
        k = rows("p3", "prod", {"t/case.one": "pass"})
        got = results.unexpected(k, base, self.decls, 3, "prod")
        self.assertEqual(got, [("rseq", "t/case.one", "fail", "pass")])

    def test_base_failure_on_the_declared_side_is_not_a_failure(self):
        self.assertEqual(results.failures(self.base, self.decls), [])
        series = rows("series", "debug", {"t": "fail", "t/case.one": "fail"})
        self.assertEqual(len(results.failures(series, self.decls)), 2)

    def test_undeclared_keeps_what_no_declaration_explains(self):
        diffs = [("debug", "rseq", "t/case.one", "fail", "pass"),
                 ("debug", "rseq", "t", "fail", "pass"),
                 ("debug", "rseq", "u/x", "pass", "fail")]
        self.assertEqual(results.undeclared(diffs, self.decls),
                         [("debug", "rseq", "u/x", "pass", "fail")])


class ExpectedChangesFile(unittest.TestCase):
    def test_every_entry_is_complete_and_names_a_patch_of_the_series(self):
        decls = json.load(open(os.path.join(ROOT, "harness",
                                            "expected_changes.json")))
        subjects = set()
        for p in sorted(os.listdir(os.path.join(ROOT, "series"))):
            with open(os.path.join(ROOT, "series", p)) as fh:
                text = fh.read()
            head = text.split("\n\n", 1)[0]
            subj = head.split("Subject: ", 1)[1].split("\nTo:")[0]
            subjects.add(" ".join(subj.split("] ", 1)[-1].split()))
        for d in decls:
            self.assertEqual(set(d), {"patch", "config", "suite", "test",
                                      "before", "after", "why"})
            self.assertIn(d["patch"], subjects)
            self.assertNotEqual(d["before"], d["after"])
            self.assertTrue(d["why"])


MAIL = """From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Ann Author
 <ann@example.org>
Subject: [PATCH] x: y

Body.

{trailers}
---
 a | 1 +
"""


class Trailers(unittest.TestCase):
    def test_the_author_signs_off(self):
        who = check.check_patch_trailers(
            "p", MAIL.format(trailers="Signed-off-by: Ann Author "
                             "<ann@example.org>"))
        self.assertEqual(who, "Ann Author <ann@example.org>")

    def test_someone_else_signing_off_is_not_enough(self):
        with self.assertRaisesRegex(HarnessError, "not signed it off"):
            check.check_patch_trailers(
                "p", MAIL.format(trailers="Signed-off-by: Bob "
                                 "<bob@example.org>"))

    def test_review_trailers_are_refused(self):
        with self.assertRaisesRegex(HarnessError, "Reviewed-by"):
            check.check_patch_trailers("p", MAIL.format(
                trailers="Reviewed-by: Bob <bob@example.org>\n"
                "Signed-off-by: Ann Author <ann@example.org>"))


class Bases(unittest.TestCase):
    def test_bases_are_pinned(self):
        for name, b in deps.BASES.items():
            self.assertRegex(b["sha256"], r"^[0-9a-f]{64}$", name)
            self.assertTrue(b["version"] and b["suite"] and b["uri"], name)
        self.assertIn(deps.DEFAULT_BASE, deps.BASES)

    def test_own_apt_state_reads_no_machine_sources(self):
        import tempfile
        from unittest import mock
        with tempfile.TemporaryDirectory() as tmp, \
                mock.patch.object(deps, "BUILD", tmp):
            opts = deps.own_apt_options("7.3")
            self.assertIn("Dir::Etc::SourceList=/dev/null", opts)
            src = open(os.path.join(tmp, "apt", "7.3", "sources.list.d",
                                    "base.sources")).read()
            self.assertIn("Suites: trixie-backports", src)


if __name__ == "__main__":
    unittest.main()
