#!/usr/bin/env python3
"""Flashable packages of a Takt build (standard library only; see DESIGN.md section 6).

  takt_image.py build   ...   the card of the board's kind (--card, see CARDS below):
                              fit: takt.itb (FIT: the kernel, and with --fit-dtb the DTB,
                              sha256 each, one configuration, signed with --sign-dir),
                              boot.scr, takt-sdcard.img (+ .bmap), and with --sign-dir
                              the u-boot control DTB holding the key; rpi3/rpi4: boot.scr
                              and a Raspberry Pi card; zynqmp: a FIT card for the ZCU102
  takt_image.py keygen DIR    an RSA-2048 key pair for FIT signing (DIR/takt.key, .crt)
  takt_image.py fit ...       just the FIT
  takt_image.py card OUT FILE...
                              an MBR card image with one FAT partition holding FILEs
  takt_image.py tamper IN OUT NEEDLE
                              copy IN to OUT with one byte flipped inside the first
                              copy of the file NEEDLE's bytes (a test helper)
  takt_image.py dumpdtb OUT -- QEMU-ARGS
                              the DTB QEMU's machine would hand its firmware
  takt_image.py testcards OUTDIR --build-dir DIR ... --qemu Q
                              the verified-boot test set from a build's takt.bin and
                              board.dtb: signed.img + ctrl.dtb (key A), tampered.img (one
                              kernel byte flipped after signing), wrongkey.img (key B)

No root and no loop mounts: the FAT file system is made with mkfs.vfat -C on a file and
filled with mcopy (mtools); the partition table is written by sfdisk on the image file.
The card image is sparse, and IMAGE.bmap (bmaptool's format 2.0, written here) lists the
blocks that hold data: ./takt flash and bmaptool copy write only those.

Which DT Takt gets: by default the boot script hands over the boot loader's own DT
(u-boot's control DT, ${fdtcontroladdr}; on the Pi the firmware's, ${fdt_addr}), which
describes the machine as it is (QEMU's GICv2 or GICv3, the memory the firmware found).
--fit-dtb puts the build's board.dtb into the FIT and boots with it instead: the way for
a signature to cover the DT too.
"""

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The disk image side (FAT, MBR, sparse copies, the .bmap) and the shared
# ImageError/run/replace live in takt_card.py.
from takt_card import ImageError, make_card, replace, run, write_bmap  # noqa: E402,F401

KEY_NAME = "takt"            # key-name-hint: DIR/takt.key, DIR/takt.crt

# Card kinds. fat32: the boot ROMs of the Pi and the ZynqMP read FAT16/FAT32 only
# (u-boot on QEMU reads the small FAT12 too); the card is then a power of two in size
# (64 MiB at least), which QEMU's SD card model requires. firmware: files the board's
# own boot firmware needs on the card, which no Debian package carries: `need` are
# checked (one warning naming the missing ones), `copy` are the patterns taken from
# --firmware-dir.
RPI_HINT = ("the Raspberry Pi GPU firmware from the raspberrypi/firmware repository's "
            "boot/ folder")
CARDS = {
    "fit": {"fit": True, "fat32": False, "firmware": None},
    "rpi3": {"fit": False, "fat32": True, "firmware": {
        "need": ["bootcode.bin", "start.elf", "fixup.dat"],
        "copy": ["bootcode.bin", "start.elf", "start_*.elf", "fixup.dat", "fixup_*.dat"],
        "hint": RPI_HINT}},
    "rpi4": {"fit": False, "fat32": True, "firmware": {
        "need": ["start4.elf", "fixup4.dat"],
        "copy": ["start4*.elf", "fixup4*.dat"],
        "hint": RPI_HINT}},
    "zynqmp": {"fit": True, "fat32": True, "firmware": {
        "need": ["BOOT.BIN"],
        "copy": ["BOOT.BIN"],
        "hint": ("the board's BOOT.BIN (FSBL, PMU firmware, TF-A and u-boot, made with "
                 "Xilinx's bootgen; see bsp/zcu102/README.md)")}},
}


# -- keys -----------------------------------------------------------------------------

def key_files(key_dir):
    return (os.path.join(key_dir, KEY_NAME + ".key"), os.path.join(key_dir, KEY_NAME + ".crt"))


