"""Bad input gets a clear error, names where, and keeps the evidence."""

import os
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def harness(args, env):
    full = dict(os.environ, PYTHONPATH=ROOT, **env)
    full.pop("BASE", None)
    full.update(env)
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=full,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=120)


def fake_kernel(path):
    os.makedirs(os.path.join(path, "arch", "arm64"))
    with open(os.path.join(path, "Makefile"), "w") as fh:
        fh.write("VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n")
    with open(os.path.join(path, "arch", "arm64", "x.c"), "w") as fh:
        fh.write("int x;\n")


BAD_PATCH = textwrap.dedent("""\
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    From: A <a@example.com>
    Date: Thu, 1 Jan 2026 00:00:00 +0000
    Subject: [PATCH 1/1] arm64: x: change

    body

    Signed-off-by: A <a@example.com>
    ---
     arch/arm64/x.c | 2 +-
     1 file changed, 1 insertion(+), 1 deletion(-)

    diff --git a/arch/arm64/x.c b/arch/arm64/x.c
    --- a/arch/arm64/x.c
    +++ b/arch/arm64/x.c
    @@ -1 +1 @@
    -int y;
    +int z;
    """)


class OwnBuild(unittest.TestCase):
    """A build/ and series/ of the test's own."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.env = {"HARNESS_BUILD": os.path.join(self.tmp, "build"),
                    "HARNESS_SERIES": os.path.join(self.tmp, "series")}
        os.makedirs(self.env["HARNESS_SERIES"])


class Tree(OwnBuild):

    def test_missing_base(self):
        p = harness(["harness.tree", "apply"],
                    dict(self.env, BASE=os.path.join(self.tmp, "nope")))
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not exist", p.stdout)
        self.assertIn("stage=tree", p.stdout)

    def test_not_a_kernel_tree(self):
        os.makedirs(os.path.join(self.tmp, "empty"))
        p = harness(["harness.tree", "apply"],
                    dict(self.env, BASE=os.path.join(self.tmp, "empty")))
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a kernel source tree", p.stdout)

    def test_patch_that_does_not_apply_names_the_patch(self):
        fake_kernel(os.path.join(self.tmp, "k"))
        with open(os.path.join(self.env["HARNESS_SERIES"],
                               "0001-arm64-x-change.patch"), "w") as fh:
            fh.write(BAD_PATCH)
        p = harness(["harness.tree", "apply"],
                    dict(self.env, BASE=os.path.join(self.tmp, "k")))
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("0001-arm64-x-change.patch does not apply", p.stdout)
        self.assertIn("log:", p.stdout)

    def test_malformed_patch(self):
        fake_kernel(os.path.join(self.tmp, "k"))
        with open(os.path.join(self.env["HARNESS_SERIES"],
                               "0001-garbage.patch"), "w") as fh:
            fh.write("this is not a patch\n")
        p = harness(["harness.tree", "apply"],
                    dict(self.env, BASE=os.path.join(self.tmp, "k")))
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("0001-garbage.patch does not apply", p.stdout)

    def test_applies_on_a_user_git_tree(self):
        k = os.path.join(self.tmp, "k")
        fake_kernel(k)
        subprocess.run(["git", "init", "-q", k], check=True)
        subprocess.run(["git", "-C", k, "add", "-A"], check=True)
        subprocess.run(["git", "-C", k, "-c", "user.name=u", "-c",
                        "user.email=u@x", "commit", "-q", "-m", "k"],
                       check=True)
        good = BAD_PATCH.replace("-int y;", "-int x;")
        with open(os.path.join(self.env["HARNESS_SERIES"],
                               "0001-arm64-x-change.patch"), "w") as fh:
            fh.write(good)
        p = harness(["harness.tree", "apply"], dict(self.env, BASE=k))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("(1 patches)", p.stdout)
        tree = os.path.join(self.env["HARNESS_BUILD"], "linux")
        self.assertEqual(open(os.path.join(tree, "arch/arm64/x.c")).read(),
                         "int z;\n")


class Bisect(unittest.TestCase):
    """A patch before the one that adds a selftest directory (audit) must
    not be asked to build that directory."""

    def test_targets_follow_the_revision(self):
        tmp = tempfile.mkdtemp()
        k = os.path.join(tmp, "build", "linux")
        st = os.path.join(k, "tools", "testing", "selftests")
        os.makedirs(os.path.join(st, "ptrace"))
        open(os.path.join(st, "ptrace", "t.c"), "w").close()
        git = ["git", "-C", k, "-c", "user.name=u", "-c", "user.email=u@x"]
        subprocess.run(["git", "init", "-q", k], check=True)
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-qm", "one"], check=True)
        os.makedirs(os.path.join(st, "audit"))
        open(os.path.join(st, "audit", "t.c"), "w").close()
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-qm", "two"], check=True)
        code = ("from harness import selftests as s; "
                "print(s.targets_present('HEAD~1', ['ptrace', 'audit']), "
                "s.targets_present('HEAD', ['ptrace', 'audit']))")
        p = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONPATH=ROOT,
                     HARNESS_BUILD=os.path.join(tmp, "build")))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(p.stdout.strip(),
                         "['ptrace'] ['ptrace', 'audit']")


class Boot(unittest.TestCase):
    """boot.boot() with a stand-in for qemu that misbehaves."""

    def fake_qemu(self, script):
        path = os.path.join(self.tmp, "qemu")
        with open(path, "w") as fh:
            fh.write("#!/bin/sh\n" + script)
        os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
        return path

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.image = os.path.join(self.tmp, "Image")
        open(self.image, "w").close()

    def boot(self, script, timeout=3):
        code = textwrap.dedent(f"""
            from harness import boot
            from harness.common import HarnessError
            try:
                boot.boot({self.image!r}, "/dev/null",
                          {os.path.join(self.tmp, 'console.log')!r},
                          "series", "debug", timeout={timeout})
                print("RESULT ok")
            except HarnessError as e:
                print(e.describe())
            """)
        env = dict(os.environ, PYTHONPATH=ROOT,
                   HARNESS_QEMU=self.fake_qemu(script))
        return subprocess.run([sys.executable, "-c", code], env=env,
                              stdout=subprocess.PIPE, text=True,
                              timeout=60).stdout

    def test_hang_times_out_and_keeps_the_log(self):
        out = self.boot("echo booting; echo 'HARNESS: BEGIN'; sleep 30\n")
        self.assertIn("timed out", out)
        self.assertIn("kernel=series config=debug", out)
        self.assertIn("console.log", out)
        self.assertIn("HARNESS: BEGIN",
                      open(os.path.join(self.tmp, "console.log")).read())

    def test_panic_before_init(self):
        out = self.boot("echo 'Kernel panic - not syncing: VFS'; exit 0\n")
        self.assertIn("did not reach /init (kernel panic)", out)

    def test_truncated_ktap(self):
        out = self.boot("echo 'HARNESS: BEGIN'; echo 'TAP version 13'; "
                        "echo '1..5'; exit 0\n")
        self.assertIn("no end marker", out)

    def test_clean_run(self):
        out = self.boot("echo 'HARNESS: BEGIN'; echo 'HARNESS: END rc=0'\n")
        self.assertIn("RESULT ok", out)


class BuildLock(OwnBuild):
    """Two commands in one build/ would build under each other's checkout:
    the second is refused, naming the first, and the lock dies with it."""

    HOLD = ("from harness.common import hold_build; hold_build('t'); "
            "print('held', flush=True); import time; time.sleep(60)")

    def holder(self):
        p = subprocess.Popen([sys.executable, "-c", self.HOLD], cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=ROOT,
                                      **self.env),
                             stdout=subprocess.PIPE, text=True)
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        self.assertEqual("held", p.stdout.readline().strip())
        return p

    def test_second_command_refused_then_free(self):
        first = self.holder()
        p = harness(["harness", "tree"], self.env)
        self.assertEqual(1, p.returncode, p.stdout)
        self.assertIn(f"in use by pid {first.pid} (harness", p.stdout)
        self.assertIn("HARNESS_BUILD", p.stdout)
        self.assertNotIn("Traceback", p.stdout)
        first.kill()
        first.wait()
        self.holder()


if __name__ == "__main__":
    unittest.main()
