"""The one image-loading path: size and pixel limits checked BEFORE anything is decoded.

Every image the kiosk, its commands and the emulator read from a file or from bytes (a request's
base64 image) goes through :func:`load_image` or :func:`decode_image`. Both

1. bound the bytes read (``max_bytes``; a file is read with a bound, never ``stat`` trusted),
2. read the width and height from the format's own header (JPEG SOFn, PNG IHDR, BMP info
   header, WebP frame header, TIFF first IFD) with the small parsers below, and refuse anything
   whose header claims more than
   ``max_pixels`` (default :data:`DEFAULT_MAX_PIXELS`, the ``kiosk.max_image_megapixels``
   setting), and
3. only then let OpenCV decode, and check the decoded size again.

A 629-byte JPEG that claims 30000x30000 pixels, or a 2.6 MB PNG of 30000x30000, is refused in
microseconds instead of taking gigabytes (docs/security.md). ``cv2.imdecode`` flags such as
``IMREAD_REDUCED_*`` do not bound memory by themselves, so they are not relied on.

Which formats are accepted depends on where the bytes come from (``formats``):

* :data:`REQUEST_FORMATS` (the default of :func:`decode_image`): JPEG, PNG and BMP, what the
  emulator takes in a request, as the service does;
* :data:`FILE_FORMATS` (the default of :func:`load_image`): those and WebP (photographs saved
  from the web or a phone are often WebP, even under a ``.jpg`` name) and TIFF (what document
  scanners write). A file is re-encoded as JPEG before any upload, so the service never sees
  these formats.

Other formats OpenCV could decode (GIF, PNM, HDR, JPEG 2000, ...) are refused as unsupported
rather than parsed.

Pure functions, thread-safe.
"""

from __future__ import annotations

import os
import re
import struct

import numpy as np

from kiosk.core.bounded_read import BoundedReadError, read_bytes_bounded

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "FILE_FORMATS",
    "JPEG_MAX_SCANS",
    "REQUEST_FORMATS",
    "ImageLoadError",
    "decode_image",
    "image_header",
    "load_image",
    "read_bounded",
    "set_default_max_pixels",
]

#: refuse to read anything larger (a camera still or a phone photo is a few MB at most)
DEFAULT_MAX_BYTES = 40 * 1024 * 1024
#: refuse to decode anything larger than about 40 megapixels (120 MB as BGR)
DEFAULT_MAX_PIXELS = 40_000_000

#: the process-wide default (one writer at start-up, then read-only)
_LIMITS = {"max_pixels": DEFAULT_MAX_PIXELS}

#: JPEG start-of-frame markers (baseline, extended, progressive, lossless, arithmetic...);
#: C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
#: markers without a length field
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: the first byte that is not a JPEG fill byte (0xFF)
_NOT_FF = re.compile(rb"[^\xff]")
#: a JPEG marker with a meaning after the frame header: 0xFF (and fill) then neither 00
#: (a stuffed 0xFF in entropy-coded data) nor a restart marker (D0-D7)
_JPEG_MARKER = re.compile(rb"\xff+([^\x00\xd0-\xd7\xff])")
#: segments allowed before a JPEG's frame header (a real file has tens; a file of empty
#: segments would otherwise make the walk take seconds)
_JPEG_MAX_SEGMENTS = 10_000
#: scans allowed in one JPEG. Every scan of a progressive JPEG makes libjpeg walk every block of
#: the frame again: 10,000 empty scans of 10 bytes each (100 KB) cost 40 s of CPU for a
#: 6000x6000 frame. Encoders write 10 or so (libjpeg's default progression for colour is 10,
#: mozjpeg's up to about 20); libjpeg-turbo's own tools offer the same cap (-maxscans).
JPEG_MAX_SCANS = 100

#: what a request to the (emulated) service may carry
REQUEST_FORMATS = frozenset({"jpeg", "png", "bmp"})
#: what a file given to the kiosk's commands may be (re-encoded as JPEG before any upload)
FILE_FORMATS = REQUEST_FORMATS | {"webp", "tiff"}