def keygen(key_dir, force=False):
    key, crt = key_files(key_dir)
    if os.path.exists(key) and not force:
        raise ImageError("%s exists; not overwriting a key (remove it first)" % key)
    os.makedirs(key_dir, exist_ok=True)
    old = os.umask(0o077)
    try:
        run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", key])
    finally:
        os.umask(old)
    run(["openssl", "req", "-batch", "-new", "-x509", "-key", key, "-out", crt,
         "-days", "36500", "-subj", "/CN=" + KEY_NAME])
    return key, crt


def check_keys(key_dir):
    key, crt = key_files(key_dir)
    for f in (key, crt):
        if not os.path.isfile(f):
            raise ImageError("no %s (make a key pair with ./takt keygen %s)" % (f, key_dir))


# -- FIT ------------------------------------------------------------------------------

def its_text(kernel, dtb, load, entry, desc, sign):
    """The FIT source; dtb None: kernel only (the boot loader's DT is used)."""
    def q(s):
        return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')
    # Node names without unit addresses: u-boot's signature check refuses '@'.
    signature = ""
    if sign:
        signature = """
			signature {
				algo = "sha256,rsa2048";
				key-name-hint = %s;
				sign-images = %s;
			};""" % (q(KEY_NAME), '"kernel", "fdt"' if dtb else '"kernel"')
    fdt_image = fdt_conf = ""
    if dtb:
        fdt_image = """
		fdt {
			description = "board DTB";
			data = /incbin/(%s);
			type = "flat_dt";
			arch = "arm64";
			compression = "none";
			hash {
				algo = "sha256";
			};
		};""" % q(os.path.abspath(dtb))
        fdt_conf = """
			fdt = "fdt";"""
    return """/dts-v1/;

/ {
	description = %(desc)s;
	#address-cells = <1>;

	images {
		kernel {
			description = "Takt image";
			data = /incbin/(%(kernel)s);
			type = "kernel";
			arch = "arm64";
			os = "linux";
			compression = "none";
			load = <%(load)s>;
			entry = <%(entry)s>;
			hash {
				algo = "sha256";
			};
		};%(fdt_image)s
	};

	configurations {
		default = "conf";
		conf {
			description = %(desc)s;
			kernel = "kernel";%(fdt_conf)s%(signature)s
		};
	};
};
""" % {"desc": q(desc), "kernel": q(os.path.abspath(kernel)), "fdt_image": fdt_image,
       "fdt_conf": fdt_conf, "load": load, "entry": entry, "signature": signature}


def make_fit(out, kernel, dtb, load, entry, desc, sign_dir=None, ctrl_in=None, ctrl_out=None):
    """Write the .its and the FIT (dtb None: without a DT); when signing, also
    ctrl_out = ctrl_in + public key."""
    for f in (kernel, dtb):
        if f is not None and not os.path.isfile(f):
            raise ImageError("no such file: %s" % f)
    if int(load, 0) >= 1 << 32 or int(entry, 0) >= 1 << 32:
        raise ImageError("load/entry above 4 GiB need #address-cells = <2> (not done)")
    its = os.path.splitext(out)[0] + ".its"
    with open(its, "w") as f:
        f.write(its_text(kernel, dtb, load, entry, desc, bool(sign_dir)))
    tmp = out + ".tmp"
    cmd = ["mkimage", "-f", its]
    if sign_dir:
        check_keys(sign_dir)
        if not ctrl_in or not os.path.isfile(ctrl_in):
            raise ImageError("signing needs u-boot's control DTB to put the key into "
                             "(got %r)" % ctrl_in)
        ctrl_tmp = ctrl_out + ".tmp"
        shutil.copyfile(ctrl_in, ctrl_tmp)
        # -r: the key is `required = "conf"`: u-boot boots only configurations it signs.
        cmd += ["-k", sign_dir, "-K", ctrl_tmp, "-r"]
    run(cmd + [tmp])
    replace(tmp, out)
    if sign_dir:
        replace(ctrl_tmp, ctrl_out)


