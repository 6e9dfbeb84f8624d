"""Card images for takt_image.py (standard library and mtools/dosfstools/sfdisk only):
FAT file systems made without root or loop mounts (mkfs.vfat + mcopy on a file), an
MBR with one FAT partition at 1 MiB, sparse copies that keep the holes, and the .bmap
(bmaptool's format 2.0) that `./takt flash` and bmaptool use to write only the data."""

import hashlib
import os
import shutil
import subprocess
import tempfile

from takt_bmap import read_span

SECTOR = 512
MIB = 1 << 20


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


def _mtools_env():
    return dict(os.environ, MTOOLS_SKIP_CHECK="1")


def _sources(files):
    """[(source path, name on the card)] from paths or (path, name) pairs."""
    out = []
    for f in files:
        src, name = f if isinstance(f, tuple) else (f, os.path.basename(f))
        if not os.path.isfile(src):
            raise ImageError("no such file: %s" % src)
        out.append((src, name))
    names = [n.lower() for _, n in out]
    dup = sorted(set(n for n in names if names.count(n) > 1))
    if dup:
        raise ImageError("two files named %s on the card" % ", ".join(dup))
    return out


def _fill_fat(path, files):
    for src, name in files:
        run(["mcopy", "-i", path, "-m", src, "::/" + name], env=_mtools_env())