class ImageLoadError(ValueError):
    """The image is refused. ``reason`` is one of ``unreadable``, ``too_large`` (bytes),
    ``too_many_pixels``, ``unsupported`` (not one of the accepted formats), ``corrupt`` (header
    or data)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


def set_default_max_pixels(pixels: int) -> None:
    """Set the process-wide default pixel limit (from ``kiosk.max_image_megapixels`` at start)."""
    if pixels < 1:
        raise ValueError("max pixels must be >= 1")
    _LIMITS["max_pixels"] = int(pixels)


def default_max_pixels() -> int:
    """The process-wide default pixel limit."""
    return _LIMITS["max_pixels"]


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the first SOFn segment; ``ImageLoadError('corrupt')`` otherwise.

    The walk is libjpeg's own (``next_marker``): bytes up to the next 0xFF are skipped, fill
    bytes (0xFF) are skipped, and ``FF 00`` is garbage, not a marker. So the frame header found
    here is the one libjpeg decodes: a file starting ``FF D8 FF 00 ...`` cannot show this
    parser a small fake frame while libjpeg reads a huge real one. At most
    :data:`_JPEG_MAX_SEGMENTS` segments come before the frame header (a real file has tens)."""
    n = len(data)
    i = 2  # after SOI
    for _ in range(_JPEG_MAX_SEGMENTS):
        i = data.find(b"\xff", i)  # libjpeg skips (with a warning) anything before a 0xFF
        if i < 0:
            break
        m = _NOT_FF.search(data, i)  # fill bytes
        if m is None:
            break
        i = m.start()
        marker = data[i]
        i += 1
        if marker == 0x00 or marker in _STANDALONE:  # FF 00: garbage; RSTn / TEM: no length
            continue
        if marker in (0xD9, 0xDA):  # EOI or start of scan before any frame header
            raise ImageLoadError("corrupt", "JPEG without a frame header")
        if i + 2 > n:
            break
        (length,) = struct.unpack_from(">H", data, i)
        if length < 2:
            raise ImageLoadError("corrupt", "JPEG segment length")
        if marker in _SOF:
            if i + 7 > n:
                break
            height, width = struct.unpack_from(">HH", data, i + 3)
            if width == 0 or height == 0:  # height 0 = defined later by DNL: size unknown, refuse
                raise ImageLoadError("corrupt", "JPEG frame without a size")
            return width, height
        i += length
    else:
        raise ImageLoadError("corrupt", f"more than {_JPEG_MAX_SEGMENTS} JPEG segments before the frame header")
    raise ImageLoadError("corrupt", "truncated JPEG header")


def _jpeg_scans(data: bytes) -> int:
    """How many scans the image holds, counted up to ``JPEG_MAX_SCANS + 1``: the segments are
    walked from SOI as libjpeg walks them (a segment skipped by its length, entropy-coded data
    skipped up to the next marker: a 0xFF there is followed by 00 or a restart marker), up to
    EOI. Metadata (an ICC profile in many APP2 segments, an EXIF thumbnail with its own scans)
    and images after EOI (a phone's multi-picture previews) do not count; a thumbnail or an APP
    segment cannot hide the scans of the image itself."""
    scans = 0
    i = 2  # after SOI
    for _ in range(_JPEG_MAX_SEGMENTS + JPEG_MAX_SCANS):
        m = _JPEG_MARKER.search(data, i)
        if m is None:
            break
        marker, i = m.group(1)[0], m.end()
        if marker == 0xD9:  # EOI
            break
        if marker == 0x01:  # TEM: no length
            continue
        if i + 2 > len(data):
            break
        if marker == 0xDA:
            scans += 1
            if scans > JPEG_MAX_SCANS:
                break
        i += max(2, struct.unpack_from(">H", data, i)[0])
    return scans


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageLoadError("corrupt", "PNG without IHDR")
    width, height = struct.unpack_from(">II", data, 16)
    if width == 0 or height == 0 or width > 0x7FFFFFFF or height > 0x7FFFFFFF:
        raise ImageLoadError("corrupt", "PNG size")
    return width, height


#: samples per pixel of each PNG colour type
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _png_data_fits(data: bytes, width: int, height: int) -> bool:
    """Whether the PNG's compressed image data (its IDAT chunks) is no larger than its declared
    size could need. Deflate never expands data by more than a few bytes per 64 KB, so more
    IDAT than the raw rows (plus an eighth and 64 KB of slack) is not image data: a "1x1" PNG
    with 7 MB of IDAT made libpng inflate all of it (18 s of CPU, 'Too much image data')."""
    if len(data) < 29:
        return False
    depth, colour, interlaced = data[24], data[25], data[28]
    row = 1 + (width * _PNG_CHANNELS.get(colour, 4) * max(1, depth) + 7) // 8
    raw = height * row + (7 * height if interlaced else 0)  # Adam7: a filter byte per pass row
    allowed = raw + raw // 8 + 65536
    total, at = 0, 8
    for _ in range(1_000_000):  # a 40 MB file holds at most 3.3 M empty chunks; stop well before
        if at + 8 > len(data):
            break
        length, kind = struct.unpack_from(">I4s", data, at)
        if kind == b"IDAT":
            total += length
            if total > allowed:
                return False
        elif kind == b"IEND":
            break
        at += 12 + length
    return True


