"""The harness's model: the one cache rule, the kernel record, bisect's
comparison, run's reuse of a boot, and the cover letter's claims."""

import contextlib
import os
import tempfile
import unittest
from unittest import mock

from harness import bisect, boot, cover, kbuild, mutants, results, run
from harness.common import Cache, HarnessError, series_patches


class OneCache(unittest.TestCase):
    def test_hit_needs_the_same_inputs_and_the_product(self):
        with tempfile.TemporaryDirectory() as d:
            product = os.path.join(d, "product")
            stamp = os.path.join(d, "product.stamp")
            self.assertFalse(Cache(stamp, "a", b"b").hit(product))
            with Cache(stamp, "a", b"b", note="made from a, b").making():
                open(product, "w").close()
            self.assertTrue(Cache(stamp, "a", b"b").hit(product))
            self.assertEqual("made from a, b",
                             Cache(stamp, "x").recorded_note())
            self.assertFalse(Cache(stamp, "a", b"c").hit(product))
            os.unlink(product)
            self.assertFalse(Cache(stamp, "a", b"b").hit(product))

    def test_a_failed_step_leaves_no_stamp(self):
        with tempfile.TemporaryDirectory() as d:
            stamp = os.path.join(d, "s")
            Cache(stamp, "old").record()
            with self.assertRaises(RuntimeError):
                with Cache(stamp, "new").making():
                    raise RuntimeError("build failed")
            self.assertFalse(Cache(stamp, "old").hit())
            self.assertFalse(Cache(stamp, "new").hit())


class KernelRecord(unittest.TestCase):
    def test_paths_and_labels(self):
        with mock.patch.object(kbuild, "OUT", "/o"):
            k = kbuild.Kernel.of("series", "prod")
            self.assertEqual("/o/kernels/series-prod/Image", k.image)
            self.assertEqual("/o/kernels/series-prod/console.log",
                             k.path("console.log"))
            p = kbuild.Kernel.at_patch("0011-arm64-syscall-Decide.patch",
                                       "abc", "debug")
            self.assertEqual(("p11", "abc", "p11-debug"),
                             (p.label, p.rev, p.name))
            self.assertEqual("0011-arm64-syscall-Decide.patch", p.patch)

    def test_unknown_kernel_and_unnumbered_patch(self):
        with self.assertRaises(HarnessError):
            kbuild.Kernel.of("tip", "debug")
        with self.assertRaises(HarnessError):
            kbuild.Kernel.at_patch("cover.patch", "abc", "debug")


def row(kernel, test, result, config="debug", suite="ptrace"):
    return {"kernel": kernel, "config": config, "suite": suite,
            "test": test, "result": result}


class BisectCompare(unittest.TestCase):
    DECL = [{"suite": "ptrace", "test": "p/changed", "config": "debug",
             "before": "fail", "after": "pass", "position": 3,
             "why": "patch 3 changes it"}]

    def base(self):
        return [row("base", "p", "pass"), row("base", "p/same", "pass"),
                row("base", "p/changed", "fail")]

    def test_a_patch_before_the_change_must_give_the_base_outcome(self):
        k = kbuild.Kernel("p02", "x", "debug", "0002-a.patch")
        rows = [row("p02", "p", "pass"), row("p02", "p/same", "pass"),
                row("p02", "p/changed", "fail")]
        n, diff, declared = bisect.compare(k, rows, self.base(), self.DECL,
                                           2)
        self.assertEqual((3, [], []), (n, diff, declared))
        rows[2] = row("p02", "p/changed", "pass")
        self.assertEqual(["ptrace:p/changed: expected fail, got pass"],
                         bisect.compare(k, rows, self.base(), self.DECL,
                                        2)[1])

    def test_from_the_changing_patch_on_the_new_outcome(self):
        k = kbuild.Kernel("p03", "x", "debug", "0003-b.patch")
        rows = [row("p03", "p", "pass"), row("p03", "p/same", "fail"),
                row("p03", "p/changed", "pass")]
        n, diff, declared = bisect.compare(k, rows, self.base(), self.DECL,
                                           3)
        self.assertEqual(["ptrace:p/same: expected pass, got fail"], diff)
        self.assertEqual(["ptrace:p/changed: pass"], declared)

    def test_only_the_programs_the_patch_ran_are_compared(self):
        k = kbuild.Kernel("p02", "x", "debug", "0002-a.patch")
        base = self.base() + [row("base", "q", "pass", suite="audit")]
        rows = [row("p02", "p", "pass"), row("p02", "p/same", "pass"),
                row("p02", "p/changed", "fail")]
        self.assertEqual([], bisect.compare(k, rows, base, self.DECL, 2)[1])


@contextlib.contextmanager
def fake_kernel(consoles, boots):
    """A base-debug kernel under a temporary OUT whose boots give the
    console texts consoles(n) for the n-th boot, counted in boots; yields
    (kernel, initrd)."""
    def fake_boot(image, initrd, log, name, config, **kw):
        text = consoles(len(boots))
        boots.append(name)
        with open(log, "w") as fh:
            fh.write(text)
        return text

    with tempfile.TemporaryDirectory() as d, \
            mock.patch.object(kbuild, "OUT", d), \
            mock.patch.object(boot, "boot", fake_boot):
        k = kbuild.Kernel.of("base", "debug")
        os.makedirs(k.dir)
        initrd = os.path.join(d, "initrd")
        for f in (k.image, initrd):
            with open(f, "w") as fh:
                fh.write("x")
        yield k, initrd


