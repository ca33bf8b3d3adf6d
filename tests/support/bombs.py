"""Image bombs for the hostile-input tests, generated in milliseconds (nothing big is committed).

* :func:`jpeg_bomb`: a tiny valid JPEG whose frame header (SOF0) claims ``side`` x ``side``
  pixels (629 bytes for the default 8x8 payload); libjpeg would allocate the full frame.
* :func:`png_bomb`: a *valid* PNG of ``side`` x ``side`` black RGB pixels (2.6 MB at 30000),
  built from one deflate block repeated after full flushes, so it is made without ever holding
  the 2.7 GB of pixels: every byte of it decodes, which is what makes it a bomb.
* :func:`webp_bomb`, :func:`tiff_bomb`: small files whose headers claim a huge frame (the two
  formats accepted from files only).
"""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np


def jpeg_bomb(side: int = 30000) -> bytes:
    """A small JPEG whose SOF0 header claims ``side`` x ``side`` pixels."""
    ok, buf = cv2.imencode(".jpg", np.full((8, 8, 3), 128, np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 50])
    assert ok
    data = bytearray(buf.tobytes())
    i = data.index(b"\xff\xc0")  # baseline frame header: FFC0 len(2) precision(1) height(2) width(2)
    struct.pack_into(">HH", data, i + 5, side, side)
    return bytes(data)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(side: int = 30000) -> bytes:
    """A valid all-black RGB PNG of ``side`` x ``side`` pixels, a few MB for 30000."""
    row = bytes(1 + 3 * side)  # filter byte 0 + black pixels
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(row) + co.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, no back-references out
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # an empty final block
    total = len(row) * side
    adler = ((total % 65521) << 16) | 1  # adler32 of `total` zero bytes
    stream = b"\x78\xda" + block * side + tail + struct.pack(">I", adler)
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def webp_bomb(side: int = 16383) -> bytes:
    """A small lossy WebP whose VP8 frame header claims ``side`` x ``side`` pixels (at most
    16383, the format's limit: libwebp would allocate about 1 GB of pixels)."""
    ok, buf = cv2.imencode(".webp", np.full((8, 8, 3), 128, np.uint8), [cv2.IMWRITE_WEBP_QUALITY, 50])
    assert ok
    data = bytearray(buf.tobytes())
    i = data.index(b"\x9d\x01\x2a")  # VP8 start code, then width and height (14 bits each)
    struct.pack_into("<HH", data, i + 3, side, side)
    return bytes(data)


def tiff_bomb(side: int = 60000) -> bytes:
    """A small uncompressed TIFF whose first IFD claims ``side`` x ``side`` pixels."""
    ok, buf = cv2.imencode(".tiff", np.full((8, 8, 3), 128, np.uint8), [cv2.IMWRITE_TIFF_COMPRESSION, 1])
    assert ok
    data = bytearray(buf.tobytes())
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    for k in range(count):
        entry = ifd + 2 + 12 * k
        tag, _kind = struct.unpack_from("<HH", data, entry)
        if tag in (256, 257):  # ImageWidth, ImageLength: make them LONGs claiming `side`
            struct.pack_into("<HHII", data, entry, tag, 4, 1, side)
    return bytes(data)