def _bmp_size(data: bytes) -> tuple[int, int]:
    if len(data) < 26:
        raise ImageLoadError("corrupt", "truncated BMP header")
    (header_size,) = struct.unpack_from("<I", data, 14)
    if header_size == 12:  # OS/2 BITMAPCOREHEADER
        width, height = struct.unpack_from("<HH", data, 18)
    elif header_size >= 40:
        width, height = struct.unpack_from("<ii", data, 18)
    else:
        raise ImageLoadError("corrupt", "BMP header size")
    width, height = abs(width), abs(height)  # negative height: top-down
    if width == 0 or height == 0:
        raise ImageLoadError("corrupt", "BMP size")
    return width, height


def _webp_frame_size(data: bytes, at: int, fourcc: bytes) -> tuple[int, int] | None:
    """(width, height) of a ``VP8 `` or ``VP8L`` bitstream whose chunk payload starts at ``at``."""
    if fourcc == b"VP8 ":
        if len(data) < at + 10 or data[at + 3 : at + 6] != b"\x9d\x01\x2a":
            raise ImageLoadError("corrupt", "WebP VP8 frame header")
        width, height = struct.unpack_from("<HH", data, at + 6)
        return width & 0x3FFF, height & 0x3FFF
    if fourcc == b"VP8L":
        if len(data) < at + 5 or data[at] != 0x2F:
            raise ImageLoadError("corrupt", "WebP VP8L header")
        (bits,) = struct.unpack_from("<I", data, at + 1)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _webp_size(data: bytes) -> tuple[int, int]:
    """The larger of the canvas (``VP8X``) and every frame bitstream found in the first chunks:
    a canvas cannot hide a bigger frame from the limit."""
    width = height = 0
    at, chunks = 12, 0
    while at + 8 <= len(data) and chunks < 16:
        fourcc = data[at : at + 4]
        (size,) = struct.unpack_from("<I", data, at + 4)
        body = at + 8
        if fourcc == b"VP8X":
            if len(data) < body + 10:
                raise ImageLoadError("corrupt", "WebP VP8X header")
            cw = 1 + int.from_bytes(data[body + 4 : body + 7], "little")
            ch = 1 + int.from_bytes(data[body + 7 : body + 10], "little")
            width, height = max(width, cw), max(height, ch)
        else:
            frame = _webp_frame_size(data, body, fourcc)
            if frame is not None:
                width, height = max(width, frame[0]), max(height, frame[1])
        at, chunks = body + size + (size & 1), chunks + 1
    if width == 0 or height == 0:
        raise ImageLoadError("corrupt", "WebP without a frame size")
    return width, height


def _tiff_size(data: bytes) -> tuple[int, int]:
    """(ImageWidth, ImageLength) of the first IFD (the page OpenCV decodes), each at least the
    tile's size (TileWidth, TileLength) when the image is tiled; a tag given twice counts with
    its larger value, so a small second copy cannot hide a large first one."""
    order = "<" if data[:2] == b"II" else ">"
    if len(data) < 8:
        raise ImageLoadError("corrupt", "truncated TIFF header")
    (ifd,) = struct.unpack_from(order + "I", data, 4)
    if ifd < 8 or ifd + 2 > len(data):
        raise ImageLoadError("corrupt", "TIFF IFD offset")
    (count,) = struct.unpack_from(order + "H", data, ifd)
    size: dict[int, int] = {}
    for k in range(min(count, 512)):
        entry = ifd + 2 + 12 * k
        if entry + 12 > len(data):
            break
        tag, kind = struct.unpack_from(order + "HH", data, entry)
        if tag in (256, 257, 322, 323):  # ImageWidth, ImageLength, TileWidth, TileLength
            fmt = {3: "H", 4: "I"}.get(kind)
            if fmt is None:
                raise ImageLoadError("corrupt", "TIFF size type")
            (value,) = struct.unpack_from(order + fmt, data, entry + 8)
            size[tag] = max(size.get(tag, 0), value)  # a repeated tag: the largest (libtiff takes the first)
    width, height = size.get(256, 0), size.get(257, 0)
    if width == 0 or height == 0:
        raise ImageLoadError("corrupt", "TIFF without a size")
    # OpenCV reads a tiled TIFF one whole tile at a time: a 1x1 image with one 16000x16000 tile
    # costs a gigabyte, so a tile counts as large as the image it could hold
    return max(width, size.get(322, 0)), max(height, size.get(323, 0))


