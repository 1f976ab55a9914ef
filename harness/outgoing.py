"""`make outgoing`: the mail-ready set in out/outgoing/.

git format-patch --cover-letter -v N --base, with the cover letter taken
from series/0000-cover-letter.patch and To/Cc filled from the base tree's
scripts/get_maintainer.pl (maintainers and lists To, reviewers Cc).

Usage: python3 -m harness outgoing  (VERSION=N, default 2: this is v2)
"""

import os
import shutil

from . import tree
from .common import OUT, HarnessError, Stage, say


def main(argv):
    version = os.environ.get("VERSION", "2")
    if not version.isdigit():
        raise HarnessError(f"VERSION={version}: want a number",
                           stage="outgoing")
    tree.apply_series()
    dest = os.path.join(OUT, "outgoing")
    with Stage(f"outgoing: v{version} with To/Cc from get_maintainer.pl"):
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.makedirs(dest)
        files = tree.format_series(dest, extra=[f"-v{version}",
                                                "--thread=shallow"])
    say(f"{len(files)} mails in {dest}, To/Cc from get_maintainer.pl")
    say("send with: git send-email " + os.path.relpath(dest) + "/*.patch")
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
