"""The one image-loading path: header sizes, limits before decoding, bombs refused."""

from __future__ import annotations

import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.vision import imageio
from kiosk.core.vision.imageio import (
    FILE_FORMATS,
    ImageLoadError,
    decode_image,
    image_header,
    load_image,
    read_bounded,
)
from tests.support.bombs import (
    jpeg_bomb,
    jpeg_hidden_frame,
    jpeg_scan_bomb,
    png_bomb,
    tiff_bomb,
    tiff_repeated_size,
    tiff_tile_bomb,
    webp_bomb,
)


def _img(w: int, h: int) -> np.ndarray:
    rng = np.random.default_rng(w * 7 + h)
    return rng.integers(0, 255, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize(("w", "h"), [(1, 1), (17, 9), (640, 480), (481, 1201)])
@pytest.mark.parametrize(
    ("ext", "params", "fmt"),
    [
        (".jpg", [cv2.IMWRITE_JPEG_QUALITY, 90], "jpeg"),
        (".jpg", [cv2.IMWRITE_JPEG_PROGRESSIVE, 1], "jpeg"),
        (".png", [], "png"),
        (".bmp", [], "bmp"),
        (".webp", [cv2.IMWRITE_WEBP_QUALITY, 80], "webp"),
        (".webp", [cv2.IMWRITE_WEBP_QUALITY, 101], "webp"),  # lossless (VP8L)
        (".tiff", [], "tiff"),
        (".tiff", [cv2.IMWRITE_TIFF_COMPRESSION, 1], "tiff"),
    ],
)
def test_header_size_matches_what_opencv_decodes(w: int, h: int, ext: str, params: list[int], fmt: str) -> None:
    ok, buf = cv2.imencode(ext, _img(w, h), params)
    assert ok
    data = buf.tobytes()
    assert image_header(data) == (fmt, w, h)
    assert decode_image(data, formats=FILE_FORMATS).shape[:2] == (h, w)


@pytest.mark.parametrize("ext", [".webp", ".tiff"])
def test_webp_and_tiff_are_taken_from_files_but_not_from_requests(tmp_path: Path, ext: str) -> None:
    """A photograph saved as WebP (often under a .jpg name) or a scanner's TIFF loads from a
    file; the emulator's request path takes only what the service takes (JPEG, PNG, BMP)."""
    ok, buf = cv2.imencode(ext, _img(40, 30))
    assert ok
    path = tmp_path / "photo.jpg"
    path.write_bytes(buf.tobytes())
    assert load_image(path).shape == (30, 40, 3)
    with pytest.raises(ImageLoadError) as info:
        decode_image(buf.tobytes())
    assert info.value.reason == "unsupported"
    with pytest.raises(ImageLoadError) as info:
        decode_image(b"RIFF\x00\x00\x00\x00WEBPjunk")  # refused as a format before any parsing
    assert info.value.reason == "unsupported"


def test_jpeg_header_skips_app_segments_and_fill_bytes() -> None:
    _ok, buf = cv2.imencode(".jpg", _img(33, 21))
    data = buf.tobytes()
    # an APP1 segment (an EXIF-like block with a fake SOF inside it) and fill bytes before it
    app1 = b"\xff\xff\xff\xe1" + (2 + 12).to_bytes(2, "big") + b"\xff\xc0\x00\x11\x08\x75\x30\x75\x30\x03\x00\x00"
    crafted = data[:2] + app1 + data[2:]
    assert image_header(crafted) == ("jpeg", 33, 21)
    assert decode_image(crafted).shape[:2] == (21, 33)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8",  # SOI only
        b"\xff\xd8\xff\xe0\x00",  # truncated length
        b"\xff\xd8\xff\xe0\x00\x01",  # length < 2
        b"\xff\xd8\xff\xda\x00\x02",  # scan before any frame header
        b"\xff\xd8\x00\x00",  # not a marker
        b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x00\x00\x10\x03",  # height 0 (DNL): size unknown
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00",  # truncated IHDR
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x00\x00\x00\x00\x01",  # width 0
        b"BM" + bytes(30),  # BMP header size 0
        b"RIFF\x20\x00\x00\x00WEBPVP8 \x10\x00\x00\x00\x00\x00\x00\x00\x00\x00",  # no VP8 start code
        b"RIFF\x20\x00\x00\x00WEBPVP8L\x10\x00\x00\x00\x00\x00",  # no VP8L signature
        b"RIFF\x04\x00\x00\x00WEBP",  # no chunk at all
        b"II*\x00\x02\x00\x00\x00",  # IFD offset inside the header
        b"II*\x00\x08\x00\x00\x00\x01\x00\x00\x01\x02\x00\x01\x00\x00\x00\x05\x00\x00\x00",  # width as BYTE
        b"MM\x00*\x00\x00\x00\x08\x00\x00",  # an IFD without entries: no size
    ],
)
def test_malformed_headers_are_corrupt(data: bytes) -> None:
    with pytest.raises(ImageLoadError) as info:
        decode_image(data, formats=FILE_FORMATS)
    assert info.value.reason == "corrupt"


