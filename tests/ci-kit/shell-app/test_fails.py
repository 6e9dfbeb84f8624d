"""A script that fails on purpose (tests.yaml: script_fails): the report names the
failed test and the console's tail."""


def test_expects_what_never_comes(guest):
    guest.expect("takt> ")
    guest.expect("^banana", timeout=2)
