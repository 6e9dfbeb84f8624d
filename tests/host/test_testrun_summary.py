"""tools/takt_testrun.py: the summary of a ctest run names the tests that
failed (the last lines of a CI log are often all a reader gets)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import takt_testrun  # noqa: E402

CTEST_TAIL = """\
115/115 Test #110: net_mqtt_tls .........................   Passed   30.85 sec

98% tests passed, 2 tests failed out of 115

Total Test time (real) =  99.60 sec

The following tests FAILED:
\t 57 - watchdog_ib700_resets (Failed)
\t103 - net_isolation (Timeout)
Errors while running CTest
"""


class FailedNames(unittest.TestCase):
    def test_names_in_order(self):
        self.assertEqual(takt_testrun.ctest_failed_names(CTEST_TAIL),
                         ["watchdog_ib700_resets", "net_isolation"])
        self.assertEqual(takt_testrun.ctest_counts(CTEST_TAIL), (113, 2))

    def test_no_list_no_names(self):
        self.assertEqual(takt_testrun.ctest_failed_names("100% tests passed, 0 tests failed out of 3\n"), [])

    def test_test_output_before_the_list_is_not_a_name(self):
        text = "  3 - looks like one (x)\n" + CTEST_TAIL
        self.assertEqual(takt_testrun.ctest_failed_names(text),
                         ["watchdog_ib700_resets", "net_isolation"])


if __name__ == "__main__":
    unittest.main()
