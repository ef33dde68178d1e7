"""Draws Docket's app icons (a folder tab with a section mark) as PNGs, with only numpy and zlib.

Run with Debian's python3: /usr/bin/python3 scripts/make-icons.py
The maskable icon keeps its mark inside the 80% safe zone that launchers may crop to.
"""
import struct
import zlib
from pathlib import Path

import numpy as np

NAVY = (31, 58, 95)
PAPER = (247, 245, 240)
GOLD = (201, 162, 39)


def png(path: Path, rgb: np.ndarray) -> None:
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def icon(size: int, scale: float, rounded: bool) -> np.ndarray:
    """A paper sheet with folded corner and three text lines on navy; `scale` shrinks the mark."""
    img = np.zeros((size, size, 3), dtype=np.float64)
    img[:] = NAVY
    y, x = np.mgrid[0:size, 0:size] / size
    c = 0.5
    # Work in coordinates centred on the icon and scaled so the mark fits `scale` of the width.
    u = (x - c) / scale + c
    v = (y - c) / scale + c
    sheet = (u > 0.26) & (u < 0.74) & (v > 0.18) & (v < 0.82)
    corner = (u > 0.62) & (v < 0.30)
    img[sheet] = PAPER
    # The top-right corner is folded over: cut away above the diagonal, shade the flap below it.
    img[sheet & corner & ((u - 0.62) > (v - 0.18))] = NAVY
    img[sheet & corner & ((u - 0.62) <= (v - 0.18))] = (214, 208, 196)
    for i, top in enumerate((0.40, 0.52, 0.64)):
        right = 0.66 if i < 2 else 0.56
        line = (u > 0.34) & (u < right) & (v > top) & (v < top + 0.045)
        img[line] = GOLD if i == 0 else NAVY
    if rounded:
        r = 0.18
        dx = np.maximum(np.maximum(r - x, x - (1 - r)), 0)
        dy = np.maximum(np.maximum(r - y, y - (1 - r)), 0)
        outside = dx * dx + dy * dy > r * r
        img[outside] = PAPER
    return img


out = Path(__file__).resolve().parent.parent / "static" / "icons"
out.mkdir(parents=True, exist_ok=True)
png(out / "icon-192.png", icon(192, 1.0, True))
png(out / "icon-512.png", icon(512, 1.0, True))
png(out / "icon-maskable-512.png", icon(512, 0.75, False))
png(out / "apple-touch-icon-180.png", icon(180, 0.9, False))
print("wrote", sorted(p.name for p in out.iterdir()))
