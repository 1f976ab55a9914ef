"""The user's tree: an unexported commit or an edit is never lost, and
builds check out in the harness's own worktree."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from harness.common import ROOT


def sh(cwd, *cmd):
    return subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True).stdout


GIT_ENV = {"GIT_AUTHOR_NAME": "A U Thor", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "A U Thor",
           "GIT_COMMITTER_EMAIL": "a@example.org"}


class TreeWorkflow(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        os.environ.update(GIT_ENV)
        self.base = os.path.join(d, "base")
        os.makedirs(os.path.join(self.base, "arch", "arm64"))
        with open(os.path.join(self.base, "Makefile"), "w") as fh:
            fh.write("VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 4\n")
        with open(os.path.join(self.base, "a.c"), "w") as fh:
            fh.write("int a;\n")
        # What the export's To/Cc needs of a kernel tree.
        with open(os.path.join(self.base, "MAINTAINERS"), "w") as fh:
            fh.write("THE REST\nM:\tA Maintainer <m@example.org>\n"
                     "L:\tlinux-kernel@vger.kernel.org\nS:\tMaintained\n"
                     "F:\t*\nF:\t*/\n")
        os.makedirs(os.path.join(self.base, "scripts"))
        gm = os.path.join(self.base, "scripts", "get_maintainer.pl")
        with open(gm, "w") as fh:
            fh.write("#!/bin/sh\necho 'A Maintainer <m@example.org> "
                     "(maintainer:THE REST)'\n")
        os.chmod(gm, 0o755)
        sh(self.base, "git", "init", "-q")
        sh(self.base, "git", "add", ".")
        sh(self.base, "git", "commit", "-qm", "base")
        with open(os.path.join(self.base, "a.c"), "a") as fh:
            fh.write("int b;\n")
        sh(self.base, "git", "commit", "-qam", "one: add b")
        self.series = os.path.join(d, "series")
        sh(self.base, "git", "format-patch", "-q", "-o", self.series,
           "HEAD~1")
        sh(self.base, "git", "reset", "-q", "--hard", "HEAD~1")
        self.build = os.path.join(d, "build")
        self.tree = os.path.join(self.build, "linux")

    def tearDown(self):
        self.tmp.cleanup()

    def harness(self, *args):
        env = dict(os.environ, BASE=self.base, HARNESS_BUILD=self.build,
                   HARNESS_SERIES=self.series,
                   HARNESS_OUT=os.path.join(self.tmp.name, "out"))
        return subprocess.run([sys.executable, *args], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              timeout=120)

    def commit_in_tree(self, text, msg):
        with open(os.path.join(self.tree, "a.c"), "a") as fh:
            fh.write(text)
        sh(self.tree, "git", "commit", "-qam", msg)
        return sh(self.tree, "git", "rev-parse", "series").strip()

    def test_unexported_commit_is_tested_then_protected(self):
        p = self.harness("-m", "harness", "tree")
        self.assertEqual(0, p.returncode, p.stdout)
        mine = self.commit_in_tree("int c;\n", "two: add c")
        # series/ unchanged: the branch is used as it is.
        p = self.harness("-m", "harness.tree", "apply")
        self.assertEqual(0, p.returncode, p.stdout)
        self.assertIn("1 commit not in series/", p.stdout)
        # A build checks out in build/work, not in the user's tree.
        p = self.harness("-c", "from harness import kbuild; "
                         "kbuild.checkout('series')")
        self.assertEqual(0, p.returncode, p.stdout)
        self.assertEqual("refs/heads/series", sh(
            self.tree, "git", "symbolic-ref", "HEAD").strip())
        self.assertTrue(os.path.exists(os.path.join(self.build, "work",
                                                    "a.c")))
        # series/ changes too: refused, and nothing is lost.
        first = os.path.join(self.series, os.listdir(self.series)[0])
        shutil.copy(first, os.path.join(self.series, "0002-x.patch"))
        p = self.harness("-m", "harness.tree", "apply")
        self.assertNotEqual(0, p.returncode)
        self.assertIn("nothing was touched", p.stdout)
        self.assertEqual(mine, sh(self.tree, "git", "rev-parse",
                                  "series").strip())

    def test_distclean_refuses_unexported_commits(self):
        self.assertEqual(0, self.harness("-m", "harness", "tree").returncode)
        p = self.harness("-m", "harness.tree", "may-delete")
        self.assertEqual(0, p.returncode, p.stdout)
        self.commit_in_tree("int e;\n", "two: add e")
        p = self.harness("-m", "harness.tree", "may-delete")
        self.assertNotEqual(0, p.returncode)
        self.assertIn("make export first", p.stdout)
        os.environ["FORCE"] = "1"
        try:
            p = self.harness("-m", "harness.tree", "may-delete")
        finally:
            del os.environ["FORCE"]
        self.assertEqual(0, p.returncode, p.stdout)

    def test_export_then_apply_keeps_the_commit(self):
        self.assertEqual(0, self.harness("-m", "harness", "tree").returncode)
        self.commit_in_tree("int d;\n", "two: add d")
        p = self.harness("-m", "harness", "export")
        self.assertEqual(0, p.returncode, p.stdout)
        self.assertEqual(2, len([f for f in os.listdir(self.series)
                                 if not f.startswith("0000-")]))
        p = self.harness("-m", "harness.tree", "apply")
        self.assertEqual(0, p.returncode, p.stdout)
        self.assertNotIn("not in series/", p.stdout)

    def test_per_version_notes_survive_export_and_apply(self):
        self.assertEqual(0, self.harness("-m", "harness", "tree").returncode)
        self.commit_in_tree("int d;\n", "two: add d")
        sh(self.tree, "git", "notes", "add", "-m", "v2:\n- d added\n\n- x",
           "series")
        # an amend keeps the note (notes.rewriteRef)
        sh(self.tree, "git", "commit", "-q", "--amend", "-m", "two: add d.")
        p = self.harness("-m", "harness", "export")
        self.assertEqual(0, p.returncode, p.stdout)
        two = [f for f in os.listdir(self.series) if f.startswith("0002-")]
        text = open(os.path.join(self.series, two[0])).read()
        self.assertIn("---\n\nNotes:\n    v2:\n    - d added\n    \n    - x\n\n"
                      " a.c | 1 +", text)
        # made anew from series/: the note is back on the commit, and
        # series/ -> tree -> series/ is byte-identical
        p = self.harness("-m", "harness.tree", "check-roundtrip")
        self.assertEqual(0, p.returncode, p.stdout)
        self.assertEqual("v2:\n- d added\n\n- x\n",
                         sh(self.tree, "git", "notes", "show", "series"))

    def test_uncommitted_edit_is_not_overwritten(self):
        self.assertEqual(0, self.harness("-m", "harness", "tree").returncode)
        with open(os.path.join(self.tree, "a.c"), "a") as fh:
            fh.write("int edit;\n")
        os.unlink(os.path.join(self.series, os.listdir(self.series)[0]))
        p = self.harness("-m", "harness.tree", "apply")
        self.assertNotEqual(0, p.returncode)
        self.assertIn("uncommitted changes", p.stdout)
        with open(os.path.join(self.tree, "a.c")) as fh:
            self.assertIn("int edit;", fh.read())

    def test_a_new_base_does_not_delete_unexported_commits(self):
        self.assertEqual(0, self.harness("-m", "harness", "tree").returncode)
        mine = self.commit_in_tree("int f;\n", "two: add f")
        # The user's base moves on: the tree would be made anew.
        with open(os.path.join(self.base, "a.c"), "a") as fh:
            fh.write("int g;\n")
        sh(self.base, "git", "commit", "-qam", "base moves")
        p = self.harness("-m", "harness.tree", "apply")
        self.assertNotEqual(0, p.returncode)
        self.assertIn("nothing was touched", p.stdout)
        self.assertEqual(mine, sh(self.tree, "git", "rev-parse",
                                  "series").strip())

    def test_a_branch_of_the_users_own_tree(self):
        # The user's tree: the base commit, then two commits of theirs.
        sh(self.base, "git", "tag", "v7.3")
        sh(self.base, "git", "checkout", "-qb", "my-work")
        for line, msg in (("int b;\n", "one: add b"),
                          ("int c;\n", "two: add c")):
            with open(os.path.join(self.base, "a.c"), "a") as fh:
                fh.write(line)
            sh(self.base, "git", "commit", "-qam", msg)
        env = dict(os.environ, SERIES=f"{self.base}:v7.3..my-work",
                   HARNESS_BUILD=self.build,
                   HARNESS_OUT=os.path.join(self.tmp.name, "out"))
        env.pop("BASE", None)
        env.pop("HARNESS_SERIES", None)
        p = subprocess.run([sys.executable, "-m", "harness", "tree"],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertEqual(0, p.returncode, p.stdout)
        self.assertEqual(["one: add b", "two: add c"], sh(
            self.tree, "git", "log", "--reverse", "--format=%s",
            "base..series").split("\n")[:2])
        with open(os.path.join(self.tree, "a.c")) as fh:
            self.assertEqual("int a;\nint b;\nint c;\n", fh.read())
        # What a kernel developer mistypes gets a clear error.
        for spec, msg in (("nonsense", "expected <git tree>:<base>.."),
                          (f"{self.base}:v7.3..nope", "no commit 'nope'"),
                          (f"{self.base}:my-work..my-work",
                           "no commits in the range"),
                          (f"{self.tmp.name}:a..b", "is not a git tree")):
            env["SERIES"] = spec
            p = subprocess.run([sys.executable, "-m", "harness", "tree"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               timeout=120)
            self.assertNotEqual(0, p.returncode)
            self.assertIn(msg, p.stdout)

    def test_a_new_base_moves_a_tree_with_user_state_aside(self):
        self.assertEqual(0, self.harness("-m", "harness", "tree").returncode)
        sh(self.tree, "git", "branch", "my-work", "series")
        with open(os.path.join(self.tree, "a.c"), "a") as fh:
            fh.write("int edit;\n")
        with open(os.path.join(self.base, "b.c"), "w") as fh:
            fh.write("int g;\n")
        sh(self.base, "git", "add", "b.c")
        sh(self.base, "git", "commit", "-qm", "base moves")
        p = self.harness("-m", "harness.tree", "apply")
        self.assertEqual(0, p.returncode, p.stdout)
        self.assertNotIn("master", p.stdout)
        self.assertIn("nothing deleted", p.stdout)
        old = self.tree + ".old-1"
        self.assertIn("my-work", sh(old, "git", "branch"))
        with open(os.path.join(old, "a.c")) as fh:
            self.assertIn("int edit;", fh.read())

    def tree_then_a_bad_patch(self):
        """Make the tree, then add a patch to series/ that does not apply;
        the tip of branch series."""
        self.assertEqual(0, self.harness("-m", "harness", "tree").returncode)
        tip = sh(self.tree, "git", "rev-parse", "series").strip()
        with open(os.path.join(self.series, "0002-bad.patch"), "w") as fh:
            with open(os.path.join(self.series,
                                   os.listdir(self.series)[0])) as src:
                fh.write(src.read().replace(" int a;", " int nope;"))
        return tip

    def test_a_patch_that_does_not_apply_leaves_the_branch_as_it_was(self):
        tip = self.tree_then_a_bad_patch()
        p = self.harness("-m", "harness.tree", "apply")
        self.assertNotEqual(0, p.returncode)
        self.assertIn("does not apply", p.stdout)
        self.assertEqual(tip, sh(self.tree, "git", "rev-parse",
                                 "series").strip())

    def test_a_port_that_fails_leaves_the_tree_clean(self):
        tip = self.tree_then_a_bad_patch()
        code = ("import os\n"
                "from harness import tree\n"
                "from harness.common import HarnessError\n"
                "def port(patch):\n"
                "    with open(os.path.join(tree.TREE, 'a.c'), 'a') as fh:\n"
                "        fh.write('half ported\\n')\n"
                "    raise HarnessError('cannot port it', stage='oldbase')\n"
                "try:\n"
                "    tree.apply_series(port=port)\n"
                "except HarnessError as e:\n"
                "    print(e.message)\n"
                "    raise SystemExit(2)\n")
        p = self.harness("-c", code)
        self.assertEqual(2, p.returncode, p.stdout)
        self.assertIn("cannot port it", p.stdout)
        self.assertEqual("", sh(self.tree, "git", "status", "--porcelain",
                                "--untracked-files=no"))
        self.assertEqual(tip, sh(self.tree, "git", "rev-parse",
                                 "series").strip())


if __name__ == "__main__":
    unittest.main()
