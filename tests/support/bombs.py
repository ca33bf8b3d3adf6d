"""Image bombs for the hostile-input tests, generated in milliseconds (nothing big is committed).

* :func:`jpeg_bomb`: a tiny valid JPEG whose frame header (SOF0) claims ``side`` x ``side``
  pixels (629 bytes for the default 8x8 payload); libjpeg would allocate the full frame.
* :func:`png_bomb`: a *valid* PNG of ``side`` x ``side`` black RGB pixels (2.6 MB at 30000),
  built from one deflate block repeated after full flushes, so it is made without ever holding
  the 2.7 GB of pixels: every byte of it decodes, which is what makes it a bomb.
* :func:`webp_bomb`, :func:`tiff_bomb`: small files whose headers claim a huge frame (the two
  formats accepted from files only).
* :func:`jpeg_scan_bomb`: a CPU bomb, a tiny progressive JPEG with thousands of empty scans.
* :func:`jpeg_hidden_frame`, :func:`tiff_repeated_size`, :func:`tiff_tile_bomb`: headers that
  show a naive parser a small size while the decoder reads (or allocates) a large one.
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


def _small_tiff() -> tuple[bytearray, list[tuple[int, int]]]:
    """An uncompressed 8x8 TIFF from OpenCV and its first IFD's (entry offset, tag) pairs."""
    ok, buf = cv2.imencode(".tiff", np.full((8, 8, 3), 128, np.uint8), [cv2.IMWRITE_TIFF_COMPRESSION, 1])
    assert ok
    data = bytearray(buf.tobytes())
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    entries = [ifd + 2 + 12 * k for k in range(count)]
    return data, [(e, struct.unpack_from("<H", data, e)[0]) for e in entries]


def tiff_bomb(side: int = 60000) -> bytes:
    """A small uncompressed TIFF whose first IFD claims ``side`` x ``side`` pixels."""
    data, entries = _small_tiff()
    for entry, tag in entries:
        if tag in (256, 257):  # ImageWidth, ImageLength: make them LONGs claiming `side`
            struct.pack_into("<HHII", data, entry, tag, 4, 1, side)
    return bytes(data)


def _segment(marker: int, payload: bytes) -> bytes:
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_scan_bomb(scans: int = 2000, side: int = 3000) -> bytes:
    """A grey progressive JPEG of ``side`` x ``side`` pixels with ``scans`` empty AC scans of
    10 bytes each: tiny, but libjpeg walks every block of the frame once per scan."""
    dqt = _segment(0xDB, b"\x00" + bytes([1] * 64))
    sof2 = _segment(0xC2, b"\x08" + struct.pack(">HH", side, side) + b"\x01\x01\x11\x00")
    dht_dc = _segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
    dht_ac = _segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\xe0")
    sos = _segment(0xDA, b"\x01\x01\x00\x01\x3f\x00")  # one component, AC 1..63, no data
    return b"\xff\xd8" + dqt + sof2 + dht_dc + dht_ac + sos * scans + b"\xff\xd9"


def jpeg_hidden_frame(real: bytes, fake_side: int = 8) -> bytes:
    """``real`` (a JPEG) with ``FF 00 00 08`` after its SOI and an APP1 segment holding a fake
    ``fake_side`` square frame header: libjpeg skips ``FF 00 ..`` as garbage and the APP1 by its
    length, so it decodes ``real``'s frame; a parser that takes ``FF 00`` for a marker with a
    length jumps 8 bytes, right onto the fake frame header."""
    fake = _segment(0xC0, b"\x08" + struct.pack(">HH", fake_side, fake_side) + b"\x01\x01\x11\x00")
    app1 = _segment(0xE1, b"\x00\x00" + fake)  # 2 bytes of padding: the fake lands 8 bytes on
    return real[:2] + b"\xff\x00\x00\x08" + app1 + real[2:]


def tiff_repeated_size(side: int = 60000) -> bytes:
    """An 8x8 TIFF whose first IFD gives ImageWidth twice: ``side`` first (what libtiff takes),
    then 8 (in place of the PlanarConfiguration entry)."""
    data, entries = _small_tiff()
    for entry, tag in entries:
        if tag == 256:
            struct.pack_into("<HHII", data, entry, 256, 4, 1, side)
        elif tag == 284:  # PlanarConfiguration (contiguous is the default)
            struct.pack_into("<HHII", data, entry, 256, 4, 1, 8)
    return bytes(data)


def tiff_tile_bomb(tile: int = 16000) -> bytes:
    """A 1x1 RGBA TIFF stored as one ``tile`` x ``tile`` deflate tile: OpenCV reads a tiled
    TIFF a whole tile at a time, so the header's 1x1 would cost ``4 * tile**2`` bytes (only the
    first KB of the tile's data is here: the size alone must refuse it)."""
    data = zlib.compress(bytes(1024))
    bits_at = 8 + 2 + 12 * 12 + 4  # after the 12-entry IFD and its next-IFD offset
    data_at = bits_at + 8
    tags = [  # (tag, type: 3 SHORT / 4 LONG, count, value)
        (256, 3, 1, 1), (257, 3, 1, 1), (258, 3, 4, bits_at), (259, 3, 1, 8), (262, 3, 1, 2), (277, 3, 1, 4),
        (284, 3, 1, 1), (322, 3, 1, tile), (323, 3, 1, tile), (324, 4, 1, data_at), (325, 4, 1, len(data)),
        (338, 3, 1, 2),
    ]
    out = b"II*\x00" + struct.pack("<IH", 8, len(tags))
    for tag, kind, count, value in tags:
        field = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, count) + field
    return out + b"\x00\x00\x00\x00" + struct.pack("<4H", 8, 8, 8, 8) + data
