"""./takt lava-job: the cases of an app's tests.yaml as LAVA job definitions, for a
board farm or for a local run with Debian's lava-dispatcher (`lava-run`).

One job per case (each case is its own boot, with its own bootargs):

- QEMU boards: deploy to tmpfs, boot with LAVA's `qemu` method. The board's QEMU
  command (run.json) becomes the job's context (arch, machine, cpu, memory,
  extra_options), which a LAVA server renders into its `qemu` device type; for a
  local run the same values are rendered here into device.yaml, from the device-type
  templates of lava-server's package (`apt-get download`, never installed).
- Real boards (--real, or a board QEMU cannot boot): deploy the image and DTB over
  TFTP and boot them with u-boot's booti, on the board's LAVA device type
  (bcm2837-rpi-3-b, bcm2711-rpi-4-b, xilinx-zcu102, or --device-type).

The case's checks become one LAVA `interactive` test whose steps are LAVA test
results: `input_K` waits for an input step's `after` regex (and the next step types
its text), `expect_K` waits for an expectation, `exit` for the kernel's
`power: off (exit status N)` line with the case's status. A step fails on a
`reject` regex, on an unexpected `PANIC:` line, and on an early power-off. LAVA
types whole lines: an input's text must end with a newline; in a job a case's input
steps come before its expectations. pytest `script:` cases do not translate.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

cli = None      # the takt front end module, set by ./takt

# tftpd-hpa: a worker's TFTP server, which real boards' jobs need (and which
# `lava-run --validate` checks for).
LAVA_PACKAGES = ["lava-dispatcher", "tftpd-hpa"]
REAL_DEVICE_TYPES = {"rpi-3b": "bcm2837-rpi-3-b", "rpi-4b": "bcm2711-rpi-4-b",
                     "zcu102": "xilinx-zcu102"}
# Machines whose RAM size is fixed: LAVA's template always passes -m (512 MiB
# by default), so a board command without -m gets the machine's own size.
FIXED_RAM = {"raspi3b": "1G"}
# LAVA's template passes -cpu (cortex-a57 by default) on arm64: a board command
# without -cpu gets the machine's own CPU.
MACHINE_CPU = {"raspi3b": "cortex-a53", "xlnx-zcu102": "cortex-a53"}
# The n-th legacy `-net nic` LAVA's template adds must be a model the machine has.
NIC_MODEL = {"xlnx-zcu102": "model=cadence_gem"}
BOOT_LINE = r"(?m)^boot: image at "
EXIT_LINE = r"(?m)^power: off \(exit status "


def line_regex(rx):
    """A tests.yaml regex (matched line-wise on text with \\n line ends) for LAVA's
    pexpect, which searches the raw console (\\r\\n, DOTALL, no MULTILINE): ^ and $
    at line ends, '.' not across lines."""
    if rx.endswith("$") and not rx.endswith("\\$"):
        rx = rx[:-1] + r"(?=\r?$)"
    return "(?m)(?-s:%s)" % rx


# -- the board's QEMU command as LAVA context --------------------------------------------

def qemu_context(qemu):
    """(context dict, images dict) from run.json's QEMU command list."""
    binary, args = qemu[0], list(qemu[1:])
    arch = {"qemu-system-aarch64": "arm64", "qemu-system-x86_64": "amd64"}.get(
        os.path.basename(binary))
    if not arch:
        raise cli.Failure("lava-job: no LAVA arch for %s" % binary)
    ctx = {"arch": arch, "no_kvm": True, "netdevice": "user"}
    images, extra = {}, []
    while args:
        a = args.pop(0)
        val = args.pop(0) if a in ("-M", "-machine", "-cpu", "-m", "-kernel", "-dtb",
                                   "-initrd", "-append") and args else None
        if a in ("-M", "-machine"):
            ctx["machine"] = val
        elif a == "-cpu" and arch == "arm64":
            ctx["cpu"] = val
        elif a == "-m":
            ctx["memory"] = val
        elif a == "-kernel":
            images["kernel"] = {"image_arg": "-kernel {kernel}", "url": "file://" + val}
        elif a == "-dtb":
            images["dtb"] = {"image_arg": "-dtb {dtb}", "url": "file://" + val}
        elif a in ("-initrd", "-append"):
            raise cli.Failure("lava-job: run.json's QEMU command has %s" % a)
        elif a == "-nographic":
            pass                        # LAVA's template passes it
        else:
            extra += [a] + ([val] if val is not None else [])
    if arch == "amd64":                 # the template has no machine for amd64
        extra = ["-M", ctx.pop("machine", "pc")] + extra
    machine = ctx.get("machine", "").split(",")[0]
    if "memory" not in ctx and machine in FIXED_RAM:
        ctx["memory"] = FIXED_RAM[machine]
    if arch == "arm64" and "cpu" not in ctx and machine in MACHINE_CPU:
        ctx["cpu"] = MACHINE_CPU[machine]
    if machine in NIC_MODEL:
        ctx["model"] = NIC_MODEL[machine]
    if "kernel" not in images:
        raise cli.Failure("lava-job: run.json's QEMU command has no -kernel")
    # The template joins extra_options with spaces: every one is one word.
    ctx["extra_options"] = extra
    return ctx, images


