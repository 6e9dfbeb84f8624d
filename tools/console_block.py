"""Framed binary blocks on a Takt console (kernel/console_b64.c): a crash core
(tag CORE, tools/takt_crash.py) or a scheduler trace (tag TRACE, tools/takt_trace.py):

    TAG BEGIN <bytes>
    <base64 lines of at most 76 characters>
    TAG END <crc32 of the bytes, 8 hex digits>

extract(text, tag) gives the bytes back (None when the text has no block), checking
every line, the length and the CRC; a truncated or damaged block raises BlockError
with what is wrong and where. Lines may end in \\r\\n (the console's) and may carry a
prefix before TAG BEGIN (a log's timestamp); the last block in the text wins.
fold(text) replaces each block's base64 lines by one line saying how many there were.
"""
import base64
import binascii
import re

B64LINE = re.compile(r"^[A-Za-z0-9+/]{1,76}={0,2}$")
LINE_MAX = 76
ANY_BEGIN = re.compile(r"\b(CORE|TRACE) BEGIN \d+\s*$")
WHAT = {"CORE": "crash core", "TRACE": "trace"}


class BlockError(ValueError):
    pass


def _begin(tag):
    return re.compile(r"%s BEGIN (\d+)\s*$" % tag)


def _end(tag):
    return re.compile(r"^%s END ([0-9a-fA-F]{8})\s*$" % tag)


def extract(text, tag):
    """The block's bytes, or None when there is no TAG BEGIN line."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    begin, end, what = _begin(tag), _end(tag), tag.lower()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = [i for i, ln in enumerate(lines) if begin.search(ln)]
    if not starts:
        return None
    first = starts[-1]
    size = int(begin.search(lines[first]).group(1))
    chunks = []
    for no in range(first + 1, len(lines)):
        ln = lines[no].strip()
        m = end.match(ln)
        if m:
            return _check(b"".join(chunks), size, int(m.group(1), 16), first + 1, tag)
        if not ln:
            continue                    # a blank line (the end of the text) carries nothing
        if not B64LINE.match(ln) or len(ln) % 4:
            if not any(x.strip() for x in lines[no + 1:]):
                break                   # the text ends inside this line: truncated
            raise BlockError("%s block at line %d: line %d is not base64 of at most %d "
                             "characters (corrupted console output?): %r"
                             % (what, first + 1, no + 1, LINE_MAX, ln[:80]))
        chunks.append(base64.b64decode(ln))
    got = sum(len(c) for c in chunks)
    raise BlockError("%s block at line %d is truncated: no %s END line (%d of %d bytes "
                     "arrived)" % (what, first + 1, tag, got, size))


def _check(data, size, crc, line, tag):
    what = tag.lower()
    if len(data) != size:
        raise BlockError("%s block at line %d: %d bytes, %s BEGIN announced %d "
                         "(truncated or corrupted)" % (what, line, len(data), tag, size))
    got = binascii.crc32(data) & 0xffffffff
    if got != crc:
        raise BlockError("%s block at line %d: CRC-32 %08x, %s END says %08x "
                         "(corrupted)" % (what, line, got, tag, crc))
    return data


def fold(text):
    """text with the base64 lines of each block replaced by one line saying how many
    there were: a console tail (a failure report) shows the lines around it, not
    the encoding."""
    out, tag, n = [], None, 0
    for ln in text.split("\n"):
        bare = ln.strip()
        if tag and bare and not _end(tag).match(bare) and B64LINE.match(bare):
            n += 1
            continue
        if tag:
            out.append("[%d lines of the %s's base64 not shown]" % (n, WHAT[tag]))
            tag = None
        out.append(ln)
        m = ANY_BEGIN.search(bare)
        if m:
            tag, n = m.group(1), 0
    if tag:
        out.append("[%d lines of the %s's base64 not shown]" % (n, WHAT[tag]))
    return "\n".join(out)
