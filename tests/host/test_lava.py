"""./takt lava-job (tools/takt_lava.py): the sample app's tests.yaml cases as LAVA jobs,
run by Debian's lava-dispatcher (`lava-run`, a real LAVA run without a server) on the
rendered qemu device: the passing cases pass and the failing ones fail at the right
step. Real boards' u-boot jobs pass `lava-run --validate` on LAVA's own device types.
Cases that cannot become a job are refused (status 2) with the reason."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
TAKT = os.path.join(ROOT, "takt")
SAMPLE = os.path.abspath(os.path.join(HERE, "..", "ci-kit", "sample-app"))
SHELL_APP = os.path.abspath(os.path.join(HERE, "..", "ci-kit", "shell-app"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import takt_lava  # noqa: E402


def takt(*args, timeout=900):
    return subprocess.run([TAKT, *args], capture_output=True, text=True, timeout=timeout)


def paths(out):
    jobs = dict((os.path.basename(p)[4:-5], p) for p in re.findall(r"^job: (\S+)$", out, re.M))
    device = re.findall(r"^device: (\S+)$", out, re.M)
    return jobs, device[-1] if device else None


def lava_run(job, device, validate=False):
    """(lava-run's status, its result records)."""
    with tempfile.TemporaryDirectory() as d:
        cmd = ["lava-run", "--job-id", "7", "--output-dir", d, "--device", device, job]
        if validate:
            cmd.insert(1, "--validate")
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=300)
    return p.returncode, takt_lava.results_of(p.stdout), p.stdout


def steps(results, case):
    return {r["case"]: r["result"] for r in results
            if r.get("definition") == "0_" + case}


def job_result(results):
    return [r["result"] for r in results if r.get("case") == "job"][-1:]


class QemuJobs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Installs lava-dispatcher on first use; --run runs every case's job.
        cls.p = takt("lava-job", "-b", "qemu-virt-arm64", SAMPLE, "--run")
        cls.jobs, cls.device = paths(cls.p.stdout)

    def test_every_case_is_a_job_and_run_reports_each(self):
        self.assertEqual(self.p.returncode, 1, self.p.stdout + self.p.stderr)
        self.assertEqual(set(self.jobs), {"passes", "passes_icount", "types_a_line",
                                          "wrong_exit", "times_out", "crashes",
                                          "out_of_order"})
        self.assertTrue(self.device and os.path.isfile(self.device))
        for case in ("passes", "passes_icount", "types_a_line"):
            self.assertRegex(self.p.stdout, r"(?m)^\[lava\] PASS %s: " % case)
        for case in ("wrong_exit", "times_out", "crashes", "out_of_order"):
            self.assertRegex(self.p.stdout, r"(?m)^\[lava\] FAIL %s: " % case)
        self.assertRegex(self.p.stdout, r"(?m)^3 passed, 4 failed$")

    def test_lava_run_passes_a_good_case_step_by_step(self):
        rc, res, log = lava_run(self.jobs["passes"], self.device)
        self.assertEqual(rc, 0, log[-3000:])
        self.assertEqual(steps(res, "passes"),
                         {"expect_1": "pass", "expect_2": "pass", "exit": "pass"})
        self.assertEqual(job_result(res), ["pass"])
        self.assertIn("-append ok", log)       # the case's bootargs reached QEMU

    def test_typed_input_reaches_the_guest(self):
        rc, res, log = lava_run(self.jobs["types_a_line"], self.device)
        self.assertEqual(steps(res, "types_a_line"),
                         {"input_1": "pass", "expect_1": "pass", "exit": "pass"}, log[-3000:])

    def test_failing_cases_fail_at_their_step(self):
        want = {"wrong_exit": ("exit", r"Matched a failure: '\(\?m\)\^power: off"),
                "crashes": ("exit", r"Matched a failure: '\(\?m\)\^PANIC: '"),
                "out_of_order": ("expect_2", r"Matched a failure: '\(\?m\)\^power: off")}
        for case, (step, why) in want.items():
            rc, res, log = lava_run(self.jobs[case], self.device)
            self.assertEqual(steps(res, case).get(step), "fail", (case, log[-3000:]))
            self.assertRegex(log, why, case)

    def test_a_hang_is_a_timeout(self):
        rc, res, log = lava_run(self.jobs["times_out"], self.device)
        self.assertNotEqual(rc, 0)
        self.assertEqual(job_result(res), ["fail"])
        self.assertIn("timed out after 8 seconds", log)


