"""The emulator's budget of decoded image pixels: how much image work runs at once.

Decoding a 40-megapixel JPEG (a few hundred KB, within the documented request limits) and
working on it takes about 240 MB in ``ImageRecognitionV2`` and 530 MB in
``CheckIdCardInformation`` (BGR, grey, HSV, the rectified card, masks); eight such requests at
once took the emulator to 1.7-4.3 GB. So every action holds the pixel count of its image (read
from the image header, before anything is decoded) in an :class:`ImageBudget`, from the decode to
the end of its per-image work (:func:`kiosk.emulator.params.decoded_image`). At most
``max_pixels`` are held at once: by default :data:`DEFAULT_BUDGET_PIXELS` (one image of the
largest size the emulator decodes, or twenty 2-megapixel kiosk photos). An image larger than the
whole budget holds all of it.

A request whose image does not fit waits in arrival order (first come, first served: a large
image is not starved by small ones) for at most ``wait_s`` seconds, then is answered
``RequestLimitExceeded``: not processed, not billed, and a code the SDK's retryer and the
kiosk's client back off and retry on (faceid-api.md §2.3, §2.6), as the service answers when
it throttles.

Threading: one :class:`ImageBudget` is shared by all handler threads of an emulator (by default
the process-wide :func:`shared_budget`, since memory is per process); its counters and queue are
guarded by one condition variable. :meth:`ImageBudget.hold` must be left on the thread that
entered it (a ``with`` block).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.core.vision.imageio import DEFAULT_MAX_PIXELS
from kiosk.emulator.outcomes import ApiError

__all__ = ["DEFAULT_BUDGET_PIXELS", "DEFAULT_WAIT_S", "ImageBudget", "shared_budget"]

#: pixels of decoded images in work at once (one image of the largest size decoded)
DEFAULT_BUDGET_PIXELS = DEFAULT_MAX_PIXELS
#: the longest a request waits for its image's pixels before ``RequestLimitExceeded``
DEFAULT_WAIT_S = 10.0


class ImageBudget:
    """At most ``max_pixels`` decoded pixels in work at once; waits are FIFO and bounded.

    ``peak_pixels`` (most pixels ever held at once) and ``refused`` (requests answered
    ``RequestLimitExceeded``) are read-only statistics for tests and measurements.
    """

    def __init__(self, max_pixels: int = DEFAULT_BUDGET_PIXELS, wait_s: float = DEFAULT_WAIT_S) -> None:
        if max_pixels < 1 or wait_s < 0:
            raise ValueError("an image budget needs max_pixels >= 1 and wait_s >= 0")
        self.max_pixels = int(max_pixels)
        self.wait_s = float(wait_s)
        self._cond = threading.Condition()
        self._queue: deque[int] = deque()
        self._tickets = itertools.count()
        self._in_use = 0
        self.peak_pixels = 0
        self.refused = 0

    @property
    def in_use(self) -> int:
        """Pixels held right now."""
        with self._cond:
            return self._in_use

    @contextmanager
    def hold(self, pixels: int) -> Iterator[None]:
        """Hold ``pixels`` (at most the whole budget) for the ``with`` block; raises
        :class:`~kiosk.emulator.outcomes.ApiError` ``RequestLimitExceeded`` after ``wait_s``."""
        cost = max(1, min(int(pixels), self.max_pixels))
        self._acquire(cost)
        try:
            yield
        finally:
            with self._cond:
                self._in_use -= cost
                self._cond.notify_all()

    def _acquire(self, cost: int) -> None:
        deadline = time.monotonic() + self.wait_s
        with self._cond:
            ticket = next(self._tickets)
            self._queue.append(ticket)
            try:
                while self._queue[0] != ticket or self._in_use + cost > self.max_pixels:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        self.refused += 1
                        raise ApiError(
                            "RequestLimitExceeded",
                            f"the emulator is busy with other images; waited {self.wait_s:g} s, retry",
                        )
                    self._cond.wait(left)
                self._in_use += cost
                self.peak_pixels = max(self.peak_pixels, self._in_use)
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()  # the next in line may fit now (or may be first now)


_SHARED = ImageBudget()


def shared_budget() -> ImageBudget:
    """The process-wide budget every :class:`~kiosk.emulator.server.EmulatorServer` uses by default."""
    return _SHARED