class Reuse(unittest.TestCase):
    def test_an_unchanged_kernel_is_not_booted_again(self):
        console = ("HARNESS: BEGIN\nTAP version 13\n1..1\n# selftests: "
                   "ptrace: t\nok 1 selftests: ptrace: t\nHARNESS: END "
                   "rc=0\n")
        boots = []
        with fake_kernel(lambda n: console, boots) as (k, initrd):
            planned = ["ptrace:t"]
            first = run.boot_one(k, initrd, planned, True, None)
            again = run.boot_one(k, initrd, planned, True, None)
            self.assertEqual(1, len(boots))
            self.assertEqual(first, again)
            run.boot_one(k, initrd, planned, False, None)
            self.assertEqual(2, len(boots), "--fresh boots again")
            with open(k.image, "w") as fh:
                fh.write("a new Image")
            run.boot_one(k, initrd, planned, True, None)
            self.assertEqual(3, len(boots), "a new Image boots again")


class FlakyTimeout(unittest.TestCase):
    """A subtest listed in suites.FLAKY_TIMEOUTS that timed out gets the
    kernel booted once more; the second boot's outcome counts."""
    CASE = "TRACE_syscall.seccomp.syscall_redirected"
    CONSOLE = ("HARNESS: BEGIN\nTAP version 13\n1..1\n# selftests: "
               "seccomp: seccomp_bpf\n# 1..1\n{case}not ok 1 selftests: "
               "seccomp: seccomp_bpf\nHARNESS: END rc=0\n")
    PASS = "# ok 1 " + CASE + "\n"
    TIMEOUT = ("# # syscall_redirected: Test terminated by timeout\n"
               "# not ok 1 " + CASE + "\n")

    def boot(self, *cases):
        boots = []
        with fake_kernel(lambda n: self.CONSOLE.format(case=cases[n]),
                         boots) as (k, initrd):
            rows = run.boot_one(k, initrd, ["seccomp:seccomp_bpf"], False,
                                None)
            kept = os.path.exists(k.path("console.first.log"))
        row = [r for r in rows if r["test"].endswith(self.CASE)][0]
        return row, len(boots), kept

    def test_the_second_boot_counts_and_the_first_log_is_kept(self):
        row, boots, kept = self.boot(self.TIMEOUT, self.PASS)
        self.assertEqual((2, True, "pass"), (boots, kept, row["result"]))
        self.assertIn("first boot", row["note"])

    def test_a_second_timeout_stays_a_timeout(self):
        row, boots, _ = self.boot(self.TIMEOUT, self.TIMEOUT)
        self.assertEqual((2, "timeout"), (boots, row["result"]))

    def test_no_timeout_no_second_boot(self):
        row, boots, kept = self.boot(self.PASS)
        self.assertEqual((1, False, "pass"), (boots, kept, row["result"]))


class CoverClaims(unittest.TestCase):
    def rows(self, series_result):
        out = []
        for k, res in (("base", "pass"), ("series", series_result)):
            for config in ("debug", "prod"):
                out += [row(k, "p", "pass", config),
                        row(k, "p/a", res, config)]
        return out

    def test_the_matrix_must_be_the_one_the_results_give(self):
        with mock.patch.object(results, "expected_changes", lambda: []):
            text = "intro\n\n" + cover.matrix(self.rows("pass"), []) + \
                "\n\nthe end\n"
            self.assertTrue(cover.check_claims(text, self.rows("pass"), []))
            with self.assertRaises(HarnessError) as e:
                cover.check_claims(text, self.rows("fail"), [])
            self.assertIn("not what this run measured", e.exception.message)
            self.assertIn("+  debug  ptrace:p/a: pass -> fail",
                          e.exception.message)
            with self.assertRaises(HarnessError):
                cover.check_claims(text + "\nBisection: each of ...\n",
                                   self.rows("pass"), [])


class Mutants(unittest.TestCase):
    def test_each_edit_is_of_code_the_series_has(self):
        """Every line a mutant replaces is a line of that file in the
        series (added or context), so a reworded patch is noticed here
        rather than by a mutant that fails to apply."""
        lines = {}
        for p in series_patches():
            path = None
            with open(p, errors="replace") as fh:
                text = fh.read()
            for ln in text.splitlines():
                if ln.startswith("+++ b/"):
                    path = ln[6:]
                elif path and ln[:1] in ("+", " ") and \
                        not ln.startswith("+++"):
                    lines.setdefault(path, set()).add(ln[1:])
        for name, path, old, new, breaks, must in mutants.MUTANTS:
            for ln in old.splitlines():
                if ln:
                    self.assertIn(ln, lines.get(path, ()), f"{name}: {ln!r}")
            self.assertNotEqual(old, new)
            self.assertTrue(must and breaks)

    def test_a_listed_test_must_pass_on_the_tip(self):
        m = [("m", "f", "a", "b", "breaks x", ["s:p/a", "s:p/b"])]
        rows = [{"kernel": "series", "config": "debug", "suite": "s",
                 "test": "p/a", "result": "pass"},
                {"kernel": "series", "config": "debug", "suite": "s",
                 "test": "p/b", "result": "fail"}]
        self.assertEqual(["s:p/b"], mutants.controls(m, rows))

    def test_a_mutant_is_caught_only_if_every_listed_test_fails(self):
        m = [("m", "f", "a", "b", "breaks x", ["s:p/a", "s:p/b"])]
        rows = [{"kernel": "m-m", "config": "debug", "suite": "s",
                 "test": t, "result": r}
                for t, r in (("p", "fail"), ("p/a", "fail"), ("p/b", "pass"),
                             ("p/c", "fail"))]
        j = mutants.judge(m, rows)[0]
        self.assertEqual(["s:p/b"], j["missed"])
        self.assertEqual(["s:p/c"], j["also"])
        self.assertIn("| m | breaks x | a, b | c |", mutants.table([j]))


if __name__ == "__main__":
    unittest.main()
