#!/usr/bin/env python3
"""Pack an arm64 image's .rela.dyn into the RELR format, in place in takt.elf.

The arm64 image is linked -pie and relocates itself at entry
(kernel/arch/arm64/start.S): every relocation is R_AARCH64_RELATIVE, 24 bytes
of RELA each (4.6 KiB of hello's 136, 12 KiB of the gateway's). RELR (the
format of ELF's SHT_RELR, which this ld cannot emit for arm64) keeps only the
addresses, as a list of 64-bit words:

  even word  A      the pointer at link address A is relocated; next = A + 8
  odd word   bits   bit i (1..63) set: the pointer at next + (i-1)*8 is;
                    then next += 63 * 8

followed here by the word 1, where start.S stops: a bitmap of no pointers,
which a standard RELR reader (readelf -r) passes over; the section's old tail
is zeroed. The addend moves into place: each pointer is written with its link
time value, which start.S adds the load offset to. The section becomes
SHT_RELR, so size.txt, objcopy's image and readelf see the packed size.

cmake/check-relocs.cmake has already refused any other relocation type; this
checks again and refuses a pointer that is not 8-byte aligned, or one outside
the sections that have file contents, rather than pack what start.S would get
wrong. Usage: takt_relr.py takt.elf
"""
import struct
import sys

SHT_NOBITS = 8
SHT_RELA = 4
SHT_RELR = 19
R_AARCH64_NONE = 0
R_AARCH64_RELATIVE = 1027


class Elf:
    def __init__(self, data):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise SystemExit("takt_relr: not a 64-bit little-endian ELF")
        self.data = data
        (self.shoff,) = struct.unpack_from("<Q", data, 0x28)
        self.shentsize, self.shnum, self.shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        self.sections = [self.section(i) for i in range(self.shnum)]
        strtab = self.sections[self.shstrndx]
        for s in self.sections:
            end = data.index(b"\0", strtab["offset"] + s["name_off"])
            s["name"] = data[strtab["offset"] + s["name_off"]:end].decode()

    def section(self, i):
        at = self.shoff + i * self.shentsize
        name, typ, flags, addr, offset, size, link, info, align, entsize = struct.unpack_from(
            "<IIQQQQIIQQ", self.data, at)
        return {"index": i, "at": at, "name_off": name, "type": typ, "addr": addr,
                "offset": offset, "size": size, "entsize": entsize}

    def named(self, name):
        for s in self.sections:
            if s["name"] == name:
                return s
        return None

    def file_offset(self, addr):
        """File offset of the 8 bytes at link address addr, or None."""
        for s in self.sections:
            if s["type"] != SHT_NOBITS and s["addr"] and s["addr"] <= addr and addr + 8 <= s["addr"] + s["size"]:
                return s["offset"] + addr - s["addr"]
        return None


def encode(addrs):
    """RELR words for sorted, 8-byte aligned addresses."""
    words = []
    i = 0
    while i < len(addrs):
        words.append(addrs[i])
        nxt = addrs[i] + 8
        i += 1
        while i < len(addrs) and addrs[i] - nxt < 63 * 8:
            bits = 0
            while i < len(addrs) and addrs[i] - nxt < 63 * 8:
                bits |= 1 << ((addrs[i] - nxt) // 8)
                i += 1
            words.append((bits << 1) | 1)
            nxt += 63 * 8
    return words


def decode(words):
    """The addresses words relocate (the check of encode, as start.S reads them)."""
    out, nxt = [], 0
    for w in words:
        if w & 1 == 0:
            out.append(w)
            nxt = w + 8
            continue
        for bit in range(1, 64):
            if (w >> bit) & 1:
                out.append(nxt + (bit - 1) * 8)
        nxt += 63 * 8
    return out


def pack(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    elf = Elf(data)
    rela = elf.named(".rela.dyn")
    if rela is None or rela["type"] == SHT_RELR:
        return "no .rela.dyn to pack" if rela is None else "already packed"
    if rela["type"] != SHT_RELA or rela["entsize"] != 24:
        raise SystemExit("takt_relr: .rela.dyn is not RELA")
    addrs = []
    for at in range(rela["offset"], rela["offset"] + rela["size"], 24):
        r_offset, r_info, r_addend = struct.unpack_from("<QQq", data, at)
        if r_info == R_AARCH64_NONE:
            continue
        if r_info != R_AARCH64_RELATIVE:
            raise SystemExit("takt_relr: relocation type %d at 0x%x: only R_AARCH64_RELATIVE "
                             "is packed" % (r_info & 0xffffffff, r_offset))
        where = elf.file_offset(r_offset)
        if r_offset % 8 or where is None:
            raise SystemExit("takt_relr: pointer at 0x%x is %s" % (
                r_offset, "not 8-byte aligned" if r_offset % 8 else "outside the image's contents"))
        if rela["offset"] <= where < rela["offset"] + rela["size"]:
            raise SystemExit("takt_relr: pointer at 0x%x is inside .rela.dyn" % r_offset)
        struct.pack_into("<q", data, where, r_addend)	# the implicit addend
        addrs.append(r_offset)
    addrs.sort()
    if len(set(addrs)) != len(addrs):
        raise SystemExit("takt_relr: a pointer is relocated twice")
    words = encode(addrs) + [1]
    if decode(words) != addrs:
        raise SystemExit("takt_relr: encoding check failed")
    blob = struct.pack("<%dQ" % len(words), *words)
    if len(blob) > rela["size"]:
        raise SystemExit("takt_relr: packed relocations do not fit")
    start = rela["offset"]
    data[start:start + rela["size"]] = blob + bytes(rela["size"] - len(blob))
    # sh_type, then sh_size and sh_entsize of the section header
    struct.pack_into("<I", data, rela["at"] + 4, SHT_RELR)
    struct.pack_into("<Q", data, rela["at"] + 0x20, len(blob))
    struct.pack_into("<Q", data, rela["at"] + 0x38, 8)
    with open(path, "wb") as f:
        f.write(data)
    return "%d relocations: %d bytes of RELA -> %d of RELR" % (len(addrs), rela["size"], len(blob))


def main(argv):
    if len(argv) != 2:
        raise SystemExit("usage: takt_relr.py takt.elf")
    print("relr: %s: %s" % (argv[1], pack(argv[1])))


if __name__ == "__main__":
    main(sys.argv)