def _sniff(data: bytes) -> str | None:
    """The format named by the first bytes, or None."""
    if data.startswith(b"\xff\xd8"):
        return "jpeg"
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(b"BM"):
        return "bmp"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):  # classic TIFF (BigTIFF is not accepted)
        return "tiff"
    return None


_UNKNOWN_FORMAT = "not a JPEG, PNG, BMP, WebP or TIFF image"
_SIZE_PARSERS = {"jpeg": _jpeg_size, "png": _png_size, "bmp": _bmp_size, "webp": _webp_size, "tiff": _tiff_size}


def image_header(data: bytes, formats: frozenset[str] | None = None) -> tuple[str, int, int]:
    """``(format, width, height)`` read from the header only; raises :class:`ImageLoadError`
    (``unsupported`` for a format none of the parsers here knows, or one not in ``formats``:
    refused before its header is parsed)."""
    fmt = _sniff(data)
    if fmt is None:
        raise ImageLoadError("unsupported", _UNKNOWN_FORMAT)
    if formats is not None and fmt not in formats:
        raise ImageLoadError("unsupported", f"{fmt.upper()} is not accepted here")
    return (fmt, *_SIZE_PARSERS[fmt](data))


def decode_image(
    data: bytes | bytearray | memoryview | np.ndarray,
    *,
    max_pixels: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    grayscale: bool = False,
    formats: frozenset[str] = REQUEST_FORMATS,
) -> np.ndarray:
    """Check the format and the header against the limits, then decode to BGR (or gray);
    raises :class:`ImageLoadError`."""
    import cv2

    raw = data.tobytes() if isinstance(data, np.ndarray) else bytes(data)
    if not raw:
        raise ImageLoadError("unreadable", "empty")
    if len(raw) > max_bytes:
        raise ImageLoadError("too_large", f"{len(raw)} bytes > {max_bytes}")
    limit = _LIMITS["max_pixels"] if max_pixels is None else max_pixels
    fmt, width, height = image_header(raw, formats)
    if width * height > limit:
        raise ImageLoadError("too_many_pixels", f"{width}x{height} > {limit} pixels")
    if fmt == "jpeg" and _jpeg_scans(raw) > JPEG_MAX_SCANS:
        raise ImageLoadError("corrupt", f"more than {JPEG_MAX_SCANS} JPEG scans")
    if fmt == "png" and not _png_data_fits(raw, width, height):
        raise ImageLoadError("corrupt", "more PNG image data than its size can hold")
    flags = cv2.IMREAD_GRAYSCALE if grayscale else cv2.IMREAD_COLOR
    try:
        image = cv2.imdecode(np.frombuffer(raw, np.uint8), flags)
    except cv2.error:
        image = None
    if image is None or image.size == 0:
        raise ImageLoadError("corrupt", "cannot be decoded")
    if image.shape[0] * image.shape[1] > limit:  # a header that lied (never seen; belt and braces)
        raise ImageLoadError("too_many_pixels", "decoded image larger than its header")
    return image


def read_bounded(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file, at most ``max_bytes``; raises :class:`ImageLoadError`
    (:func:`kiosk.core.bounded_read.read_bytes_bounded`: FIFOs and devices are refused before
    they are opened, the size is bounded by reading, not by trusting ``stat``)."""
    try:
        return read_bytes_bounded(path, max_bytes)
    except BoundedReadError as exc:
        reason = "too_large" if exc.reason == "too_large" else "unreadable"
        raise ImageLoadError(reason, str(exc)) from None


def load_image(
    path: str | os.PathLike[str],
    *,
    max_pixels: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    grayscale: bool = False,
    formats: frozenset[str] = FILE_FORMATS,
) -> np.ndarray:
    """:func:`read_bounded` then :func:`decode_image` (works with non-ASCII paths on Windows)."""
    return decode_image(read_bounded(path, max_bytes), max_pixels=max_pixels, max_bytes=max_bytes,
                        grayscale=grayscale, formats=formats)