@pytest.mark.parametrize("data", [b"GIF89a....", b"II+\x00bigtiff", b"P6\n1 1\n255\n\x00\x00\x00"])
def test_other_formats_are_unsupported(data: bytes) -> None:
    with pytest.raises(ImageLoadError) as info:
        decode_image(data, formats=FILE_FORMATS)
    assert info.value.reason == "unsupported"


@pytest.mark.parametrize(
    ("bomb", "side"), [(jpeg_bomb, 30000), (png_bomb, 30000), (webp_bomb, 16383), (tiff_bomb, 60000)],
    ids=["jpeg", "png", "webp", "tiff"],
)
def test_bombs_are_refused_from_the_header_in_milliseconds(bomb, side: int) -> None:
    data = bomb()
    assert image_header(data)[1:] == (side, side)
    start = time.perf_counter()
    with pytest.raises(ImageLoadError) as info:
        decode_image(data, formats=FILE_FORMATS)
    assert info.value.reason == "too_many_pixels"
    assert time.perf_counter() - start < 0.5  # decoding would take seconds and gigabytes


def test_a_webp_canvas_cannot_hide_a_bigger_frame() -> None:
    """VP8X declares a small canvas; the frame bitstream inside claims 16383 x 16383."""
    bomb = webp_bomb()
    frame = bomb[12:]  # the VP8 chunk
    vp8x = b"VP8X" + (10).to_bytes(4, "little") + bytes(4) + (7).to_bytes(3, "little") + (7).to_bytes(3, "little")
    data = b"RIFF" + (4 + len(vp8x) + len(frame)).to_bytes(4, "little") + b"WEBP" + vp8x + frame
    assert image_header(data) == ("webp", 16383, 16383)
    with pytest.raises(ImageLoadError, match="too_many_pixels"):
        decode_image(data, formats=FILE_FORMATS)


def test_the_pixel_limit_is_inclusive_and_configurable() -> None:
    _ok, buf = cv2.imencode(".png", _img(100, 50))
    data = buf.tobytes()
    assert decode_image(data, max_pixels=5000).shape[:2] == (50, 100)
    with pytest.raises(ImageLoadError, match="too_many_pixels"):
        decode_image(data, max_pixels=4999)
    before = imageio.default_max_pixels()
    try:
        imageio.set_default_max_pixels(4999)
        with pytest.raises(ImageLoadError, match="too_many_pixels"):
            decode_image(data)
    finally:
        imageio.set_default_max_pixels(before)
    assert decode_image(data).shape[:2] == (50, 100)


def test_a_truncated_body_with_a_valid_header_is_corrupt_not_a_crash() -> None:
    _ok, buf = cv2.imencode(".png", _img(64, 64))
    with pytest.raises(ImageLoadError) as info:
        decode_image(buf.tobytes()[:60])
    assert info.value.reason == "corrupt"


def test_files_are_read_with_a_bound(tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8" + bytes(2000))
    with pytest.raises(ImageLoadError) as info:
        read_bounded(big, max_bytes=1000)
    assert info.value.reason == "too_large"
    with pytest.raises(ImageLoadError) as info:
        load_image(tmp_path / "absent.png")
    assert info.value.reason == "unreadable"
    with pytest.raises(ImageLoadError) as info:
        load_image(tmp_path)  # a folder
    assert info.value.reason == "unreadable"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    with pytest.raises(ImageLoadError) as info:
        load_image(fifo)  # opening a FIFO for reading would block forever
    assert info.value.reason == "unreadable"


def test_non_ascii_paths_load(tmp_path: Path) -> None:
    path = tmp_path / "照片.png"
    _ok, buf = cv2.imencode(".png", _img(20, 10))
    path.write_bytes(buf.tobytes())
    assert load_image(path).shape == (10, 20, 3)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300),
    st.sampled_from(
        [b"\xff\xd8", b"\x89PNG\r\n\x1a\n", b"BM", b"RIFF\x00\x01\x00\x00WEBP", b"II*\x00", b"MM\x00*", b""]
    ),
)
def test_random_bytes_give_an_image_or_image_load_error(tail: bytes, head: bytes) -> None:
    try:
        image = decode_image(head + tail, max_pixels=1_000_000, formats=FILE_FORMATS)
    except ImageLoadError:
        return
    assert image.ndim == 3 and image.shape[0] * image.shape[1] <= 1_000_000


