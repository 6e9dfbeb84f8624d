#!/usr/bin/env python3
"""Flashable packages of a Takt build (standard library only; see DESIGN.md section 6).

  takt_image.py build   ...   takt.itb (FIT: kernel + DTB, sha256 each, one configuration,
                              signed with --sign-dir), boot.scr, takt-sdcard.img (+ .bmap),
                              and with --sign-dir the u-boot control DTB holding the key
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
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

KEY_NAME = "takt"            # key-name-hint: DIR/takt.key, DIR/takt.crt
SECTOR = 512


class ImageError(Exception):
    pass


def run(cmd, **kw):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, **kw)
    except OSError as e:
        raise ImageError("cannot run %s: %s (./takt setup installs it)" % (cmd[0], e))
    if p.returncode != 0:
        raise ImageError("%s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode,
                                                       p.stdout.strip()))
    return p.stdout


def replace(tmp, dest):
    os.replace(tmp, dest)


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
    def q(s):
        return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')
    # Node names without unit addresses: u-boot's signature check refuses '@'.
    signature = ""
    if sign:
        signature = """
			signature {
				algo = "sha256,rsa2048";
				key-name-hint = %s;
				sign-images = "kernel", "fdt";
			};""" % q(KEY_NAME)
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
		};
		fdt {
			description = "board DTB";
			data = /incbin/(%(dtb)s);
			type = "flat_dt";
			arch = "arm64";
			compression = "none";
			hash {
				algo = "sha256";
			};
		};
	};

	configurations {
		default = "conf";
		conf {
			description = %(desc)s;
			kernel = "kernel";
			fdt = "fdt";%(signature)s
		};
	};
};
""" % {"desc": q(desc), "kernel": q(os.path.abspath(kernel)), "dtb": q(os.path.abspath(dtb)),
       "load": load, "entry": entry, "signature": signature}


def make_fit(out, kernel, dtb, load, entry, desc, sign_dir=None, ctrl_in=None, ctrl_out=None):
    """Write the .its and the FIT; when signing, also ctrl_out = ctrl_in + public key."""
    for f in (kernel, dtb):
        if not os.path.isfile(f):
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

def fat_image(path, files, label):
    """The smallest FAT file system (in 4 KiB steps) mcopy can put `files` into."""
    payload = sum(os.path.getsize(f) for f in files)
    # FAT12 with 512-byte clusters, one FAT, 16 root entries: a few KiB of overhead.
    size_kib = max(32, (payload + len(files) * SECTOR) // 1024 + 4)
    size_kib = (size_kib + 3) // 4 * 4
    for _ in range(64):
        if os.path.exists(path):
            os.remove(path)
        run(["mkfs.vfat", "-C", "-n", label, "-i", "7a6b7400", "-s", "1", "-f", "1",
             "-r", "16", "-S", str(SECTOR), path, str(size_kib)])
        try:
            run(["mcopy", "-i", path, "-m"] + files + ["::/"],
                env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
            return size_kib * 1024
        except ImageError as e:
            if "Disk full" not in str(e) and "No free" not in str(e):
                raise
        size_kib += 4
    raise ImageError("could not size the FAT image for %d bytes" % payload)


def make_card(out, files, label="TAKTBOOT", start_sector=2048):
    """MBR + one bootable FAT partition (type 0x0c) at start_sector holding files."""
    for f in files:
        if not os.path.isfile(f):
            raise ImageError("no such file: %s" % f)
    d = os.path.dirname(os.path.abspath(out))
    tmpdir = tempfile.mkdtemp(prefix=".card-", dir=d)
    try:
        fat = os.path.join(tmpdir, "fat.img")
        fat_bytes = fat_image(fat, files, label)
        img = os.path.join(tmpdir, "card.img")
        with open(img, "wb") as f:
            f.truncate(start_sector * SECTOR + fat_bytes)
        layout = "label: dos\nstart=%d, size=%d, type=c, bootable\n" % (
            start_sector, fat_bytes // SECTOR)
        run(["sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", img], input=layout)
        with open(fat, "rb") as src, open(img, "r+b") as dst:
            dst.seek(start_sector * SECTOR)
            shutil.copyfileobj(src, dst)
        replace(img, out)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    bmap = out + ".bmap"
    if shutil.which("bmaptool"):
        run(["bmaptool", "create", "-o", bmap + ".tmp", out])
        replace(bmap + ".tmp", bmap)
    elif os.path.exists(bmap):
        os.remove(bmap)
    return os.path.getsize(out)


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
    c.add_argument("files", nargs="+")

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
            print("%s: %d bytes" % (a.out, make_card(a.out, a.files)))
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


def build(a):
    out = a.outdir
    itb = os.path.join(out, "takt.itb")
    ctrl_out = os.path.join(out, "u-boot-ctrl.dtb")
    sign = os.path.abspath(a.sign_dir) if a.sign_dir else None
    ctrl_in = a.ctrl_dtb
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
    make_fit(itb, a.kernel, a.dtb, a.load, a.entry or a.load, a.desc, sign, ctrl_in, ctrl_out)
    scr = os.path.join(out, "boot.scr")
    make_boot_scr(scr, a.boot_cmd, {"FIT_ADDR": a.fit_addr, "DESC": a.desc})
    if not a.no_card:
        make_card(os.path.join(out, "takt-sdcard.img"), [scr, itb])


def testcards(a):
    out = a.outdir
    os.makedirs(out, exist_ok=True)
    kernel = os.path.join(a.build_dir, "takt.bin")
    dtb = os.path.join(a.build_dir, "board.dtb")
    qemu_dtb = os.path.join(out, "qemu-virt.dtb")
    dump_qemu_dtb(qemu_dtb, a.qemu.split("|"))
    scr = os.path.join(out, "boot.scr")
    make_boot_scr(scr, a.boot_cmd, {"FIT_ADDR": a.fit_addr, "DESC": "verified-boot test"})
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
