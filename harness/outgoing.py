"""`make outgoing`: the mail-ready set in out/outgoing/.

git format-patch --cover-letter -v N --base, with the cover letter taken
from series/0000-cover-letter.patch and To/Cc filled from the base tree's
scripts/get_maintainer.pl (maintainers and lists To, reviewers Cc).

Usage: python3 -m harness.outgoing  (VERSION=N, default 1)
"""

import glob
import os
import re
import shutil
import subprocess

from . import tree
from .common import OUT, TREE, HarnessError, Stage, run, say

LOG = os.path.join(OUT, "outgoing.log")


def maintainers(patches):
    proc = subprocess.run(
        [os.path.join(TREE, "scripts/get_maintainer.pl"), "--no-git",
         "--no-git-fallback", "--no-rolestats", "--roles", "--no-tree",
         *patches], cwd=TREE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    if proc.returncode:
        raise HarnessError("get_maintainer.pl failed: " + proc.stderr,
                           stage="outgoing")
    to, cc = [], []
    for line in proc.stdout.splitlines():
        addr, _, role = line.partition(" (")
        addr = addr.strip()
        if not addr or "@" not in addr:
            continue
        if re.search(r"maintainer|open list|moderated list", role) and \
           not re.search(r"reviewer|commit_signer", role):
            to.append(addr)
        else:
            cc.append(addr)
    return to, [c for c in cc if c not in to]


def main(argv):
    version = os.environ.get("VERSION", "1")
    if not version.isdigit():
        raise HarnessError(f"VERSION={version}: want a number",
                           stage="outgoing")
    tree.apply_series()
    dest = os.path.join(OUT, "outgoing")
    with Stage(f"outgoing: v{version} with To/Cc from get_maintainer.pl"):
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.makedirs(dest)
        run(["git", "-c", "core.abbrev=12", "format-patch", "--cover-letter",
             "--cover-from-description=subject", f"-v{version}",
             "--base=base", "--thread=shallow", "-o", dest, "base..series"],
            cwd=TREE, log=LOG, stage="outgoing", what="git format-patch")
        files = sorted(glob.glob(os.path.join(dest, "*.patch")))
        to, cc = maintainers([f for f in files
                              if "0000-cover-letter" not in f])
        if not to:
            raise HarnessError("get_maintainer.pl named no maintainer",
                               stage="outgoing", log=LOG)
        hdr = "To: " + ",\n    ".join(to) + "\n"
        if cc:
            hdr += "Cc: " + ",\n    ".join(cc) + "\n"
        for f in files:
            text = open(f).read()
            head, sep, body = text.partition("\n\n")
            with open(f, "w") as fh:
                fh.write(head + "\n" + hdr.rstrip("\n") + sep + body)
    say(f"{len(files)} mails in {dest}: To {len(to)}, Cc {len(cc)}")
    say("send with: git send-email " + os.path.relpath(dest) + "/*.patch")
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
