#!/usr/bin/env python3
"""Instruction profile of the scheduler's hot paths (./takt bench profile).

Runs tests/bench/profile under QEMU -icount with its exec log
(`-d in_asm,exec,nochain`): in_asm gives each translated block's
instructions, exec each block executed, in order. Between a window's
marks (the app's prof_<window>_begin / _end calls, found by address in
takt.elf) every executed block's instructions go to the function holding
it. The result: instructions per round for each function, per window, on
CPU 0 - where the context switch and the timer wake-up spend their time.

Beside each function's own instructions, its inclusive count: those of the
blocks run while it was on a call stack rebuilt from the log (a block at a
function's first address is a call; a block inside a function already on
the stack is a return to it; anything else, a jump, is pushed). Tail calls
count as calls: their instructions go to the caller too.
"""
import bisect
import json
import os
import re
import subprocess
import sys
import tempfile

WINDOWS = [("boot", "boot: the first instruction to main() (a round = the boot)"),
           ("switch", "context switch: two FIFO threads yielding (a round = a switch)"),
           ("timer", "timer wake: sleep 100 us until the woken thread runs (a round)"),
           ("wake", "timer interrupt to the woken thread: the IRQ vector until the sleeper is back (a round)"),
           ("busy", "timer wake with a lower thread running: sleep 100 us while it spins (a round)"),
           ("preempt", "timer interrupt to the woken thread, the spinning one preempted: the IRQ vector until the sleeper is back (a round)")]
# "wake" lies inside "timer", "preempt" inside "busy": each begins at its
# mark (wake_begin: where the idle thread wakes up - arm64's first
# instruction after idle's WFI, x86_64's timer vector; preempt_begin: the
# timer's interrupt vector) and ends with its outer window. They are left
# out when the image has no such mark.
INNER = {"wake": "timer", "preempt": "busy"}
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
TRACE = re.compile(r"^Trace (\d+): 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/[0-9a-f]+/([0-9a-f]+)\]")
INSN = re.compile(r"^0x([0-9a-f]+):\s")
CF_COUNT_MASK = 0x1ff
ARM64_IRQ_VECTOR = 0x280	# current EL with SP_ELx, IRQ (kernel/arch/arm64/vectors.S)
X86_TIMER_STUB = 0xe0 * 16	# the LAPIC timer's vector 0xe0 among 16-byte stubs (x86_64/vectors.S)


class ProfileError(Exception):
    pass


def symbols(elf, nm="nm"):
    """Sorted (address, name) of the ELF's functions."""
    out = subprocess.run([nm, "-n", "--defined-only", elf], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=True).stdout.decode()
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    if not syms:
        raise ProfileError("%s: no function symbols" % elf)
    return syms


def block_sizes(lines):
    """Instructions in each translated block, by its first address."""
    sizes, start, n = {}, None, 0
    for line in lines:
        if line.startswith("IN:"):
            start, n = None, 0
            continue
        m = INSN.match(line)
        if m:
            if start is None:
                start = int(m.group(1), 16)
            n += 1
            sizes[start] = n
        elif line.strip() == "":
            start, n = None, 0
    return sizes


ROUNDS = re.compile(r"^profile: (\w+)_rounds (\d+)\s*$", re.M)


def profile_log(lines, syms, marks, rounds=None, cpu=0):
    """{window: {"rounds": n, "functions": {name: insns}}} from an exec log.
    rounds: {window: n} as the app printed them (a window run once around
    n rounds); else each begin..end pair is a round."""
    sizes = block_sizes(lines)
    addrs = [a for a, _ in syms]
    windows = [w for w, _ in WINDOWS
               if (w + "_end" in marks if w not in INNER
                   else w + "_begin" in marks and INNER[w] + "_end" in marks)]
    begin = {marks[w + "_begin"]: w for w in windows if w + "_begin" in marks and w not in INNER}
    end = {marks[w + "_end"]: w for w in windows if w not in INNER}
    # an inner window begins at its mark while its outer one is open
    inner_of = {INNER[w]: (w, marks[w + "_begin"]) for w in windows if w in INNER}
    result = {w: {"rounds": 0, "functions": {}, "inclusive": {}} for w in windows}
    starts = {a for a, _ in syms}
    stack = []
    active = "boot"	# from the first block on, until main()
    inner = None	# a window inside active (wake inside timer)
    for line in lines:
        m = TRACE.match(line)
        if not m or int(m.group(1)) != cpu:
            continue
        pc, cflags = int(m.group(2), 16), int(m.group(3), 16)
        if pc in begin:
            active = begin[pc]
            continue
        if pc in end:
            if active == end[pc]:
                result[active]["rounds"] += 1
                active = None
            if inner:
                result[inner]["rounds"] += 1
                inner = None
            continue
        if active is None:
            continue
        if inner is None and active in inner_of and pc == inner_of[active][1]:
            inner = inner_of[active][0]
        n = sizes.get(pc)
        if n is None:
            raise ProfileError("block at 0x%x executed but never translated in the log" % pc)
        if cflags & CF_COUNT_MASK:
            n = min(n, cflags & CF_COUNT_MASK)
        i = bisect.bisect_right(addrs, pc) - 1
        name = syms[i][1] if i >= 0 else "0x%x" % pc
        walk_stack(stack, name, pc in starts)
        for w in (active, inner) if inner else (active,):
            add_block(result[w], name, stack, n)
    for w in windows:
        if result[w]["rounds"] == 0:
            raise ProfileError("window '%s': no complete round between its marks" % w)
        if rounds and w in rounds:
            result[w]["rounds"] = rounds[w]
    return result