def dump_qemu_dtb(out, qemu):
    """QEMU's generated DTB for the machine in `qemu` (-kernel/-bios and co. dropped)."""
    args, i = [], 0
    drop_with_value = {"-kernel", "-bios", "-append", "-initrd", "-dtb", "-drive", "-device"}
    while i < len(qemu):
        a = qemu[i]
        if a in drop_with_value:
            i += 2
            continue
        args.append(a)
        i += 1
    if "-M" in args:
        j = args.index("-M") + 1
        args[j] += ",dumpdtb=" + out
    elif "-machine" in args:
        j = args.index("-machine") + 1
        args[j] += ",dumpdtb=" + out
    else:
        raise ImageError("QEMU command has no -M to dump the DTB of: %s" % " ".join(qemu))
    if os.path.exists(out):
        os.remove(out)
    run(args, stdin=subprocess.DEVNULL)
    if not os.path.isfile(out):
        raise ImageError("QEMU wrote no DTB (%s)" % " ".join(args))


# -- boot script ------------------------------------------------------------------------

def make_boot_scr(out, template, values):
    with open(template) as f:
        text = f.read()
    for k, v in values.items():
        text = text.replace("@%s@" % k, v)
    cmd_file = os.path.splitext(out)[0] + ".cmd"
    with open(cmd_file, "w") as f:
        f.write(text)
    tmp = out + ".tmp"
    run(["mkimage", "-A", "arm64", "-O", "linux", "-T", "script", "-C", "none",
         "-n", "Takt boot script", "-d", cmd_file, tmp])
    replace(tmp, out)


# -- card image -------------------------------------------------------------------------

def config_txt_dtb(config_txt):
    """The device_tree= file a Pi's config.txt names, or None."""
    with open(config_txt) as f:
        for line in f:
            m = re.match(r"\s*device_tree\s*=\s*(\S+)", line)
            if m:
                return m.group(1)
    return None


def firmware_files(kind, firmware_dir):
    """([(path, name)] to copy, [names needed but missing]) for the card kind."""
    fw = CARDS[kind]["firmware"]
    if not fw:
        return [], []
    found = []
    if firmware_dir:
        if not os.path.isdir(firmware_dir):
            raise ImageError("--firmware %s: no such folder" % firmware_dir)
        names = sorted(os.listdir(firmware_dir))
        for n in names:
            p = os.path.join(firmware_dir, n)
            if os.path.isfile(p) and any(fnmatch.fnmatchcase(n, pat) for pat in fw["copy"]):
                found.append((p, n))
    have = {n for _, n in found}
    return found, [n for n in fw["need"] if n not in have]


def firmware_warning(kind, missing):
    fw = CARDS[kind]["firmware"]
    return ("warning: the card has no %s, which the board's boot firmware needs: get "
            "%s and build with ./takt build --firmware DIR (or copy %s onto the card's "
            "FAT partition)" % (", ".join(missing), fw["hint"],
                                "it" if len(missing) == 1 else "them"))


def card_files(a, scr, itb):
    """What goes on the card of kind a.card: [(path, name)] and the warning, if any."""
    kind = a.card
    files = [(scr, "boot.scr")]
    if CARDS[kind]["fit"]:
        files.append((itb, "takt.itb"))
    else:
        if not a.config_txt or not a.uboot:
            raise ImageError("a %s card needs --config-txt and --uboot" % kind)
        if not os.path.isfile(a.uboot):
            raise ImageError("no u-boot for the card: %s (./takt setup fetches Debian's "
                             "u-boot-rpi)" % a.uboot)
        files += [(a.config_txt, "config.txt"), (a.uboot, "u-boot.bin"),
                  (a.kernel, "takt.bin")]
        dtb_name = config_txt_dtb(a.config_txt)
        if dtb_name:
            files.append((a.dtb, dtb_name))
    fw, missing = firmware_files(kind, a.firmware_dir)
    files += fw
    return files, (firmware_warning(kind, missing) if missing else None)


# -- test helper --------------------------------------------------------------------------

