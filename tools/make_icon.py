"""Draws icon.png (512x512): a calendar page with a ticket notch, in the project's own colours.

Standard library only, so anyone can regenerate it: `python tools/make_icon.py`.
"""

import struct
import zlib
from pathlib import Path

SIZE = 512
TOP = (255, 138, 76)  # warm orange
BOTTOM = (236, 72, 153)  # pink
PAPER = (255, 255, 255)
INK = (38, 30, 56)


def inside_rounded(x: float, y: float, left: float, top: float, right: float, bottom: float, radius: float) -> bool:
    if not (left <= x <= right and top <= y <= bottom):
        return False
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def pixel(x: int, y: int) -> tuple[int, int, int, int]:
    px, py = x + 0.5, y + 0.5
    if not inside_rounded(px, py, 0, 0, SIZE, SIZE, 112):
        return (0, 0, 0, 0)
    t = (px + py) / (2 * SIZE)
    background = tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM))
    # Calendar page with two binding rings and a ticket notch on each side.
    if inside_rounded(px, py, 112, 136, 400, 400, 36):
        for notch_x in (112, 400):
            if (px - notch_x) ** 2 + (py - 300) ** 2 <= 22**2:
                return (*background, 255)
        if py < 200:
            return (*INK, 255)
        # A 3x2 grid of days, one of them marked.
        for row in range(2):
            for col in range(3):
                left, top = 160 + col * 72, 232 + row * 72
                if inside_rounded(px, py, left, top, left + 48, top + 48, 10):
                    return (*(BOTTOM if (row, col) == (1, 2) else (220, 214, 230)), 255)
        return (*PAPER, 255)
    for ring_x in (184, 328):
        if inside_rounded(px, py, ring_x - 14, 104, ring_x + 14, 170, 14):
            return (*PAPER, 255)
    return (*background, 255)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    rows = [b"".join(bytes(pixel(x, y)) for x in range(SIZE)) for y in range(SIZE)]
    target = Path(__file__).resolve().parent.parent / "icon.png"
    target.write_bytes(png(SIZE, SIZE, rows))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
