"""Block maps (bmaptool's .bmap, formats 1.x and 2.x) for ./takt flash: parsing, the
bmap's own checksum, and the image checked against every range before anything is
written (standard library only). takt_image.py writes them for every card."""

import hashlib
import os
import xml.etree.ElementTree as ET


CHUNK = 1 << 20     # bytes per read


class FlashError(Exception):
    """A refusal or failure with one clear line (takt_flash re-exports it)."""


BMAP_HASHES = {"sha256": hashlib.sha256, "sha1": hashlib.sha1, "md5": hashlib.md5}


class Bmap:
    """The mapped ranges of an image: block_size, image_size, ranges [(first, last,
    checksum or None)], hash (a hashlib constructor)."""

    def __init__(self, block_size, image_size, ranges, hash_fn):
        self.block_size, self.image_size = block_size, image_size
        self.ranges, self.hash = ranges, hash_fn

    def spans(self):
        """[(offset, length, checksum)] in bytes, clipped to the image."""
        out = []
        for first, last, chk in self.ranges:
            off = first * self.block_size
            end = min((last + 1) * self.block_size, self.image_size)
            out.append((off, end - off, chk))
        return out

    def mapped_bytes(self):
        return sum(n for _, n, _ in self.spans())


def _text(root, tag, path):
    el = root.find(tag)
    if el is None or not (el.text or "").strip():
        raise FlashError("%s: no <%s> (not a bmap file?)" % (path, tag))
    return el.text.strip()


def read_bmap(path, image_size):
    """Parse and check a .bmap; FlashError naming what is wrong."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        root = ET.fromstring(raw)
    except (OSError, ET.ParseError) as e:
        raise FlashError("cannot read the block map %s: %s" % (path, e))
    if root.tag != "bmap":
        raise FlashError("%s is not a bmap file (root <%s>)" % (path, root.tag))
    major = (root.get("version") or "0").split(".")[0]
    if major not in ("1", "2"):
        raise FlashError("%s: bmap version %s is not supported (1.x, 2.x are)"
                         % (path, root.get("version")))
    try:
        block = int(_text(root, "BlockSize", path))
        size = int(_text(root, "ImageSize", path))
        count = int(_text(root, "BlocksCount", path))
    except ValueError:
        raise FlashError("%s: BlockSize/ImageSize/BlocksCount are not numbers" % path)
    if block <= 0 or block % 512:
        raise FlashError("%s: block size %d is not a multiple of 512" % (path, block))
    if size != image_size:
        raise FlashError("%s says the image has %d bytes, the image has %d: the bmap "
                         "belongs to another build (rebuild, or remove the .bmap to write "
                         "the whole image)" % (path, size, image_size))
    ctype = "sha256" if major == "2" else "sha1"
    if major == "2":
        ctype = _text(root, "ChecksumType", path).lower()
    if ctype not in BMAP_HASHES:
        raise FlashError("%s: checksum type %s is not supported" % (path, ctype))
    hash_fn = BMAP_HASHES[ctype]
    # The file's own checksum, computed with its value replaced by zeros.
    own = root.find("BmapFileChecksum" if major == "2" else "BmapFileSHA1")
    if own is not None and (own.text or "").strip():
        want = own.text.strip()
        data = raw.replace(want.encode(), b"0" * len(want), 1)
        if hash_fn(data).hexdigest() != want:
            raise FlashError("%s is damaged: its own checksum does not match" % path)
    ranges = []
    bm = root.find("BlockMap")
    if bm is None:
        raise FlashError("%s: no <BlockMap>" % path)
    for r in bm.findall("Range"):
        text = (r.text or "").strip()
        try:
            a, _, b = text.partition("-")
            first, last = int(a), int(b or a)
        except ValueError:
            raise FlashError("%s: bad range %r" % (path, text))
        if first < 0 or last < first or last >= count or first * block >= size:
            raise FlashError("%s: range %r is outside the image's %d blocks"
                             % (path, text, count))
        if ranges and first <= ranges[-1][1]:
            raise FlashError("%s: ranges overlap or are out of order at %r" % (path, text))
        ranges.append((first, last, r.get("chksum") or r.get("sha1")))
    return Bmap(block, size, ranges, hash_fn)


def read_span(fd, off, length):
    """The bytes [off, off + length) of the open file descriptor fd, in chunks of at
    most CHUNK; fewer when the file ends first (callers that care count them)."""
    os.lseek(fd, off, os.SEEK_SET)
    while length:
        buf = os.read(fd, min(CHUNK, length))
        if not buf:
            return
        yield buf
        length -= len(buf)


def check_image_against_bmap(image, bmap):
    """Every mapped range of the image must have the bmap's checksum (before writing)."""
    fd = os.open(image, os.O_RDONLY)
    try:
        for off, length, chk in bmap.spans():
            if chk is None:
                continue
            h = bmap.hash()
            for buf in read_span(fd, off, length):
                h.update(buf)
            if h.hexdigest() != chk:
                raise FlashError("the image does not match its .bmap at bytes %d..%d (a "
                                 "stale .bmap? rebuild, or remove it to write the whole "
                                 "image); nothing written" % (off, off + length))
    finally:
        os.close(fd)