def device_dict(device_type, ctx):
    """A LAVA device dictionary (jinja2) for device_type with ctx's values."""
    lines = ["{%% extends '%s.jinja2' %%}" % device_type]
    for k, v in ctx.items():
        lines.append("{%% set %s = %s %%}" % (k, json.dumps(v)))
    return "\n".join(lines) + "\n"


RENDER = """
import jinja2, sys
env = jinja2.Environment(loader=jinja2.FileSystemLoader([sys.argv[1]]),
                         trim_blocks=True, autoescape=False)
sys.stdout.write(env.from_string(sys.stdin.read()).render())
"""


def render_device(templates, device_type, ctx):
    """The device configuration lava-run reads, rendered as lava-server renders it
    (jinja2 with trim_blocks), by Debian's python3 when this one lacks jinja2."""
    if not os.path.isfile(os.path.join(templates, device_type + ".jinja2")):
        raise cli.UsageError("no LAVA device type '%s' in %s" % (device_type, templates))
    try:
        import jinja2   # noqa: F401
        python = sys.executable
    except ImportError:
        python = "/usr/bin/python3"     # lava-dispatcher brings python3-jinja2
    p = subprocess.run([python, "-c", RENDER, templates], input=device_dict(device_type, ctx),
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise cli.Failure("lava-job: rendering the %s device type failed:\n%s"
                          % (device_type, p.stderr[-2000:]))
    return p.stdout


# -- the case as LAVA steps ---------------------------------------------------------------

def steps(case):
    """The interactive script's steps: (name, command typed first or None, regex)."""
    expects_panic = any("PANIC" in rx for rx in case.expect)
    checks, typed = [], None
    for k, (after, text) in enumerate(case.typed):
        checks.append(("input_%d" % (k + 1), typed, line_regex(after)))
        typed = text[:-1]
    for k, rx in enumerate(case.expect):
        checks.append(("expect_%d" % (k + 1), typed, line_regex(rx)))
        typed = None
    checks.append(("exit", typed, EXIT_LINE + r"%d\)" % case.exit))
    fails = [line_regex(rx) for rx in case.reject]
    if not expects_panic:
        fails.append(r"(?m)^PANIC: ")
    out = []
    for name, command, rx in checks:
        last = name == "exit"
        # the last step fails on another status, read whole: the console may come
        # in pieces, and "(?!0\))" alone matched "power: off (exit status " with
        # the "0)" still on its way (test_lava failed so once)
        f = fails + [EXIT_LINE + (r"(?!%d\))\d+\)" % case.exit if last else "")]
        out.append({"name": name, "command": command, "wait_for_prompt": False,
                    "successes": [{"message": rx}],
                    "failures": [{"message": m} for m in f]})
    return out


def check_case(case):
    if case.script:
        raise cli.UsageError("case '%s' is a pytest script: a LAVA job checks the "
                             "console only (run it with ./takt test APP)" % case.name)
    for k, (_, text) in enumerate(case.typed):
        if not text.endswith("\n"):
            raise cli.UsageError("case '%s': input step %d: LAVA types whole lines, so "
                                 "the text must end with a newline" % (case.name, k + 1))


def test_action(case):
    return {"test": {"timeout": {"seconds": int(case.timeout + 0.999)},
                     "interactive": [{"name": case.name, "prompts": [BOOT_LINE],
                                      "script": steps(case)}]}}


def job(app, board, case, boot_actions, context=None, device_type="qemu"):
    j = {"job_name": "takt %s %s on %s" % (app, case.name, board),
         "device_type": device_type, "visibility": "public", "priority": "medium",
         "timeouts": {"job": {"seconds": int(case.timeout) + 120},
                      "action": {"seconds": int(case.timeout) + 60},
                      "connection": {"seconds": int(case.timeout) + 60}}}
    if context:
        j["context"] = context
    j["actions"] = boot_actions + [test_action(case)]
    return j


def qemu_actions(images, case):
    images = json.loads(json.dumps(images))
    extra = []
    if case.bootargs is not None:
        extra += ["-append", case.bootargs]
    if case.icount:
        extra += ["-icount", "shift=0,align=off,sleep=off"]
    if extra:       # LAVA quotes nothing: the kernel's image_arg carries them
        images["kernel"]["image_arg"] += " " + " ".join(
            a if re.match(r"^[\w,=.:/-]+$", a) else "'%s'" % a.replace("'", "'\\''")
            for a in extra)
    return [{"deploy": {"to": "tmpfs", "timeout": {"minutes": 2}, "images": images}},
            {"boot": {"method": "qemu", "media": "tmpfs", "timeout": {"minutes": 2},
                      "prompts": [BOOT_LINE],
                      "parameters": {"kernel-start-message": ""}}}]


def uboot_actions(build_dir, case):
    cmds = ["setenv autoload no", "dhcp", "setenv serverip {SERVER_IP}",
            "tftp {KERNEL_ADDR} {KERNEL}", "tftp {DTB_ADDR} {DTB}"]
    if case.bootargs is not None:
        cmds.append("setenv bootargs '%s'" % case.bootargs.replace("'", ""))
    cmds.append("booti {KERNEL_ADDR} - {DTB_ADDR}")
    return [{"deploy": {"to": "tftp", "timeout": {"minutes": 4},
                        "kernel": {"url": "file://" + os.path.join(build_dir, "takt.bin"),
                                   "type": "image"},
                        "dtb": {"url": "file://" + os.path.join(build_dir, "board.dtb")}}},
            {"boot": {"method": "u-boot", "commands": cmds, "timeout": {"minutes": 3},
                      "prompts": [BOOT_LINE]}}]


# -- set-up: lava-dispatcher installed, lava-server's templates downloaded ----------------

def templates_dir(setup):
    """CACHE/lava/device-types: lava-server's device-type templates, taken out of its
    package with apt-get download (installing lava-server would start a server)."""
    dest = os.path.join(setup.cache, "lava", "device-types")
    if os.path.isfile(os.path.join(dest, "qemu.jinja2")):
        return dest
    setup.say("fetching LAVA's device-type templates (apt-get download lava-server) ...")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".lava-", dir=os.path.dirname(dest))
    try:
        os.chmod(tmp, 0o755)
        setup.run_logged(["apt-get", "download", "lava-server"], setup.apt_log(), tmp,
                         None, "apt-get download lava-server")
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if not debs:
            raise cli.Failure("apt-get download lava-server gave no .deb")
        setup.run(["dpkg-deb", "-x", os.path.join(tmp, debs[0]), os.path.join(tmp, "x")])
        got = os.path.join(tmp, "x", "usr", "share", "lava-server", "device-types")
        if not os.path.isfile(os.path.join(got, "qemu.jinja2")):
            raise cli.Failure("%s has no device-types/qemu.jinja2" % debs[0])
        os.replace(got, dest)
        setup.say("LAVA device types: %s" % dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def ensure_lava():
    """lava-dispatcher (for lava-run and its Python modules) and the templates."""
    import takt_setup
    setup = takt_setup.Setup(quiet=True, verbose=cli.VERBOSE)
    try:
        setup.ensure_lazy(LAVA_PACKAGES, "lava-dispatcher pulls about 150 Debian packages (once)")
        return templates_dir(setup)
    except takt_setup.SetupError as e:
        raise cli.Failure("setup: %s" % e)


# -- the command --------------------------------------------------------------------------

def select_cases(path, opts, board):
    import takt_apptest
    takt_apptest.cli = cli
    cases = takt_apptest.load(path, cli.boards())
    name = opts.get("--test")
    if name is not None:
        cases = [c for c in cases if c.name == name]
        if not cases:
            raise cli.UsageError("%s has no case '%s'" % (path, name))
        check_case(cases[0])
        return cases
    if cli.board_has_qemu(board):
        cases = [c for c in cases if board in c.boards]
    for c in cases:
        if c.script:
            print("[lava] skipping case %s: a pytest script (run it with ./takt test)"
                  % c.name, flush=True)
    cases = [c for c in cases if not c.script]
    for c in cases:
        check_case(c)
    if not cases:
        raise cli.UsageError("no case of %s runs on %s as a LAVA job" % (path, board))
    return cases


def write_yaml(path, data):
    import yaml
    with open(path, "w") as f:
        yaml.safe_dump(data, f, sort_keys=False, default_flow_style=False, width=1000)


def run(opts, app):
    board = cli.check_board(opts.get("-b", cli.DEFAULT_BOARD))
    name, app_dir = cli.resolve_app(app)
    path = os.path.join(app_dir, "tests.yaml")
    if not os.path.isfile(path):
        raise cli.UsageError("app %s has no tests.yaml (%s)" % (name, path))
    real = "--real" in opts or "--device-type" in opts or not cli.board_has_qemu(board)
    device_type = opts.get("--device-type") or (REAL_DEVICE_TYPES.get(board) if real
                                                else "qemu")
    if not device_type:
        raise cli.UsageError("no LAVA device type known for %s: give --device-type NAME"
                             % board)
    if real and "--run" in opts:
        raise cli.UsageError("--run boots QEMU jobs only: a real board's job runs on "
                             "its LAVA lab (submit it with lavacli)")
    cli.run_setup(quiet=True)
    cases = select_cases(path, opts, board)
    templates = ensure_lava()
    if not os.path.isfile(os.path.join(templates, device_type + ".jinja2")):
        raise cli.UsageError("no LAVA device type '%s' in %s" % (device_type, templates))
    url = opts.get("--image-url")
    if url is not None and not re.match(r"^(https?|file)://\S+$", url):
        raise cli.UsageError("--image-url: %r is not an http(s):// or file:// URL" % url)
    build_dir = cli.build_app(board, name, app_dir)
    out_dir = os.path.abspath(opts.get("-o") or os.path.join(build_dir, "lava"))
    os.makedirs(out_dir, exist_ok=True)
    jobs = write_jobs(cases, board, name, build_dir, out_dir, templates, device_type, real)
    if url is not None:
        publish(jobs, build_dir, url)
    if "--run" not in opts:
        return 0
    return run_jobs(jobs, os.path.join(out_dir, "device.yaml"), out_dir)


def write_jobs(cases, board, app, build_dir, out_dir, templates, device_type, real):
    if real:        # an example: the lab's device dictionary says how to reach it
        ctx = images = None
        dev_ctx = {"connection_command": "telnet localhost 2000",
                   "power_on_command": "true", "power_off_command": "true",
                   "hard_reset_command": "true"}
    else:
        with open(os.path.join(build_dir, "run.json")) as f:
            ctx, images = qemu_context(json.load(f)["qemu"])
        dev_ctx = ctx
    device = os.path.join(out_dir, "device.yaml")
    with open(device, "w") as f:
        f.write(render_device(templates, device_type, dev_ctx))
    jobs = []
    for case in cases:
        if real:
            actions = uboot_actions(build_dir, case)
            j = job(app, board, case, actions, device_type=device_type)
        else:
            actions = qemu_actions(images, case)
            j = job(app, board, case, actions, ctx, device_type)
        p = os.path.join(out_dir, "job-%s.yaml" % case.name)
        write_yaml(p, j)
        jobs.append((case.name, p))
        print("job: %s" % p, flush=True)
    print("device: %s" % device, flush=True)
    return jobs


def publish(jobs, build_dir, url):
    """A server's worker downloads the images: the jobs name URL/FILE instead of
    the build folder's file:// paths (copy takt.bin and board.dtb there)."""
    base = "file://" + build_dir.rstrip("/") + "/"
    for _, path in jobs:
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace(base, url.rstrip("/") + "/"))
    print("[lava] the jobs download takt.bin and board.dtb from %s/" % url.rstrip("/"),
          flush=True)


