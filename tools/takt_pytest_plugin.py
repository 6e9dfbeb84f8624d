"""pytest plugin for tests.yaml `script:` cases (tools/takt_apptest.py runs pytest with
`-p takt_pytest_plugin`): the `guest` fixture boots the case's image (its board, its
bootargs and icount) and hands a tools/takt_guest.Guest to the test; the guest is
killed when the test ends. Its console goes to the file the runner names, for the
report's tail.

    def test_help(guest):
        guest.expect("takt> ")
        guest.send("help\\n")
        guest.expect("threads")
"""
import json
import os

import pytest

from takt_guest import Guest


@pytest.fixture
def guest():
    case = json.loads(os.environ["TAKT_CASE"])
    g = Guest.from_run_json(case["run_json"], bootargs=case.get("bootargs"),
                            icount=case.get("icount", False), log=case.get("console_log"))
    try:
        yield g
    finally:
        g.close()