def add_block(r, name, stack, n):
    """n instructions of function name, with stack the call stack, to window r."""
    fns = r["functions"]
    fns[name] = fns.get(name, 0) + n
    inc = r["inclusive"]
    for f in set(stack):
        inc[f] = inc.get(f, 0) + n


STACK_MAX = 256


def walk_stack(stack, name, at_entry):
    """The call stack after a block of function name (at_entry: at its first address)."""
    if not at_entry and name in stack:
        while stack[-1] != name:
            stack.pop()
        return
    stack.append(name)
    if len(stack) > STACK_MAX:	# a loop of jumps never returning
        del stack[:len(stack) - STACK_MAX]


def app_rounds(console):
    """{window: rounds} from the app's `profile: <window>_rounds N` lines."""
    found = {w: int(n) for w, n in ROUNDS.findall(console)}
    for w, _ in WINDOWS[1:]:	# the boot is one
        if w in INNER:
            continue
        if found.get(w, 0) <= 0:
            raise ProfileError("the profile app did not say its %s rounds:\n%s" % (w, console[-2000:]))
    return found


def report(result, top=25):
    lines = []
    for w, what in WINDOWS:
        if w not in result:
            continue
        r = result[w]
        total = sum(r["functions"].values())
        lines.append("%s (%s): %.1f instructions per round, %d rounds"
                     % (w, what, total / r["rounds"], r["rounds"]))
        for name, n in sorted(r["functions"].items(), key=lambda kv: -kv[1])[:top]:
            lines.append("  %8.1f  %5.1f %%  %s" % (n / r["rounds"], 100.0 * n / total, name))
        lines.append("  inclusive (the function and all it called):")
        for name, n in sorted(r["inclusive"].items(), key=lambda kv: -kv[1])[:top]:
            lines.append("  %8.1f  %5.1f %%  %s" % (n / r["rounds"], 100.0 * n / total, name))
    return "\n".join(lines)


def irq_vector_of(names):
    """The timer interrupt's first block: arm64's IRQ vector (any interrupt),
    x86_64's LAPIC timer stub; None for an image with neither."""
    if "arch_vectors" in names:
        return names["arch_vectors"] + ARM64_IRQ_VECTOR
    if "x86_vector_stubs" in names:
        return names["x86_vector_stubs"] + X86_TIMER_STUB
    return None


def idle_wake_of(names, irq_vector):
    """Where the idle thread's wake-up begins: after arm64's masked WFI
    (arch_idle_woken: no interrupt is taken), else at the interrupt vector."""
    return names.get("arch_idle_woken", irq_vector)


def run(qemu_cmd, elf, nm="nm", timeout=300, irq_vector=None):
    """irq_vector: the address of the timer interrupt vector's first block
    (the preempt window's begin, and the wake window's where idle takes the
    interrupt), or None for neither window."""
    syms = symbols(elf, nm)
    names = {n: a for a, n in syms}
    if "main" not in names:
        raise ProfileError("%s: no main" % elf)
    marks = {"boot_end": names["main"]}
    for w, _ in WINDOWS[1:]:
        if w in INNER:
            continue
        for k in ("_begin", "_end"):
            if "prof_" + w + k not in names:
                raise ProfileError("%s: no prof_%s%s (not the profile app?)" % (elf, w, k))
            marks[w + k] = names["prof_" + w + k]
    if irq_vector is None:
        irq_vector = irq_vector_of(names)
    if irq_vector is not None:
        marks["wake_begin"] = idle_wake_of(names, irq_vector)
        marks["preempt_begin"] = irq_vector
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "exec.log")
        out = subprocess.run(qemu_cmd + ICOUNT + ["-d", "in_asm,exec,nochain", "-D", log],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=timeout)
        rounds = app_rounds(out.stdout.decode("utf-8", "replace"))
        with open(log, errors="replace") as f:
            return profile_log(f.read().splitlines(), syms, marks, rounds)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: takt_profile.py ELF NM -- QEMU-COMMAND...")
    try:
        res = run(sys.argv[4:], sys.argv[1], sys.argv[2])
    except ProfileError as e:
        sys.exit("profile: %s" % e)
    print(report(res))
    print(json.dumps(res)[:200])
