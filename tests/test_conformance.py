"""make conformance's table: arm64 base and series beside x86_64."""

import unittest

from harness import conformance as conf


def row(kernel, config, suite, test, result, **kw):
    return dict(kernel=kernel, config=config, suite=suite, test=test,
                result=result, **kw)


class Table(unittest.TestCase):
    rules = [("*", "arm64", "syscall_stop*", "abi: arm64's", None, None),
             ("prod", "rseq", "syscall_debug_test/*", "deliberate: why",
              None, None),
             ("*", "seccomp", "seccomp_bpf", "env: timeout", "known", None),
             ("*", "seccomp", "seccomp_bpf/T.*", "env: x86 slow", "pass",
              "timeout")]

    def test_rows_and_kinds(self):
        arm = [row("base", "debug", "ptrace", "syscall_exit_stops", "pass"),
               row("series", "debug", "ptrace", "syscall_exit_stops",
                   "pass"),
               row("base", "debug", "rseq", "syscall_debug_test/a", "fail"),
               row("series", "debug", "rseq", "syscall_debug_test/a",
                   "pass"),
               row("series", "debug", "arm64", "syscall_stop/x7", "pass"),
               row("series", "debug", "seccomp", "seccomp_bpf/t", "fail",
                   known="tcg")]
        x86 = [row("x86_64", "debug", "ptrace", "syscall_exit_stops",
                   "pass"),
               row("x86_64", "debug", "rseq", "syscall_debug_test/a",
                   "pass"),
               row("x86_64", "debug", "seccomp", "seccomp_bpf/t", "pass")]
        rows = conf.table(arm, x86, ["debug"], self.rules)
        by = {r["test"]: r for r in rows}
        self.assertEqual("", by["syscall_exit_stops"]["difference"])
        self.assertEqual("", by["syscall_debug_test/a"]["difference"])
        self.assertEqual("abi: arm64's", by["syscall_stop/x7"]["difference"])
        self.assertEqual("absent", by["syscall_stop/x7"]["x86_64"])
        self.assertEqual("known", by["seccomp_bpf/t"]["arm64-series"])
        self.assertEqual("UNEXPLAINED", by["seccomp_bpf/t"]["difference"])
        s = conf.summary(rows)["debug"]
        self.assertEqual((4, 2, 1, 1, 1), (s["rows"], s["same"], s["aligned"],
                                           s["abi"], s["unexplained"]))

    def test_rule_for_one_outcome_only(self):
        self.assertEqual("env: timeout", conf.explain(
            self.rules, "debug", "seccomp", "seccomp_bpf", "known"))
        self.assertIsNone(conf.explain(self.rules, "debug", "seccomp",
                                       "seccomp_bpf", "fail"))

    def test_rule_for_one_x86_64_outcome_only(self):
        self.assertEqual("env: x86 slow", conf.explain(
            self.rules, "prod", "seccomp", "seccomp_bpf/T.a", "pass",
            "timeout"))
        self.assertIsNone(conf.explain(self.rules, "prod", "seccomp",
                                       "seccomp_bpf/T.a", "pass", "fail"))

    def test_rule_config_glob(self):
        self.assertEqual("deliberate: why", conf.explain(
            self.rules, "prod", "rseq", "syscall_debug_test/b"))
        self.assertIsNone(conf.explain(self.rules, "debug", "rseq",
                                       "syscall_debug_test/b"))

    def test_shipped_rules_are_well_formed(self):
        for c, s, t, why, when, when_x86 in conf.rules():
            self.assertIn(why.split(":")[0], conf.KINDS)


class ConfigMismatches(unittest.TestCase):
    def test_values_that_did_not_land(self):
        import os
        import tempfile
        from harness import kbuild
        with tempfile.TemporaryDirectory() as d:
            frag = os.path.join(d, "a.config")
            with open(frag, "w") as fh:
                fh.write("CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\n")
            dot = os.path.join(d, ".config")
            with open(dot, "w") as fh:
                fh.write("CONFIG_A=y\nCONFIG_C=y\n")
            self.assertEqual([(frag, "CONFIG_B", "y", "n"),
                              (frag, "CONFIG_C", "n", "y")],
                             sorted(kbuild.mismatches(dot, [frag])))


if __name__ == "__main__":
    unittest.main()
