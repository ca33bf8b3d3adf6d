"""Worker building blocks: owned QImages, the latest-frame slot, the probe."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from kiosk.ui.preview_frames import FramePacket, FrameSlot, bgr_to_qimage
from kiosk.ui.service_tasks import http_probe


def test_qimage_owns_its_pixels_and_respects_stride() -> None:
    frame = np.zeros((101, 203, 3), np.uint8)  # 3*203 is not a multiple of 4
    frame[:, :, 2] = 255  # red in BGR
    image = bgr_to_qimage(frame)
    frame[:] = 0  # the worker reuses / zeroes its buffer
    assert image.format() in (QImage.Format.Format_RGB32, QImage.Format.Format_BGR888)
    assert (image.width(), image.height()) == (203, 101)
    assert image.pixelColor(202, 100).red() == 255


def test_qimage_is_scaled_down_for_preview() -> None:
    image = bgr_to_qimage(np.zeros((720, 1280, 3), np.uint8), max_width=640)
    assert (image.width(), image.height()) == (640, 360)


def _packet(seq: int) -> FramePacket:
    return FramePacket(QImage(), "card", False, (), None, 0.0, None, None, seq)


def test_frame_slot_latest_wins() -> None:
    slot = FrameSlot()
    assert slot.put(_packet(1)) is True
    assert slot.put(_packet(2)) is False, "no second nudge while the GUI has not taken a frame"
    assert slot.put(_packet(3)) is False
    taken = slot.take()
    assert taken is not None and taken.seq == 3
    assert slot.dropped == 2
    assert slot.take() is None


def test_http_probe_refuses_other_schemes_and_reports_unreachable() -> None:
    assert http_probe("file:///etc/passwd")[0] is False
    ok, detail, offset = http_probe("http://127.0.0.1:9/", timeout_s=1)
    assert not ok and offset is None and detail
