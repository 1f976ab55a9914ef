"""A KTAP/TAP parser for kselftest output captured from a serial console.

run_kselftest.sh prints one top-level document: a plan, then for each test
program its own output prefixed with "# " and a result line.  Programs built
on kselftest_harness.h print a nested document inside that output.  This
parser rebuilds the tree and keeps what a reader needs: result, directive
(SKIP, XFAIL, TODO, TIMEOUT) and reason, and whether the document was cut
short (plan not met) -- a crash or hang is never a pass.
"""

import re

KERNEL_LOG = re.compile(r"^\[\s*\d+\.\d+\]")
VERSION = re.compile(r"^(?:K?TAP) version \d+\s*$")
PLAN = re.compile(r"^1\.\.(\d+)\s*$")
RESULT = re.compile(r"^(not ok|ok)\s+(\d+)\s*(?:-\s*)?(.*?)\s*$")
DIRECTIVE = re.compile(r"\s#\s*(SKIP|XFAIL|TODO|TIMEOUT|XPASS)\b\s*(.*)$",
                       re.I)


class Test:
    def __init__(self, number, name, ok, directive=None, reason=""):
        self.number = number
        self.name = name
        self.ok = ok
        self.directive = directive
        self.reason = reason
        self.subtests = []
        self.plan = None
        self.truncated = False
        self.diagnostics = []

    @property
    def result(self):
        if self.directive == "SKIP":
            return "skip"
        if self.directive == "XFAIL":
            return "xfail"
        if self.directive == "TIMEOUT":
            return "timeout"
        if not self.ok:
            # kselftest_harness.h's own timeout of a case
            if any("Test terminated by timeout" in d
                   for d in self.diagnostics):
                return "timeout"
            return "fail"
        if self.truncated or any(s.result in ("fail", "timeout", "crash")
                                 for s in self.subtests):
            # The program said ok but its own document says otherwise.
            return "fail"
        return "pass"

    def __repr__(self):
        return f"<Test {self.number} {self.name!r} {self.result}>"


class Document:
    def __init__(self):
        self.plan = None
        self.tests = []
        self.diagnostics = []
        self.has_version = False

    @property
    def truncated(self):
        return self.plan is not None and len(self.tests) < self.plan


def clean_lines(text):
    """Console text -> lines: CRs and kernel log lines dropped."""
    out = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if KERNEL_LOG.match(line):
            continue
        out.append(line.rstrip())
    return out


def _strip_prefix(line):
    if line.startswith("# "):
        return line[2:]
    if line == "#":
        return ""
    if line.startswith("    "):
        return line[4:]
    return None


def parse_lines(lines):
    doc = Document()
    block = []
    for line in lines:
        s = line.strip()
        if VERSION.match(s) and not doc.has_version and not doc.tests:
            doc.has_version = True
            continue
        m = PLAN.match(s)
        if m and doc.plan is None and not line.startswith("#"):
            doc.plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if m:
            ok = m.group(1) == "ok"
            desc = m.group(3)
            directive, reason = None, ""
            d = DIRECTIVE.search(" " + desc)
            if d:
                directive = d.group(1).upper()
                reason = d.group(2).strip()
                desc = (" " + desc)[:d.start()].strip()
            elif " # " in desc:
                # Any other comment, such as runner.sh's "# exit=1".
                desc, _, reason = desc.partition(" # ")
            t = Test(int(m.group(2)), desc, ok, directive, reason)
            _attach_block(t, block)
            doc.tests.append(t)
            block = []
            continue
        block.append(line)
    doc.diagnostics = block
    return doc


def _attach_block(test, block):
    """The lines before a result belong to that test: parse the nested
    document they hold, if any."""
    inner = []
    for line in block:
        s = _strip_prefix(line)
        if s is None:
            test.diagnostics.append(line)
        else:
            inner.append(s)
    if any(VERSION.match(x.strip()) for x in inner) or \
       any(RESULT.match(x) for x in inner):
        sub = parse_lines(inner)
        test.subtests = sub.tests
        test.plan = sub.plan
        test.truncated = sub.truncated
        test.diagnostics.extend(sub.diagnostics)
    else:
        test.diagnostics.extend(inner)


def parse(text):
    return parse_lines(clean_lines(text))


def between_markers(text, begin="HARNESS: BEGIN", end="HARNESS: END"):
    """(body, began, ended, end_line) of the console text."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = None
    for i, line in enumerate(lines):
        if begin in line and start is None:
            start = i + 1
        elif end in line and start is not None:
            return "\n".join(lines[start:i]), True, True, line.strip()
    if start is None:
        return "", False, False, None
    return "\n".join(lines[start:]), True, False, None
