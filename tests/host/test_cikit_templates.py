"""The README's CI templates for an app repository with Takt as a git submodule:
their takt commands, run as written from the root of such a repository (Takt linked
in as ./takt), build and test the app and leave a JUnit report. The package install
line (apt-get in a fresh container) is left out: ./takt setup covers the rest."""
import os
import re
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

MAIN_C = '#include <stdio.h>\nint main(void) { printf("ci-app: ok\\n"); return 0; }\n'
TESTS_YAML = "tests:\n  ok:\n    boards: [qemu-virt-arm64]\n    expect: ['^ci-app: ok']\n"


def template(title):
    """The commands of the first yaml block after the README line naming `title`."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    start = text.index(title)
    block = re.search(r"```yaml\n(.*?)```", text[start:], re.S).group(1)
    cmds = re.findall(r"^\s*-?\s*(?:run:\s*)?(\./takt/takt .*)$", block, re.M)
    return [c.strip() for c in cmds]


class Templates(unittest.TestCase):
    def run_template(self, title):
        cmds = template(title)
        self.assertTrue(any(" test " in c and "--junit" in c for c in cmds), cmds)
        with tempfile.TemporaryDirectory() as d:
            project = os.path.join(d, "cikit-ci-app")
            os.mkdir(project)
            os.symlink(ROOT, os.path.join(project, "takt"))
            for name, text in (("CMakeLists.txt", "takt_app(SOURCES main.c)\n"),
                               ("main.c", MAIN_C), ("tests.yaml", TESTS_YAML)):
                with open(os.path.join(project, name), "w") as f:
                    f.write(text)
            for cmd in cmds:
                p = subprocess.run(cmd, shell=True, cwd=project, capture_output=True,
                                   text=True, timeout=900)
                self.assertEqual(p.returncode, 0, (cmd, p.stdout[-3000:], p.stderr))
            root = ET.parse(os.path.join(project, "report.xml")).getroot()
        self.assertEqual((root.get("tests"), root.get("failures")), ("1", "0"))
        self.assertEqual([tc.get("name") for tc in root.iter("testcase")], ["ok"])

    def test_github_actions(self):
        self.run_template("GitHub Actions")

    def test_gitlab_ci(self):
        self.run_template("GitLab CI (")


if __name__ == "__main__":
    unittest.main()