def test_a_progressive_jpeg_with_thousands_of_scans_is_refused_before_decoding() -> None:
    """A 20 KB file of 2000 empty scans costs libjpeg 10 s of CPU at 6000x6000 (and hours at
    40 MB); real encoders write about 10 scans."""
    bomb = jpeg_scan_bomb(2000)
    assert len(bomb) < 25_000 and image_header(bomb) == ("jpeg", 3000, 3000)
    start = time.perf_counter()
    with pytest.raises(ImageLoadError, match="JPEG scans") as info:
        decode_image(bomb)
    assert info.value.reason == "corrupt" and time.perf_counter() - start < 0.5
    assert decode_image(jpeg_scan_bomb(imageio.JPEG_MAX_SCANS, side=64)).shape == (64, 64, 3)  # the cap itself passes
    _ok, buf = cv2.imencode(".jpg", _img(64, 48), [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    assert buf.tobytes().count(b"\xff\xda") < imageio.JPEG_MAX_SCANS // 5  # what an encoder writes


def test_garbage_after_soi_cannot_hide_the_real_frame_from_the_header_check() -> None:
    """libjpeg skips ``FF 00 ..`` as garbage; the header walk must find the frame libjpeg decodes."""
    _ok, buf = cv2.imencode(".jpg", _img(64, 48))
    crafted = jpeg_hidden_frame(buf.tobytes())
    assert cv2.imdecode(np.frombuffer(crafted, np.uint8), cv2.IMREAD_COLOR).shape[:2] == (48, 64)
    assert image_header(crafted) == ("jpeg", 64, 48)
    with pytest.raises(ImageLoadError, match="too_many_pixels"):
        decode_image(crafted, max_pixels=64 * 48 - 1)


def test_a_repeated_tiff_size_tag_counts_with_its_largest_value() -> None:
    assert image_header(tiff_repeated_size(60000)) == ("tiff", 60000, 8)
    with pytest.raises(ImageLoadError, match="too_many_pixels"):
        decode_image(tiff_repeated_size(60000), max_pixels=100_000, formats=FILE_FORMATS)


def test_the_header_walk_is_bounded_on_a_file_of_empty_segments() -> None:
    """40 MB of fill bytes or of empty comment segments: refused in well under a second."""
    for filler in (b"\xff" * 4_000_000, b"\xff\xfe\x00\x02" * 1_000_000):
        start = time.perf_counter()
        with pytest.raises(ImageLoadError) as info:
            decode_image(b"\xff\xd8" + filler + b"\xff\xd9")
        assert info.value.reason == "corrupt" and time.perf_counter() - start < 1.0


def test_a_tiled_tiff_counts_as_large_as_its_tile() -> None:
    """1x1 pixels in one 16000x16000 tile: OpenCV would allocate the tile (about 1 GB)."""
    bomb = tiff_tile_bomb(16000)
    assert image_header(bomb) == ("tiff", 16000, 16000)
    with pytest.raises(ImageLoadError, match="too_many_pixels"):
        decode_image(bomb, formats=FILE_FORMATS)


def test_scans_are_counted_in_the_image_not_in_its_metadata() -> None:
    """Outside review: 255 ICC APP2 segments of random bytes (each holding FF DA pairs) made a
    valid JPEG 'corrupt'; a thumbnail with its own EOI must not hide the scans that follow."""
    _ok, buf = cv2.imencode(".jpg", _img(64, 48))
    real = buf.tobytes()
    noisy = b"ICC_PROFILE\x00" + b"\xff\xda\x00\x08" * 1000
    app2 = (b"\xff\xe2" + (len(noisy) + 2).to_bytes(2, "big") + noisy) * 200
    assert decode_image(real[:2] + app2 + real[2:]).shape == (48, 64, 3)
    thumbnail = real.replace(b"\xff\xd8", b"", 1)  # a whole small JPEG body, with its SOS and EOI
    app1 = b"\xff\xe1" + (len(thumbnail) + 2).to_bytes(2, "big") + thumbnail
    bomb = jpeg_scan_bomb(2000)
    with pytest.raises(ImageLoadError, match="JPEG scans"):
        decode_image(bomb[:2] + app1 + bomb[2:])


def test_a_png_with_more_image_data_than_its_size_can_hold_is_refused() -> None:
    """Outside review: a "1x1" PNG with 7 MB of IDAT cost libpng 18 s of CPU; the pixel limit
    and the emulator's image budget only saw one pixel."""
    import struct
    import zlib

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    noise = np.random.default_rng(5).integers(0, 256, 200_000, dtype=np.uint8).tobytes()
    idat = chunk(b"IDAT", zlib.compress(b"\x00\x01\x02\x03" + noise))
    stuffed = b"\x89PNG\r\n\x1a\n" + ihdr + idat + chunk(b"IEND", b"")
    with pytest.raises(ImageLoadError, match="more PNG image data"):
        decode_image(stuffed)
    # incompressible pixels stored without compression still fit: deflate adds a few bytes per 64 KB
    _ok, buf = cv2.imencode(".png", _img(640, 480), [cv2.IMWRITE_PNG_COMPRESSION, 0])
    assert decode_image(buf.tobytes()).shape == (480, 640, 3)
