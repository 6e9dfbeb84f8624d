"""README's Quick start sample of `./takt run` matches a recorded real run
(tests/host/data/takt-run.txt: the terminal of `./takt run` on qemu-virt-arm64, build
lines cut, absolute paths made relative): every sample line but '...' is a line of the
run, in the same order, and its T: lines have cyclictest's exact format. When the output changes,
re-record it: `./takt run > out 2>&1`, keep from "[run] booting" on, paths relative."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True

import cyclictest_report as ctr  # noqa: E402

MARK = "<!-- the lines below are checked against a recorded run"


def readme_sample():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    at = text.index(MARK)
    m = re.search(r"```\n(.*?)\n```", text[at:], re.S)
    return m.group(1).split("\n")


def recorded():
    with open(os.path.join(HERE, "data", "takt-run.txt"), errors="replace") as f:
        return [ln.rstrip() for ln in ctr.clean_lines(f.read())]


def in_order(sample, run):
    """The first sample line not found in run after the previous one, else None."""
    k = 0
    for line in sample:
        if line == "...":
            continue
        while k < len(run) and run[k] != line.rstrip():
            k += 1
        if k == len(run):
            return line
        k += 1
    return None


class ReadmeRun(unittest.TestCase):
    def test_sample_matches_recorded_run(self):
        sample = readme_sample()
        self.assertGreater(len([s for s in sample if s != "..."]), 10)
        self.assertIsNone(in_order(sample, recorded()))

    def test_t_lines_in_cyclictest_format(self):
        for line in readme_sample():
            m = ctr.T_RE.search(line)
            if m:
                vals = tuple(int(v) for v in m.groups())
                self.assertIn(line, [f % vals for f in ctr.T_FORMATS])

    def test_checker_can_fail(self):
        run = recorded()
        self.assertEqual(in_order(["json: build/x.json"], run), "json: build/x.json")
        swapped = [s for s in readme_sample() if s != "..."][::-1]
        self.assertIsNotNone(in_order(swapped, run))


if __name__ == "__main__":
    unittest.main()