class OtherBoards(unittest.TestCase):
    def test_microvm_job_passes(self):
        p = takt("lava-job", "-b", "qemu-microvm-x86_64", SAMPLE, "--test", "passes", "--run")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"(?m)^\[lava\] PASS passes: expect_1 pass, expect_2 "
                                   r"pass, exit pass")

    def test_real_boards_validate_on_lavas_device_types(self):
        for board, args in (("rpi-3b", ["--real"]), ("zcu102", ["--real"]), ("rpi-4b", [])):
            p = takt("lava-job", "-b", board, SAMPLE, "--test", "passes", *args)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            jobs, device = paths(p.stdout)
            with open(jobs["passes"]) as f:
                text = f.read()
            self.assertIn("booti {KERNEL_ADDR} - {DTB_ADDR}", text)
            self.assertIn("setenv bootargs 'ok'", text)
            # The rendered device's console is an example (telnet to a ser2net
            # port); validation checks that its command exists on this host.
            with open(device) as f:
                dev = f.read().replace("telnet localhost 2000", "cat")
            with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
                f.write(dev)
                f.flush()
                rc, res, log = lava_run(jobs["passes"], f.name, validate=True)
            self.assertEqual(rc, 0, (board, log[-3000:]))
            self.assertIn({"case": "validate", "definition": "lava", "result": "pass"}, res)

    def test_image_url_for_a_server(self):
        p = takt("lava-job", "-b", "rpi-4b", SAMPLE, "--test", "passes",
                 "--image-url", "https://lab.invalid/takt/")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(paths(p.stdout)[0]["passes"]) as f:
            text = f.read()
        self.assertIn("url: https://lab.invalid/takt/takt.bin", text)
        self.assertIn("url: https://lab.invalid/takt/board.dtb", text)
        self.assertNotIn("file://", text)


class Refusals(unittest.TestCase):
    def test_cases_that_cannot_be_jobs_are_named(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "CMakeLists.txt"), "w") as f:
                f.write("takt_app(SOURCES main.c)\n")
            with open(os.path.join(d, "tests.yaml"), "w") as f:
                f.write("tests:\n  half:\n    input: [{after: x, type: 'no newline'}]\n")
            for args, msg in (
                    ([SHELL_APP, "--test", "shell_script"], "is a pytest script"),
                    ([SAMPLE, "--test", "nope"], "has no case 'nope'"),
                    ([d], "text must end with a newline"),
                    (["-b", "rpi-cm4", SAMPLE], "no LAVA device type known for rpi-cm4"),
                    (["-b", "rpi-3b", "--real", "--run", SAMPLE], "--run boots QEMU jobs"),
                    ([SAMPLE, "--image-url", "lab/x"], "not an http(s):// or file://"),
                    (["--device-type", "no-such", SAMPLE], "no LAVA device type 'no-such'"),
                    ([], "needs an APP")):
                p = takt("lava-job", *args, timeout=120)
                self.assertEqual(p.returncode, 2, (args, p.stdout, p.stderr))
                self.assertIn(msg, p.stderr, args)


class Translation(unittest.TestCase):
    def test_line_regexes(self):
        rx = takt_lava.line_regex("^lapic$")
        self.assertTrue(re.search(rx, "x\r\nlapic\r\ny", re.DOTALL))
        self.assertFalse(re.search(rx, "x\r\nlapic2\r\n", re.DOTALL))
        # '.' stays on one line although pexpect compiles with DOTALL
        m = re.search(takt_lava.line_regex('got ".*"'), 'got "a"\r\nb "c"\r\n', re.DOTALL)
        self.assertEqual(m.group(0), 'got "a"')

    def test_exit_failure_waits_for_the_whole_status(self):
        import takt_apptest
        case = takt_apptest.Case("c", ["b"], None, 10, ["^hi$"], [], 0, False)
        exit_step = takt_lava.steps(case)[-1]
        self.assertEqual(exit_step["name"], "exit")
        fails = [f["message"] for f in exit_step["failures"]]
        ok = exit_step["successes"][0]["message"]

        def failed(text):
            return any(re.search(m, text, re.DOTALL) for m in fails)
        # the console in pieces: the line's head alone is neither pass nor fail
        head = "x\r\npower: off (exit status "
        self.assertFalse(failed(head))
        self.assertFalse(re.search(ok, head, re.DOTALL))
        self.assertTrue(re.search(ok, head + "0)\r\n", re.DOTALL))
        self.assertFalse(failed(head + "0)\r\n"))
        self.assertTrue(failed(head + "1)\r\n"))
        self.assertTrue(failed(head + "10)\r\n"))

    def test_qemu_command_becomes_context(self):
        ctx, images = takt_lava.qemu_context(
            ["qemu-system-aarch64", "-M", "raspi3b", "-display", "none", "-serial", "null",
             "-dtb", "/b/board.dtb", "-kernel", "/b/takt.bin"])
        self.assertEqual((ctx["arch"], ctx["machine"], ctx["memory"], ctx["cpu"]),
                         ("arm64", "raspi3b", "1G", "cortex-a53"))
        self.assertEqual(ctx["extra_options"], ["-display", "none", "-serial", "null"])
        self.assertEqual(images["dtb"]["url"], "file:///b/board.dtb")
        ctx, _ = takt_lava.qemu_context(["qemu-system-x86_64", "-M", "microvm,acpi=off",
                                         "-cpu", "max", "-kernel", "/k"])
        self.assertEqual(ctx["extra_options"], ["-M", "microvm,acpi=off", "-cpu", "max"])
        self.assertTrue(ctx["no_kvm"])


if __name__ == "__main__":
    unittest.main()