def fat_image(path, files, label):
    """The smallest FAT file system (in 4 KiB steps) mcopy can put `files` into."""
    payload = sum(os.path.getsize(src) for src, _ in files)
    # FAT12 with 512-byte clusters, one FAT, 16 root entries: a few KiB of overhead.
    size_kib = max(64, (payload + len(files) * SECTOR) // 1024 + 4)  # mkfs.vfat's least
    size_kib = (size_kib + 3) // 4 * 4
    for _ in range(64):
        if os.path.exists(path):
            os.remove(path)
        run(["mkfs.vfat", "-C", "-n", label, "-i", "7a6b7400", "-s", "1", "-f", "1",
             "-r", "16", "-S", str(SECTOR), path, str(size_kib)])
        try:
            _fill_fat(path, files)
            return size_kib * 1024
        except ImageError as e:
            if "Disk full" not in str(e) and "No free" not in str(e):
                raise
        size_kib += 4
    raise ImageError("could not size the FAT image for %d bytes" % payload)


def fat32_card_size(payload, start_sector=2048):
    """The card size for fat32 cards: a power of two, 64 MiB at least, with 8 MiB
    to spare after the payload (QEMU's SD card model takes powers of two only)."""
    size = 64 * MIB
    while size < start_sector * SECTOR + payload + 8 * MIB:
        size *= 2
    return size


def fat32_image(path, files, label, size):
    """A FAT32 file system of `size` bytes (512-byte clusters: a 63 MiB partition
    has ~129000 clusters, well above FAT32's minimum of 65525) holding files."""
    if os.path.exists(path):
        os.remove(path)
    run(["mkfs.vfat", "-C", "-F", "32", "-n", label, "-i", "7a6b7400", "-s", "1",
         "-S", str(SECTOR), path, str(size // 1024)])
    _fill_fat(path, files)
    return size


def data_extents(path):
    """[(offset, length)] of the parts of path that hold data (holes left out);
    the whole file where the file system cannot say."""
    size = os.path.getsize(path)
    out = []
    fd = os.open(path, os.O_RDONLY)
    try:
        pos = 0
        while pos < size:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:          # ENXIO: no data after pos
                break
            end = os.lseek(fd, start, os.SEEK_HOLE)
            out.append((start, end - start))
            pos = end
    except (AttributeError, OSError):
        return [(0, size)] if size else []
    finally:
        os.close(fd)
    return out


def copy_sparse(src, dst, offset):
    """Copy src's data extents into dst at offset, leaving src's holes as holes
    (the blocks mkfs.vfat wrote, zeros included, stay data: they must reach the card)."""
    with open(src, "rb") as fi, open(dst, "r+b") as fo:
        for start, length in data_extents(src):
            fi.seek(start)
            fo.seek(offset + start)
            while length:
                buf = fi.read(min(length, MIB))
                if not buf:
                    break
                fo.write(buf)
                length -= len(buf)


def make_card(out, files, label="TAKTBOOT", start_sector=2048, fat32=False):
    """MBR + one bootable FAT partition (type 0x0c) at start_sector holding files
    (paths, or (path, name on the card) pairs). Writes out + ".bmap"."""
    files = _sources(files)
    d = os.path.dirname(os.path.abspath(out))
    tmpdir = tempfile.mkdtemp(prefix=".card-", dir=d)
    try:
        fat = os.path.join(tmpdir, "fat.img")
        if fat32:
            payload = sum(os.path.getsize(src) for src, _ in files)
            card_bytes = fat32_card_size(payload, start_sector)
            fat_bytes = fat32_image(fat, files, label, card_bytes - start_sector * SECTOR)
        else:
            fat_bytes = fat_image(fat, files, label)
            card_bytes = start_sector * SECTOR + fat_bytes
        img = os.path.join(tmpdir, "card.img")
        with open(img, "wb") as f:
            # Zeros written, not a hole: the gap before the partition is cleared on
            # the card too (a stale GPT header from its last use would linger).
            f.write(bytes(start_sector * SECTOR))
            f.truncate(card_bytes)
        layout = "label: dos\nlabel-id: 0x7a6b7400\nstart=%d, size=%d, type=c, bootable\n" % (
            start_sector, fat_bytes // SECTOR)
        run(["sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", img], input=layout)
        copy_sparse(fat, img, start_sector * SECTOR)
        write_bmap(img, out + ".bmap.tmp", name=os.path.basename(out))
        replace(img, out)
        replace(out + ".bmap.tmp", out + ".bmap")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return os.path.getsize(out)


# -- bmap -------------------------------------------------------------------------------

BMAP_BLOCK = 4096
BMAP_ZERO_SUM = "0" * 64


def mapped_ranges(path, block=BMAP_BLOCK):
    """[(first block, last block)] covering path's data extents, merged."""
    ranges = []
    for start, length in data_extents(path):
        first, last = start // block, (start + length - 1) // block
        if ranges and first <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], max(last, ranges[-1][1]))
        else:
            ranges.append((first, last))
    return ranges


def range_sha256(f, first, last, block, size):
    h = hashlib.sha256()
    pos, end = first * block, min((last + 1) * block, size)
    for buf in read_span(f.fileno(), pos, max(end - pos, 0)):
        h.update(buf)
    return h.hexdigest()


def write_bmap(image, out, block=BMAP_BLOCK, name=None, ranges=None):
    """bmaptool's bmap format 2.0 for image: the mapped block ranges (the image's
    data extents, or `ranges` [(first, last)] given) with a sha256 each, and the
    sha256 of the bmap file itself (computed with its own value as 64 zeros), so
    that bmaptool copy and ./takt flash both take it."""
    size = os.path.getsize(image)
    if ranges is None:
        ranges = mapped_ranges(image, block)
    count = (size + block - 1) // block
    mapped = sum(b - a + 1 for a, b in ranges)
    lines = []
    with open(image, "rb") as f:
        for a, b in ranges:
            text = ("%d" % a) if a == b else ("%d-%d" % (a, b))
            lines.append('        <Range chksum="%s"> %s </Range>'
                         % (range_sha256(f, a, b, block, size), text))
    xml = """<?xml version="1.0" ?>
<!-- The block map of %(name)s (written by Takt's tools/takt_image.py): the blocks
     that hold data (partition table, file system metadata, files). The others
     need not be written to a card: ./takt flash and bmaptool copy skip them. -->
<bmap version="2.0">
    <ImageSize> %(size)d </ImageSize>
    <BlockSize> %(block)d </BlockSize>
    <BlocksCount> %(count)d </BlocksCount>
    <MappedBlocksCount> %(mapped)d </MappedBlocksCount>
    <ChecksumType> sha256 </ChecksumType>
    <BmapFileChecksum> %(sum)s </BmapFileChecksum>
    <BlockMap>
%(ranges)s
    </BlockMap>
</bmap>
""" % {"name": (name or os.path.basename(image)).replace("--", "-"), "size": size, "block": block,
       "count": count, "mapped": mapped, "sum": BMAP_ZERO_SUM, "ranges": "\n".join(lines)}
    digest = hashlib.sha256(xml.encode()).hexdigest()
    xml = xml.replace("<BmapFileChecksum> %s </BmapFileChecksum>" % BMAP_ZERO_SUM,
                      "<BmapFileChecksum> %s </BmapFileChecksum>" % digest)
    with open(out, "w") as f:
        f.write(xml)
    return ranges


# -- board cards ------------------------------------------------------------------------
