"""A scripted virtual camera: a synthetic customer for the demo and the tests.

It plays what a customer does at each step of the flow, at 1280x720 and 30 fps:

* ``"card"``: a card enters from the right (cut off at first), swings in and settles in the
  middle of the frame with a little perspective; optionally out of focus for a while first
  (``blurry_first``) and/or with a specular glare that goes away when the customer tilts the
  card (``glare``); a thumb holds the bottom edge.
* ``"face"``: a portrait photo composited onto an indoor background, swaying slightly; a
  bystander (a much smaller, defocused face far behind) walks through for a while.
* ``"idle"``: the empty desk.

``set_stage()`` restarts the step's timeline. Time is virtual (frame index / fps), so tests run
unpaced and deterministic; ``realtime=True`` paces ``read()`` to the frame rate. Each frame has
fresh sensor noise, so a still scene is never bit-identical (the watchdog would call that frozen).

Threading/ownership: like every source, use it from one thread. Frames are new arrays owned
by the caller.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.core.vision import synth
from kiosk.core.vision.sources import SourceError, SourceInfo

__all__ = ["VirtualCamera", "VirtualScript"]


@dataclass(slots=True)
class VirtualScript:
    """What the virtual customer shows. Images are BGR uint8; ``card_image=None`` renders a
    specimen card for ``face_image``. Times are seconds from the start of the step."""

    face_image: np.ndarray
    card_image: np.ndarray | None = None
    bystander_image: np.ndarray | None = None
    blurry_first: bool = False
    glare: bool = False
    thumb: bool = True
    enter_s: float = 0.8
    blurry_s: float = 1.0
    glare_s: float = 1.2
    card_width_frac: float = 0.62  #: settled card long side / frame width
    card_center: tuple[float, float] = (0.5, 0.5)  #: where the card settles (frame fractions);
    #: e.g. (0.92, 0.5) keeps it cut off at the right edge (a customer who never gets it right)
    card_angle: float = 3.0  #: settled in-plane angle, degrees
    card_tilt: tuple[float, float] = (6.0, -4.0)  #: settled out-of-plane tilt (x, y), degrees
    desk: str = "wood"
    face_height_frac: float = 1.7  #: portrait photo height / frame height (a face at kiosk distance)
    bystander_window: tuple[float, float] = (0.0, 2.5)  #: when the bystander is in view
    bystander_height_frac: float = 0.24  #: bystander photo height / frame height (far behind)
    bystander_pos: tuple[float, float] = (0.08, 0.12)  #: top-left of the bystander, frame fractions
    seed: int = 0


class VirtualCamera:
    """Scripted :class:`~kiosk.core.vision.sources.FrameSource` (see the module docstring)."""

    def __init__(
        self,
        script: VirtualScript,
        *,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        realtime: bool = False,
        noise: float = 2.0,
    ) -> None:
        self.script = script
        self.width, self.height, self.fps = width, height, fps
        self.realtime = realtime
        self.noise = noise
        self.stage = "idle"
        self.frame_index = 0  #: frames since the last set_stage()
        self.total_frames = 0
        self._opened = False
        self._t0 = 0.0
        self._prepared = False

    # -- FrameSource
    def open(self) -> SourceInfo:
        if self.script.face_image is None or self.script.face_image.size == 0:
            raise SourceError("virtual camera: no face image in the script")
        self._prepare()
        self._opened = True
        self._t0 = time.monotonic()
        self.total_frames = 0
        return SourceInfo(
            self.width,
            self.height,
            self.fps,
            "virtual",
            backend="virtual",
            requested=(self.width, self.height, self.fps),
        )

    def close(self) -> None:
        self._opened = False

    def set_stage(self, stage: str) -> None:
        """Play the customer's part for ``stage`` ("card", "face" or "idle") from its start."""
        if stage not in ("card", "face", "idle"):
            raise ValueError(f"unknown stage {stage!r}")
        self.stage = stage
        self.frame_index = 0

    @property
    def now(self) -> float:
        """Virtual time in seconds since ``open()`` (frame count / fps)."""
        return self.total_frames / self.fps

    def read(self) -> np.ndarray | None:
        if not self._opened:
            return None
        if self.realtime:
            due = self._t0 + self.total_frames / self.fps
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        t = self.frame_index / self.fps
        if self.stage == "card":
            frame = self._card_frame(t)
        elif self.stage == "face":
            frame = self._face_frame(t)
        else:
            frame = self._desk.copy()
        self.frame_index += 1
        self.total_frames += 1
        return self._add_noise(frame)

    # -- synthesis
    def _prepare(self) -> None:
        if self._prepared:
            return
        s = self.script
        w, h = self.width, self.height
        rng = np.random.default_rng(s.seed)
        self._desk = synth.desk_background(w, h, seed=s.seed, kind=s.desk)
        self._room = synth.room_background(w, h, seed=s.seed + 1)
        card = s.card_image if s.card_image is not None else synth.specimen_card(s.face_image)
        self._card = np.clip(card.astype(np.float32) * 0.86, 0, 255).astype(np.uint8)
        self._card_mask = synth.card_shape_mask(card)
        # noise: a few precomputed fields, split into +/- parts for saturating uint8 arithmetic
        self._noise: list[tuple[np.ndarray, np.ndarray]] = []
        for _ in range(5):
            n = rng.normal(0, self.noise, (h, w, 3)).astype(np.float32) if self.noise > 0 else np.zeros((h, w, 3))
            self._noise.append((np.clip(n, 0, 255).astype(np.uint8), np.clip(-n, 0, 255).astype(np.uint8)))
        # face sprite (portrait with a soft elliptical alpha)
        ph = int(h * s.face_height_frac)
        pw = int(s.face_image.shape[1] * ph / s.face_image.shape[0])
        interp = cv2.INTER_AREA if ph < s.face_image.shape[0] else cv2.INTER_CUBIC
        self._sprite = cv2.resize(s.face_image, (pw, ph), interpolation=interp)
        # a customer stands so that the face is in the oval: find the face in the portrait once,
        # keep it at kiosk distance (22-42 % of the frame height wide) and place it by its centre
        self._face_at: tuple[float, float] | None = None
        try:
            from kiosk.core.vision.detector import FaceDetector

            found = FaceDetector().detect(self._sprite, long_side=480)
        except Exception:  # no model: the plain placement below
            found = []
        if found:
            fw = float(found[0].box[2])
            k = min(max(fw, 0.22 * h), 0.42 * h) / fw
            if abs(k - 1.0) > 0.02:
                pw, ph = max(8, round(pw * k)), max(8, round(ph * k))
                self._sprite = cv2.resize(s.face_image, (pw, ph), interpolation=cv2.INTER_AREA)
            cx, cy = found[0].center
            self._face_at = (cx * k, cy * k)
        self._sprite_alpha = self._soft_mask(pw, ph)
        if s.bystander_image is not None:
            bh = int(h * s.bystander_height_frac)
            bw = int(s.bystander_image.shape[1] * bh / s.bystander_image.shape[0])
            b = cv2.resize(s.bystander_image, (bw, bh), interpolation=cv2.INTER_AREA)
            self._bystander = cv2.GaussianBlur(b, (0, 0), 0.8)
            self._bystander_alpha = self._soft_mask(bw, bh)
        self._prepared = True

    @staticmethod
    def _soft_mask(w: int, h: int) -> np.ndarray:
        m = np.zeros((h, w), np.float32)
        cv2.ellipse(m, (w // 2, h // 2), (int(w * 0.48), int(h * 0.52)), 0, 0, 360, 1.0, -1)
        return cv2.GaussianBlur(m, (0, 0), max(1.0, 0.05 * min(w, h)))[..., None]

    def _add_noise(self, frame: np.ndarray) -> np.ndarray:
        if self.noise <= 0:
            return frame
        pos, neg = self._noise[self.total_frames % len(self._noise)]
        # shift the field each frame so consecutive frames never repeat exactly
        k = (self.total_frames * 7) % 13
        if k:
            pos = np.roll(pos, k, axis=1)
        return cv2.subtract(cv2.add(frame, pos), neg)

    def _card_pose(self, t: float) -> synth.CardPose:
        s = self.script
        w, h = self.width, self.height
        target = (w * s.card_center[0], h * s.card_center[1])
        width = s.card_width_frac * w
        if t < s.enter_s:
            u = t / s.enter_s
            ease = 1 - (1 - u) ** 3
            x = w * 1.15 + (target[0] - w * 1.15) * ease
            return synth.CardPose(
                (x, target[1] + 30 * (1 - ease)),
                width * (0.9 + 0.1 * ease),
                s.card_angle + 14 * (1 - ease),
                s.card_tilt[0],
                s.card_tilt[1],
            )
        ts = t - s.enter_s
        # a decaying wobble after entering, then a tiny tremor
        wob = math.exp(-ts / 0.35)
        dx = 18 * wob * math.sin(ts * 9) + 0.6 * math.sin(ts * 5.3)
        dy = 10 * wob * math.cos(ts * 8) + 0.5 * math.sin(ts * 4.1)
        ang = s.card_angle + 3 * wob * math.sin(ts * 7)
        tilt_x, tilt_y = s.card_tilt
        if self._in_glare(t):
            tilt_y += 2.0  # the customer tilts the card to get rid of the reflection
        return synth.CardPose((target[0] + dx, target[1] + dy), width, ang, tilt_x, tilt_y)

    def _glare_start(self) -> float:
        s = self.script
        return s.enter_s + s.blurry_s if s.blurry_first else 0.5 * s.enter_s

    def _in_glare(self, t: float) -> bool:
        g0 = self._glare_start()
        return self.script.glare and g0 <= t < g0 + self.script.glare_s

    def _in_defocus(self, t: float) -> bool:
        # autofocus hunts from the moment the card comes close until blurry_s after it stops
        s = self.script
        return s.blurry_first and t < s.enter_s + s.blurry_s

    def _card_frame(self, t: float) -> np.ndarray:
        s = self.script
        pose = self._card_pose(t)
        corners = synth.card_corners(pose)
        ch, cw = self._card.shape[:2]
        src = np.array([[0, 0], [cw - 1, 0], [cw - 1, ch - 1], [0, ch - 1]], np.float32)
        m = cv2.getPerspectiveTransform(src, corners)
        size = (self.width, self.height)
        warped = cv2.warpPerspective(self._card, m, size, flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(self._card_mask, m, size, flags=cv2.INTER_NEAREST)
        frame = self._desk.copy()
        cv2.copyTo(warped, mask, frame)
        if s.thumb:
            frame = synth.add_thumb(frame, corners)
        if self._in_glare(t):
            c = corners.mean(axis=0)
            frame = synth.add_glare(
                frame, (float(c[0]) + 0.18 * pose.width, float(c[1]) - 0.1 * pose.width), 0.07 * pose.width
            )
        if self._in_defocus(t):
            frame = cv2.GaussianBlur(frame, (0, 0), 4.0)
        # motion blur along the path while the card moves (the exposure is ~1/60 s)
        prev = synth.card_corners(self._card_pose(max(0.0, t - 1.0 / self.fps)))
        speed = float(np.linalg.norm(corners - prev, axis=1).mean())
        k = round(speed / 2)
        if k >= 2:
            frame = cv2.blur(frame, (k, k // 3 + 1))
        return frame

    def _blend(self, frame: np.ndarray, sprite: np.ndarray, alpha: np.ndarray, x: int, y: int) -> None:
        h, w = sprite.shape[:2]
        H, W = frame.shape[:2]
        x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
        if x1 <= x0 or y1 <= y0:
            return
        a = alpha[y0 - y : y1 - y, x0 - x : x1 - x]
        src = sprite[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)
        dst = frame[y0:y1, x0:x1].astype(np.float32)
        frame[y0:y1, x0:x1] = (dst + (src - dst) * a).astype(np.uint8)

    def _face_frame(self, t: float) -> np.ndarray:
        s = self.script
        frame = self._room.copy()
        W, H = self.width, self.height
        if s.bystander_image is not None and s.bystander_window[0] <= t < s.bystander_window[1]:
            walk = (t - s.bystander_window[0]) * 40.0
            bx, by = s.bystander_pos
            self._blend(frame, self._bystander, self._bystander_alpha, int(bx * W + walk), int(by * H))
        ph, pw = self._sprite.shape[:2]
        dx = 5 * math.sin(2 * math.pi * 0.3 * t)
        dy = 3 * math.sin(2 * math.pi * 0.45 * t + 1.0)
        if self._face_at is not None:  # the face's centre at the oval's centre
            x = int(W * 0.5 - self._face_at[0] + dx)
            y = int(H * 0.45 - self._face_at[1] + dy)
        else:
            x = int(W * 0.5 - pw / 2 + dx)
            y = int(H * (0.55 + 0.3 * (s.face_height_frac - 1.0)) - ph / 2 + dy)
        self._blend(frame, self._sprite, self._sprite_alpha, x, y)
        return frame