def results_of(log_text):
    """LAVA's result records from lava-run's output (one JSON object per line)."""
    out = []
    for line in log_text.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and rec.get("lvl") == "results" \
                and isinstance(rec.get("msg"), dict):
            out.append(rec["msg"])
    return out


def run_jobs(jobs, device, out_dir):
    """lava-run on each job; a case passes when LAVA's job passed and every step of
    its interactive test is a pass."""
    failed = 0
    for n, (case, path) in enumerate(jobs, 1):
        log = os.path.join(out_dir, "lava-%s.log" % case)
        work = os.path.join(out_dir, "run-%s" % case)
        shutil.rmtree(work, ignore_errors=True)
        with open(log, "w") as f:
            rc = subprocess.call(["lava-run", "--job-id", str(n), "--output-dir", work,
                                  "--device", device, path], stdout=f,
                                 stderr=subprocess.STDOUT)
        with open(log) as f:
            res = results_of(f.read())
        steps_ = [r for r in res if r.get("definition", "").endswith("_" + case)]
        bad = [r for r in steps_ if r.get("result") != "pass"]
        job_res = [r for r in res if r.get("case") == "job"]
        ok = rc == 0 and steps_ and not bad and job_res and job_res[-1]["result"] == "pass"
        print("[lava] %s %s: %s (log: %s)" % ("PASS" if ok else "FAIL", case,
              ", ".join("%s %s" % (r["case"], r["result"]) for r in steps_) or
              "no step results", log), flush=True)
        failed += not ok
    print("%d passed, %d failed" % (len(jobs) - failed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit("run through ./takt lava-job")
