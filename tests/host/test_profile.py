"""tools/takt_profile.py: QEMU exec-log profiles. Each executed block's
instructions (from the in_asm log) go to the function holding it, between a
window's marks; a block never translated, a window with no round, or an app
that did not say its rounds is refused."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import takt_profile  # noqa: E402

SYMS = [(0x0f00, "start"), (0x0f80, "main"), (0x1000, "prof_switch_begin"), (0x1010, "prof_switch_end"),
        (0x1020, "prof_timer_begin"), (0x1030, "prof_timer_end"),
        (0x2000, "schedule"), (0x2100, "switch_to")]
MARKS = {"boot_end": 0x0f80, "switch_begin": 0x1000, "switch_end": 0x1010, "timer_begin": 0x1020, "timer_end": 0x1030}


def block(addr, n):
    lines = ["IN: "] + ["0x%08x:  d503201f  nop" % (addr + 4 * i) for i in range(n)]
    return lines + [""]


def trace(pc, cpu=0, count=0):
    return "Trace %d: 0x7f00 [0000000000004000/%016x/00000121/ff0202%02x] " % (cpu, pc, count)


class Profile(unittest.TestCase):
    def log(self):
        return (block(0x2000, 5) + block(0x2100, 3) + block(0x2040, 2) + block(0x0f00, 4) +
                [trace(0x0f00), trace(0x2000), trace(0x0f80)] +  # boot, until main
                [trace(0x2000)] +                      # before any window: not counted
                [trace(0x1000), trace(0x2000), trace(0x2100), trace(0x2000, cpu=1),
                 trace(0x2040), trace(0x1010)] +
                [trace(0x1020), trace(0x2100), trace(0x1030)] * 2)

    def test_instructions_per_function_per_window(self):
        res = takt_profile.profile_log(self.log(), SYMS, MARKS)
        self.assertEqual(res["switch"]["functions"], {"schedule": 7, "switch_to": 3})
        self.assertEqual(res["switch"]["rounds"], 1)
        self.assertEqual(res["timer"]["rounds"], 2)
        self.assertEqual(res["timer"]["functions"], {"switch_to": 6})
        self.assertEqual(res["boot"]["rounds"], 1)
        self.assertEqual(res["boot"]["functions"], {"start": 4, "schedule": 5})
        text = takt_profile.report(res)
        self.assertIn("switch (", text)
        self.assertIn("10.0 instructions per round, 1 rounds", text)

    def test_inclusive_follows_calls_and_returns(self):
        # start calls schedule (its entry), which calls switch_to (its entry); the
        # block at 0x2040 is schedule again: a return; then 0x0f10 returns to start
        log = (block(0x0f00, 4) + block(0x2000, 5) + block(0x2100, 3) + block(0x2040, 2) +
               block(0x0f10, 1) +
               [trace(0x0f00), trace(0x2000), trace(0x2100), trace(0x2040), trace(0x0f10),
                trace(0x0f80), trace(0x1000), trace(0x1010), trace(0x1020), trace(0x1030)])
        res = takt_profile.profile_log(log, SYMS, MARKS)
        self.assertEqual(res["boot"]["inclusive"], {"start": 15, "schedule": 10, "switch_to": 3})
        self.assertIn("inclusive (the function and all it called):", takt_profile.report(res))

    def test_app_rounds_override(self):
        rounds = takt_profile.app_rounds("x\r\nprofile: switch_rounds 5\r\nprofile: timer_rounds 2\r\n"
                                         "profile: busy_rounds 2\r\n")
        res = takt_profile.profile_log(self.log(), SYMS, MARKS, rounds)
        self.assertEqual(res["switch"]["rounds"], 5)

    def test_icount_cut_block_counts_its_instructions(self):
        log = block(0x2000, 5) + [trace(0x0f80), trace(0x1000), trace(0x2000, count=2), trace(0x1010),
                                  trace(0x1020), trace(0x2000), trace(0x1030)]
        res = takt_profile.profile_log(log, SYMS, MARKS)
        self.assertEqual(res["switch"]["functions"], {"schedule": 2})

    def test_wake_window_inside_timer(self):
        # the interrupt vector's block (0x2100) begins the wake window only
        # inside the timer window; it ends with the timer window
        marks = dict(MARKS, wake_begin=0x2100)
        log = (block(0x2000, 5) + block(0x2100, 3) +
               [trace(0x0f80), trace(0x1000), trace(0x2100), trace(0x1010)] +
               [trace(0x1020), trace(0x2000), trace(0x2100), trace(0x2000), trace(0x1030)])
        res = takt_profile.profile_log(log, SYMS, marks)
        self.assertEqual(res["wake"]["rounds"], 1)
        self.assertEqual(res["wake"]["functions"], {"switch_to": 3, "schedule": 5})
        self.assertEqual(res["timer"]["functions"], {"switch_to": 3, "schedule": 10})
        self.assertIn("wake (", takt_profile.report(res))

    def test_preempt_window_inside_busy(self):
        # the same vector begins "preempt" inside the busy window (a spinning
        # thread preempted), "wake" inside the timer window: each round goes
        # to its own
        syms = sorted(SYMS + [(0x1040, "prof_busy_begin"), (0x1050, "prof_busy_end"), (0x2200, "spin")])
        marks = dict(MARKS, wake_begin=0x2100, preempt_begin=0x2100, busy_begin=0x1040,
                     busy_end=0x1050)
        log = (block(0x2000, 5) + block(0x2100, 3) + block(0x2200, 7) +
               [trace(0x0f80), trace(0x1000), trace(0x1010)] +
               [trace(0x1020), trace(0x2100), trace(0x1030)] +
               [trace(0x1040), trace(0x2200), trace(0x2100), trace(0x2000), trace(0x1050)])
        res = takt_profile.profile_log(log, syms, marks)
        self.assertEqual(res["wake"]["functions"], {"switch_to": 3})
        self.assertEqual(res["preempt"]["rounds"], 1)
        self.assertEqual(res["preempt"]["functions"], {"switch_to": 3, "schedule": 5})
        self.assertEqual(res["busy"]["functions"], {"spin": 7, "switch_to": 3, "schedule": 5})

    def test_wake_window_begins_at_each_arch_vector(self):
        # arm64: the IRQ vector (any interrupt); x86_64: the LAPIC timer's stub
        self.assertEqual(takt_profile.irq_vector_of({"arch_vectors": 0x40080000, "main": 1}),
                         0x40080280)
        self.assertEqual(takt_profile.irq_vector_of({"x86_vector_stubs": 0x100000}), 0x100e00)
        self.assertIsNone(takt_profile.irq_vector_of({"main": 1}))

    def test_idle_wake_begins_after_arm64s_masked_wfi(self):
        # arm64's idle takes no interrupt: its wake-up begins after the WFI
        self.assertEqual(takt_profile.idle_wake_of({"arch_idle_woken": 0x40081234}, 0x40080280),
                         0x40081234)
        self.assertEqual(takt_profile.idle_wake_of({"main": 1}, 0x100e00), 0x100e00)

    def test_idle_wake_and_preempt_have_their_own_marks(self):
        # wake begins at the idle mark only, preempt at the vector only
        syms = sorted(SYMS + [(0x1040, "prof_busy_begin"), (0x1050, "prof_busy_end"),
                              (0x2200, "spin"), (0x2300, "idle_woken")])
        marks = dict(MARKS, wake_begin=0x2300, preempt_begin=0x2100, busy_begin=0x1040,
                     busy_end=0x1050)
        log = (block(0x2000, 5) + block(0x2100, 3) + block(0x2200, 7) + block(0x2300, 1) +
               [trace(0x0f80), trace(0x1000), trace(0x1010)] +
               [trace(0x1020), trace(0x2300), trace(0x2000), trace(0x1030)] +
               [trace(0x1040), trace(0x2200), trace(0x2300), trace(0x2100), trace(0x1050)])
        res = takt_profile.profile_log(log, syms, marks)
        self.assertEqual(res["wake"]["functions"], {"idle_woken": 1, "schedule": 5})
        self.assertEqual(res["preempt"]["functions"], {"switch_to": 3})

    def test_no_wake_window_without_its_mark(self):
        res = takt_profile.profile_log(self.log(), SYMS, MARKS)
        self.assertNotIn("wake", res)

    def test_untranslated_block_refused(self):
        log = [trace(0x0f80), trace(0x1000), trace(0x2000), trace(0x1010)]
        with self.assertRaisesRegex(takt_profile.ProfileError, "never translated"):
            takt_profile.profile_log(log, SYMS, MARKS)

    def test_window_without_round_refused(self):
        log = block(0x2000, 5) + [trace(0x0f80), trace(0x1000), trace(0x2000), trace(0x1010)]
        with self.assertRaisesRegex(takt_profile.ProfileError, "window 'timer'"):
            takt_profile.profile_log(log, SYMS, MARKS)

    def test_boot_without_main_refused(self):
        log = block(0x2000, 5) + [trace(0x2000)]
        with self.assertRaisesRegex(takt_profile.ProfileError, "window 'boot'"):
            takt_profile.profile_log(log, SYMS, MARKS)

    def test_missing_rounds_line_refused(self):
        with self.assertRaisesRegex(takt_profile.ProfileError, "timer rounds"):
            takt_profile.app_rounds("profile: switch_rounds 5\n")
        with self.assertRaisesRegex(takt_profile.ProfileError, "switch rounds"):
            takt_profile.app_rounds("garbage")


if __name__ == "__main__":
    unittest.main()
