"""Progress and failure reports: the heartbeat, a build's first error, a
hung guest program named."""

import io
import os
import subprocess
import tempfile
import unittest
from contextlib import redirect_stdout
from unittest import mock

from harness import boot, common


class FirstError(unittest.TestCase):
    def test_first_error_of_this_command_only(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "build.log")
            with open(log, "w") as fh:
                fh.write("old.c:1:1: error: from an earlier build\n")
            start = os.path.getsize(log)
            with open(log, "a") as fh:
                fh.write("  CC foo.o\nfoo.c:3:5: error: 'x' undeclared\n"
                         "bar.c:9:1: error: later\n"
                         "make[2]: *** [foo.o] Error 1\n")
            self.assertEqual(common.first_error(log, start),
                             "foo.c:3:5: error: 'x' undeclared")

    def test_failed_command_reports_the_first_error(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "b.log")
            with self.assertRaises(common.HarnessError) as cm:
                common.run(["sh", "-c", "echo 'a.c:1:2: error: bad'; "
                            "echo 'make: *** Error 1'; exit 2"], log=log)
            self.assertIn("first error: a.c:1:2: error: bad",
                          cm.exception.message)


class Heartbeat(unittest.TestCase):
    def test_long_stage_says_it_is_running(self):
        with tempfile.TemporaryDirectory() as d, \
                mock.patch.object(common, "HEARTBEAT", 0.2), \
                mock.patch.object(common, "TIMINGS",
                                  os.path.join(d, "t.json")):
            out = io.StringIO()
            with redirect_stdout(out):
                with common.Stage("build x", key="build-x"):
                    import time
                    time.sleep(0.5)
            self.assertIn("build x: running for", out.getvalue())
            self.assertIn("build-x", common.read_json(
                os.path.join(d, "t.json")))


class HungProgram(unittest.TestCase):
    def console(self, script, silence, timeout=30):
        proc = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        out = io.StringIO()
        try:
            with redirect_stdout(out), tempfile.TemporaryFile() as fh:
                got = boot._console(proc, fh, timeout, silence, "k-c", True)
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
        return got, out.getvalue()

    def test_silent_program_is_named(self):
        (rc, why), _ = self.console(
            "echo '# selftests: ptrace: vmaccess'; sleep 20", silence=1)
        self.assertIsNone(rc)
        self.assertIn("ptrace:vmaccess printed nothing", why)

    def test_results_stream_and_silence_between_programs_is_fine(self):
        (rc, why), out = self.console(
            "echo '# selftests: a: b'; echo 'ok 1 selftests: a: b'; "
            "sleep 2; exit 3", silence=1)
        self.assertEqual((rc, why), (3, None))
        self.assertIn("k-c: ok a:b", out)


if __name__ == "__main__":
    unittest.main()
