"""The sample app's shell, driven by pytest (tests.yaml: shell_script): each test
gets a freshly booted guest (the `guest` fixture of Takt's pytest plugin)."""


def test_help_and_threads(guest):
    guest.expect("takt> ")
    guest.send("help\n")
    guest.expect(r"^  threads +every thread")
    guest.send("threads\n")
    guest.expect(r"^ +[0-9]+ shell +[0-9]+ fifo")


def test_garbage_and_an_overlong_line(guest):
    guest.expect("takt> ")
    guest.send(b"\x02\x1bnope\xfe\n")
    guest.expect(r"3 unprintable byte\(s\)")
    guest.expect(r"unknown command 'nope'")
    guest.send("x" * 200 + "\n")
    guest.expect("line too long")
    guest.send("log\n")
    guest.expect(r"bytes in, 0 dropped")


def test_reboot_ends_the_run(guest):
    guest.expect("takt> ")
    guest.send("reboot\n")
    guest.expect("resetting the board")
    assert guest.wait(30) == 0
