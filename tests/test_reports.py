"""What a run writes, also when a boot fails: rows of the kernels that
booted, rows that say which did not, KTAP and JUnit."""

import os
import tempfile
import unittest
import xml.etree.ElementTree as ET
from unittest import mock

from harness import boot, kbuild, results, run
from harness.common import HarnessError

CONSOLE = """HARNESS: BEGIN 7.3.4
TAP version 13
1..1
# selftests: ptrace: syscall_exit_stops
# TAP version 13
# 1..2
# ok 1 stops.plain
# ok 2 stops.error # SKIP no reason
ok 1 selftests: ptrace: syscall_exit_stops
HARNESS: END rc=0
"""


class OneBadBoot(unittest.TestCase):
    def test_the_others_are_still_reported(self):
        with tempfile.TemporaryDirectory() as d:
            kernels = []
            out = mock.patch.object(kbuild, "OUT", d)
            out.start()
            self.addCleanup(out.stop)
            for name in ("base", "series"):
                k = kbuild.Kernel.of(name, "debug")
                os.makedirs(k.dir)
                with open(k.image, "w") as fh:
                    fh.write(name)
                kernels.append(k)
            initrd = os.path.join(d, "initrd")
            with open(initrd, "w") as fh:
                fh.write("x")

            def fake_boot(image, initrd, log, name, config, **kw):
                if name == "series":
                    raise HarnessError("boot timed out", kernel=name,
                                       config=config, stage="boot", log=log)
                with open(log, "w") as fh:
                    fh.write(CONSOLE)
                return CONSOLE

            errors = []
            with mock.patch.object(boot, "boot", fake_boot):
                rows = run.test_kernels(
                    kernels, initrd, planned=["ptrace:syscall_exit_stops"],
                    errors=errors, ktap_dir=os.path.join(d, "ktap"))
            self.assertEqual(1, len(errors))
            base = [r for r in rows if r["kernel"] == "base"]
            self.assertEqual({"pass", "skip"}, {r["result"] for r in base})
            series = [r for r in rows if r["kernel"] == "series"]
            self.assertEqual(["fail"], [r["result"] for r in series])
            self.assertIn("boot timed out", series[0]["note"])
            with open(os.path.join(d, "ktap", "base-debug.ktap")) as fh:
                self.assertIn("ok 1 selftests: ptrace", fh.read())

            path = os.path.join(d, "junit.xml")
            results.write_junit(path, rows)
            root = ET.parse(path).getroot()
            cases = root.findall(".//testcase")
            self.assertEqual(4, len(cases))
            self.assertEqual(1, len(root.findall(".//failure")))
            self.assertEqual(1, len(root.findall(".//skipped")))

    def test_results_carry_what_ran(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "results.json")
            rows = [{"kernel": "base", "config": "debug", "suite": "a",
                     "test": "b", "result": "pass"}]
            results.write_results(path, rows, kernels=["base"])
            self.assertEqual(rows, results.read_rows(path))
            from harness.common import read_json
            doc = read_json(path)
            self.assertIn("harness", doc)
            self.assertEqual(["base"], doc["kernels"])
            # the older bare list still reads
            from harness.common import write_json
            write_json(path, rows)
            self.assertEqual(rows, results.read_rows(path))


if __name__ == "__main__":
    unittest.main()
