"""What a target test's expected status of 0 needs beyond QEMU's status
(tools/qemu_test.py's success_checks, also used by cyclictest_report.py's
check): QEMU exits 0 on any reset under -no-reboot, so a run that crashed
part-way must not pass; and cyclictest's --deadline check refuses misses."""
import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.dont_write_bytecode = True

import cyclictest_report  # noqa: E402
import qemu_test  # noqa: E402

OFF = "power: off (exit status 0)\n"


class SuccessChecks(unittest.TestCase):
    def test_powered_off_with_no_failure_passes(self):
        self.assertEqual(qemu_test.success_checks("PASS a\n1 passed, 0 failed\n" + OFF, 0, False), [])

    def test_no_power_off_line_fails(self):
        errs = qemu_test.success_checks("PASS a\n", 0, False)
        self.assertEqual(len(errs), 1)
        self.assertIn("did not power off", errs[0])

    def test_empty_output_fails(self):	# a triple fault before the first line
        self.assertTrue(qemu_test.success_checks("", 0, False))

    def test_reset_expected_needs_no_power_off(self):
        self.assertEqual(qemu_test.success_checks("watchdog: reset\n", 0, True), [])

    def test_fail_line_fails_even_without_a_tally(self):
        errs = qemu_test.success_checks("FAIL x (a.c:1: 0)\n" + OFF, 0, False)
        self.assertEqual(errs, ["a failed case: 'FAIL x (a.c:1: 0)'"])

    def test_tally_with_failures_fails(self):
        errs = qemu_test.success_checks("3 passed, 1 failed\n" + OFF, 0, False)
        self.assertIn("target reported 1 failed case(s)", errs)

    def test_power_off_with_another_status_is_not_success(self):
        self.assertTrue(qemu_test.success_checks("power: off (exit status 1)\n", 0, False))

    def test_expected_failure_status_is_not_checked(self):
        self.assertEqual(qemu_test.success_checks("FAIL netdev_found\n", 1, False), [])


class DeadlineMisses(unittest.TestCase):
    def run_check(self, misses):
        res = cyclictest_report.parse("# Deadline misses: %d overruns: 3\n" % misses)
        args = argparse.Namespace(threads=0, loops=0, histogram=0, deadline=True)
        return cyclictest_report.check_run(res, args)

    def test_no_miss_passes(self):
        self.assertEqual(self.run_check(0), [])

    def test_a_miss_fails(self):
        self.assertEqual(self.run_check(2), ["2 deadline misses"])


if __name__ == "__main__":
    unittest.main()
