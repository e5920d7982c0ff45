"""Writes the web app's icons (pwa/icon-192.png, pwa/icon-512.png): a
white half-filled circle (the page's logo) on the accent blue, drawn
pixel by pixel with the standard library only. Run: python3 pwa/make_icons.py"""
import struct
import zlib
from pathlib import Path

BLUE = (0x0B, 0x5C, 0xAD)
WHITE = (0xFF, 0xFF, 0xFF)


def icon(size: int) -> bytes:
    rows = []
    c = (size - 1) / 2
    r_out, r_in = size * 0.36, size * 0.30
    for y in range(size):
        row = bytearray([0])  # filter: none
        for x in range(size):
            d = ((x - c) ** 2 + (y - c) ** 2) ** 0.5
            if d <= r_in:
                px = WHITE if x < c else BLUE
            elif d <= r_out:
                px = WHITE
            else:
                px = BLUE
            row.extend(px)
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


here = Path(__file__).parent
for n in (192, 512):
    (here / f"icon-{n}.png").write_bytes(icon(n))
