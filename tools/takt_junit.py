"""JUnit XML as GitLab, Jenkins and GitHub read it: one <testsuite> per board, one
<testcase> per case (classname = suite.board, name = case). A failed case of any kind
(expect, exit, timeout, crash, build) is a <failure> whose text is the console tail,
so a timed-out or unbuilt case is never missing from the report."""

import collections
import os
import re
import xml.etree.ElementTree as ET

import takt_crash

TAIL_LINES = 40
# XML 1.0 cannot carry most control characters, which a crashing guest may print.
BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Result = collections.namedtuple("Result", "board case kind message output seconds")
Result.__doc__ = "kind: None (passed) or the failure's kind; output: console or log"


def clean(text):
    return BAD_XML.sub("?", text)


def tail(text, n=TAIL_LINES):
    """The last n lines, a crash core's base64 folded into one (takt_crash.fold)."""
    return "\n".join(takt_crash.fold(text).rstrip("\n").split("\n")[-n:])


def write(path, suite, results):
    root = ET.Element("testsuites", name=suite)
    by_board = collections.OrderedDict()
    for r in results:
        by_board.setdefault(r.board, []).append(r)
    total = failed = 0
    for board, rs in by_board.items():
        nfail = sum(1 for r in rs if r.kind)
        ts = ET.SubElement(root, "testsuite", name="%s.%s" % (suite, board),
                           tests=str(len(rs)), failures=str(nfail), errors="0",
                           skipped="0", time="%.3f" % sum(r.seconds for r in rs))
        for r in rs:
            tc = ET.SubElement(ts, "testcase", classname="%s.%s" % (suite, board),
                               name=r.case, time="%.3f" % r.seconds)
            if r.kind:
                f = ET.SubElement(tc, "failure", type=r.kind, message=clean(r.message))
                f.text = clean(tail(r.output))
            if r.output:
                ET.SubElement(tc, "system-out").text = clean(r.output)
        total, failed = total + len(rs), failed + nfail
    root.set("tests", str(total))
    root.set("failures", str(failed))
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
