"""A deterministic writer of Compound File Binary files ([MS-CFB] version 3), enough for a vbaProject.bin."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI = 64
CUTOFF = 4096  # streams shorter than this live in the mini stream
FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
RED, BLACK = 0, 1
STORAGE, STREAM, ROOT = 1, 2, 5


@dataclass
class Entry:
    """One directory entry: a storage (children) or a stream (data)."""

    name: str
    data: bytes | None = None  # None for a storage
    children: list[Entry] = field(default_factory=list)
    kind: int = STREAM
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = 0
    size: int = 0

    def __post_init__(self) -> None:
        if self.data is None and self.kind == STREAM:
            self.kind = STORAGE
        if len(self.name) > 31:
            raise ValueError(f"CFB name too long: {self.name!r}")


def storage(name: str, *children: Entry) -> Entry:
    return Entry(name, None, list(children), STORAGE)


def stream(name: str, data: bytes) -> Entry:
    return Entry(name, bytes(data))


def _key(name: str) -> tuple[int, str]:
    """[MS-CFB] 2.6.4 order: shorter names first, then by upper-cased UTF-16 code units."""
    return (len(name.encode("utf-16-le")), name.upper())


def _flatten(root: Entry) -> list[Entry]:
    """Entries in directory order: the root, then breadth-first, each storage's children sorted by name."""
    order, queue = [root], [root]
    while queue:
        node = queue.pop(0)
        kids = sorted(node.children, key=lambda e: _key(e.name))
        order.extend(kids)
        queue.extend(k for k in kids if k.kind != STREAM)
    return order


def _tree(kids: list[Entry], index: dict[int, int]) -> int:
    """Link sorted siblings into a balanced binary tree (median root); colour it as a valid red-black tree."""
    def build(lo: int, hi: int, depth: int, depths: list[tuple[Entry, int]]) -> int:
        if lo > hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = kids[mid]
        depths.append((node, depth))
        node.left = build(lo, mid - 1, depth + 1, depths)
        node.right = build(mid + 1, hi, depth + 1, depths)
        return index[id(node)]

    depths: list[tuple[Entry, int]] = []
    top = build(0, len(kids) - 1, 0, depths)
    if depths:
        deepest = max(d for _n, d in depths)
        full = len([1 for _n, d in depths if d == deepest]) == 2 ** deepest
        for node, d in depths:
            node.color = RED if d == deepest and not full and deepest > 0 else BLACK
    return top


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else ENDOFCHAIN


def write(root_children: list[Entry]) -> bytes:
    """Serialize a tree of storages and streams; the same tree always gives the same bytes."""
    root = Entry("Root Entry", None, list(root_children), ROOT)
    entries = _flatten(root)
    index = {id(e): i for i, e in enumerate(entries)}
    for e in entries:
        if e.kind != STREAM:
            e.child = _tree(sorted(e.children, key=lambda k: _key(k.name)), index)
    root.color = BLACK
    # mini stream: every short stream, 64-byte aligned, in directory order
    mini = bytearray()
    minifat: list[int] = []
    big: list[Entry] = []
    for e in entries:
        if e.kind != STREAM:
            continue
        e.size = len(e.data or b"")
        if e.size >= CUTOFF:
            big.append(e)
            continue
        n = max(1, -(-e.size // MINI))
        e.start = len(minifat)
        _chain_list(minifat, e.start, n)
        mini += (e.data or b"").ljust(n * MINI, b"\0")
    dir_sectors = -(-len(entries) * 128 // SECTOR)
    minifat_sectors = -(-len(minifat) * 4 // SECTOR)
    mini_sectors = -(-len(mini) // SECTOR)
    big_sectors = [-(-e.size // SECTOR) for e in big]
    payload = dir_sectors + minifat_sectors + mini_sectors + sum(big_sectors)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < payload + fat_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("file too large for a header-only DIFAT")
    total = fat_sectors + payload
    fat = [FREESECT] * (fat_sectors * SECTOR // 4)
    for i in range(fat_sectors):
        fat[i] = FATSECT
    pos = fat_sectors
    dir_start = pos
    _chain(fat, pos, dir_sectors)
    pos += dir_sectors
    minifat_start = pos if minifat_sectors else ENDOFCHAIN
    _chain(fat, pos, minifat_sectors)
    pos += minifat_sectors
    root.start = pos if mini_sectors else ENDOFCHAIN
    root.size = len(mini)
    _chain(fat, pos, mini_sectors)
    pos += mini_sectors
    for e, n in zip(big, big_sectors, strict=True):
        e.start = pos
        _chain(fat, pos, n)
        pos += n
    assert pos == total
    body = bytearray()
    body += struct.pack(f"<{len(fat)}I", *fat)
    directory = b"".join(_dir_entry(e) for e in entries)
    body += directory + _unused(dir_sectors * SECTOR // 128 - len(entries))
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    body += minifat_bytes + struct.pack("<I", FREESECT) * ((minifat_sectors * SECTOR - len(minifat_bytes)) // 4)
    body += bytes(mini).ljust(mini_sectors * SECTOR, b"\0")
    for e, n in zip(big, big_sectors, strict=True):
        body += (e.data or b"").ljust(n * SECTOR, b"\0")
    assert len(body) == total * SECTOR
    return _header(fat_sectors, dir_start, minifat_start, minifat_sectors) + bytes(body)


def _chain_list(fat: list[int], first: int, count: int) -> None:
    fat.extend(first + i + 1 if i < count - 1 else ENDOFCHAIN for i in range(count))


def _unused(n: int) -> bytes:
    """Unallocated directory entries: zeros, with sibling and child ids NOSTREAM."""
    blank = bytearray(128)
    struct.pack_into("<III", blank, 68, NOSTREAM, NOSTREAM, NOSTREAM)
    return bytes(blank) * n


def _dir_entry(e: Entry) -> bytes:
    name = e.name.encode("utf-16-le") + b"\0\0"
    out = bytearray(name.ljust(64, b"\0"))
    out += struct.pack("<HBBIII", len(name), e.kind, e.color, e.left, e.right, e.child)
    out += bytes(16)  # CLSID
    out += struct.pack("<I", 0)  # state bits
    out += struct.pack("<QQ", 0, 0)  # creation and modification time: none, for reproducible bytes
    start = e.start if (e.kind != STORAGE) else 0
    size = e.size if e.kind != STORAGE else 0
    out += struct.pack("<IQ", start, size)
    assert len(out) == 128
    return bytes(out)


def _header(fat_sectors: int, dir_start: int, minifat_start: int, minifat_sectors: int) -> bytes:
    h = bytearray(SIGNATURE)
    h += bytes(16)  # header CLSID
    h += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
    h += bytes(6)
    h += struct.pack("<IIIIIIIII", 0, fat_sectors, dir_start, 0, CUTOFF, minifat_start, minifat_sectors,
                     ENDOFCHAIN, 0)
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    h += struct.pack("<109I", *difat)
    assert len(h) == SECTOR
    return bytes(h)