def tamper(src, dst, needle_file, offset=None):
    with open(src, "rb") as f:
        data = bytearray(f.read())
    with open(needle_file, "rb") as f:
        needle = f.read()
    at = data.find(needle)
    if at < 0:
        raise ImageError("%s does not contain %s" % (src, needle_file))
    pos = at + (len(needle) // 2 if offset is None else offset)
    data[pos] ^= 0x01
    with open(dst, "wb") as f:
        f.write(data)
    return pos


# -- command line ---------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(prog="takt_image.py")
    sub = ap.add_subparsers(dest="cmd", required=True)

    b = sub.add_parser("build")
    b.add_argument("--kernel", required=True)
    b.add_argument("--dtb", required=True)
    b.add_argument("--load", required=True)
    b.add_argument("--entry")
    b.add_argument("--fit-addr", required=True, help="where boot.scr loads the FIT")
    b.add_argument("--boot-cmd", required=True, help="boot script template")
    b.add_argument("--outdir", required=True)
    b.add_argument("--desc", default="Takt")
    b.add_argument("--sign-dir", default="")
    b.add_argument("--ctrl-dtb", default="", help="u-boot's control DTB to add the key to")
    b.add_argument("--qemu", default="", help="'|'-separated QEMU command: dump the control DTB of its machine")
    b.add_argument("--no-card", action="store_true")
    b.add_argument("--card", default="fit", choices=sorted(CARDS),
                   help="the kind of card (the board's boot chain)")
    b.add_argument("--fit-dtb", action="store_true",
                   help="put the DTB into the FIT and boot with it (else: the loader's DT)")
    b.add_argument("--uboot", default="", help="rpi cards: u-boot.bin")
    b.add_argument("--config-txt", default="", help="rpi cards: the Pi firmware's config.txt")
    b.add_argument("--firmware-dir", default="",
                   help="copy the board's boot firmware (Pi: bootcode.bin, start*.elf, "
                        "fixup*.dat; ZCU102: BOOT.BIN) from DIR onto the card")

    k = sub.add_parser("keygen")
    k.add_argument("dir")
    k.add_argument("--force", action="store_true")

    f = sub.add_parser("fit")
    f.add_argument("out")
    f.add_argument("--kernel", required=True)
    f.add_argument("--dtb", required=True)
    f.add_argument("--load", required=True)
    f.add_argument("--entry")
    f.add_argument("--desc", default="Takt")
    f.add_argument("--sign-dir", default="")
    f.add_argument("--ctrl-in", default="")
    f.add_argument("--ctrl-out", default="")

    c = sub.add_parser("card")
    c.add_argument("out")
    c.add_argument("files", nargs="+", help="FILE or FILE=NAME-ON-THE-CARD")
    c.add_argument("--fat32", action="store_true")

    bm = sub.add_parser("bmap")
    bm.add_argument("image")
    bm.add_argument("out")

    t = sub.add_parser("tamper")
    t.add_argument("src")
    t.add_argument("dst")
    t.add_argument("needle")

    tc = sub.add_parser("testcards")
    tc.add_argument("outdir")
    tc.add_argument("--build-dir", required=True)
    tc.add_argument("--load", required=True)
    tc.add_argument("--fit-addr", required=True)
    tc.add_argument("--boot-cmd", required=True)
    tc.add_argument("--qemu", required=True)

    d = sub.add_parser("dumpdtb")
    d.add_argument("out")
    d.add_argument("qemu", nargs=argparse.REMAINDER)

    a = ap.parse_args(argv)
    try:
        if a.cmd == "keygen":
            key, crt = keygen(a.dir, a.force)
            print("key pair: %s, %s" % (key, crt))
        elif a.cmd == "fit":
            make_fit(a.out, a.kernel, a.dtb, a.load, a.entry or a.load, a.desc,
                     a.sign_dir or None, a.ctrl_in, a.ctrl_out or a.ctrl_in)
        elif a.cmd == "card":
            files = [tuple(f.split("=", 1)) if "=" in f else f for f in a.files]
            print("%s: %d bytes" % (a.out, make_card(a.out, files, fat32=a.fat32)))
        elif a.cmd == "bmap":
            write_bmap(a.image, a.out)
        elif a.cmd == "tamper":
            print("flipped the byte at offset %d" % tamper(a.src, a.dst, a.needle))
        elif a.cmd == "dumpdtb":
            q = a.qemu[1:] if a.qemu[:1] == ["--"] else a.qemu
            dump_qemu_dtb(a.out, q)
        elif a.cmd == "build":
            build(a)
        elif a.cmd == "testcards":
            testcards(a)
    except ImageError as e:
        print("takt_image: %s" % e, file=sys.stderr)
        return 1
    return 0


def boot_values(a, fit_dtb):
    """The boot script template's @NAME@ values."""
    if fit_dtb:
        fdt, what = "", "the FIT's DT (built with TAKT_FIT_DTB: the signature covers it)"
    else:
        # The loader's DT. Without one (a u-boot with no control DT) bootm passes
        # none and Takt uses its built-in DTB.
        fdt, what = " - ${fdtcontroladdr}", "u-boot's own DT (${fdtcontroladdr})"
    return {"FIT_ADDR": a.fit_addr, "DESC": a.desc, "BOOTM_FDT": fdt, "FDT_WHAT": what,
            "LOAD_ADDR": a.load}


def build(a):
    out = a.outdir
    kind = CARDS[a.card]
    itb = os.path.join(out, "takt.itb")
    ctrl_out = os.path.join(out, "u-boot-ctrl.dtb")
    sign = os.path.abspath(a.sign_dir) if a.sign_dir else None
    ctrl_in = a.ctrl_dtb
    if sign and not kind["fit"]:
        raise ImageError("a %s card boots a plain image (its u-boot has no FIT): it "
                         "cannot be signed" % a.card)
    if sign:
        check_keys(sign)
        if not ctrl_in:
            if not a.qemu:
                raise ImageError("signing: no u-boot control DTB for this board "
                                 "(set TAKT_UBOOT_CTRL_DTB)")
            ctrl_in = os.path.join(out, "qemu-virt.dtb")
            dump_qemu_dtb(ctrl_in, a.qemu.split("|"))
    elif os.path.exists(ctrl_out):
        os.remove(ctrl_out)            # no stale key DTB next to an unsigned FIT
    if kind["fit"]:
        make_fit(itb, a.kernel, a.dtb if a.fit_dtb else None, a.load, a.entry or a.load,
                 a.desc, sign, ctrl_in, ctrl_out)
    elif os.path.exists(itb):
        os.remove(itb)
    scr = os.path.join(out, "boot.scr")
    make_boot_scr(scr, a.boot_cmd, boot_values(a, a.fit_dtb))
    if not a.no_card:
        files, warning = card_files(a, scr, itb)
        make_card(os.path.join(out, "takt-sdcard.img"), files, fat32=kind["fat32"])
        if warning:
            print("takt_image: %s" % warning, file=sys.stderr)


def testcards(a):
    out = a.outdir
    os.makedirs(out, exist_ok=True)
    kernel = os.path.join(a.build_dir, "takt.bin")
    dtb = os.path.join(a.build_dir, "board.dtb")
    qemu_dtb = os.path.join(out, "qemu-virt.dtb")
    dump_qemu_dtb(qemu_dtb, a.qemu.split("|"))
    scr = os.path.join(out, "boot.scr")
    # The DT goes into the FIT, so that the signature covers it (--fit-dtb).
    a.desc = "verified-boot test"
    make_boot_scr(scr, a.boot_cmd, boot_values(a, True))
    keys = {}
    for k in ("key-a", "key-b"):
        keys[k] = os.path.join(out, k)
        if not os.path.isfile(key_files(keys[k])[1]):
            keygen(keys[k], force=True)
    # Key A: the trusted one, in the control DTB.
    fits = os.path.join(out, "fits")
    os.makedirs(fits, exist_ok=True)
    itb = os.path.join(fits, "takt.itb")
    make_fit(itb, kernel, dtb, a.load, a.load, "signed", keys["key-a"], qemu_dtb,
             os.path.join(out, "ctrl.dtb"))
    make_card(os.path.join(out, "signed.img"), [scr, itb])
    # The same FIT with one byte of the kernel flipped after signing.
    tamper(itb, itb + ".bad", kernel)
    os.replace(itb + ".bad", itb)
    make_card(os.path.join(out, "tampered.img"), [scr, itb])
    # A FIT correctly signed, but with key B, which u-boot does not know.
    make_fit(itb, kernel, dtb, a.load, a.load, "other key", keys["key-b"], qemu_dtb,
             os.path.join(out, "ctrl-b.dtb"))
    make_card(os.path.join(out, "wrongkey.img"), [scr, itb])
    print("verified-boot test cards in %s" % out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
