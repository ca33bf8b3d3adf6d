"""Voice guidance at run time: the shipped prompt files, the players, and :class:`VoiceGuide`.

The audio is made offline by :mod:`kiosk.ui.voice_build` and read from ``resources/voice``
(``manifest.json``: language -> prompt key -> file). Files are mu-law or 16-bit PCM WAV; they are
decoded here with numpy, scaled to the volume setting and handed to a player as 16-bit PCM.

Players (``kiosk.voice_player`` setting, ``auto`` by default):

* ``paplay`` / ``pw-play`` / ``aplay`` (Linux): a :class:`~PySide6.QtCore.QProcess` plays a
  temporary WAV file. Asynchronous by nature (the GUI thread never waits), stopped with
  ``kill()``; these programs come with PulseAudio, PipeWire and ALSA, which every Linux desktop
  has. ``auto`` picks the first whose sound server or device is present.
* ``winsound`` (Windows): the standard library's ``PlaySound`` with ``SND_ASYNC``.
* ``none``: no sound. ``auto`` chooses it when there is no audio device, on the ``offscreen``
  Qt platform and when ``CI`` is set (tests and headless runs stay silent), with one log line.
* ``memory``: keeps what it was asked to play (tests and headless demos observe the voice).

Why not QtMultimedia: PySide6-Essentials does not have it, and PySide6-Addons would add about
200 MB of Qt modules and FFmpeg to the bundle to play a few WAV files, which the operating
system's own players (above) do already.

Threading: GUI thread only. Nothing here blocks: decoding one prompt takes a few milliseconds,
and the players return at once.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import struct
import sys
import tempfile
import time
import wave
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, QProcess, QTimer, Slot

from kiosk.resources import resource

log = logging.getLogger(__name__)

VOICE_DIR = resource("voice")
PLAYERS = ("auto", "paplay", "pw-play", "aplay", "winsound", "memory", "none")


# ---- decoding ------------------------------------------------------------------------------
def _mulaw_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    sign, exponent, mantissa = u & 0x80, (u >> 4) & 0x07, u & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


_MULAW = _mulaw_table()


def read_wav(data: bytes) -> tuple[int, np.ndarray]:
    """Decode a mono WAV (16-bit PCM or 8-bit G.711 mu-law) -> (rate, int16 samples).

    Raises ``ValueError`` on anything else (a damaged file must not reach a player).
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    pos, fmt, payload = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif cid == b"data":
            payload = body
        pos += 8 + size + (size & 1)
    if fmt is None or payload is None:
        raise ValueError("WAV without fmt or data chunk")
    tag, channels, rate, _, _, bits = fmt
    if channels != 1:
        raise ValueError(f"WAV has {channels} channels, expected 1")
    if tag == 1 and bits == 16:
        return rate, np.frombuffer(payload[: len(payload) // 2 * 2], dtype="<i2").astype(np.int16)
    if tag == 7 and bits == 8:
        return rate, _MULAW[np.frombuffer(payload, dtype=np.uint8)]
    raise ValueError(f"unsupported WAV encoding (format {tag}, {bits} bits)")


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit PCM mono WAV of ``samples``."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return buf.getvalue()


@dataclass(frozen=True)
class Clip:
    """What one ``play()`` plays: the prompt keys (and sounds) joined, at the chosen volume."""

    keys: tuple[str, ...]
    language: str
    samples: np.ndarray = field(repr=False)
    rate: int = 16_000

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate


class VoiceLibrary:
    """The shipped prompts: ``manifest.json`` plus a small cache of decoded files."""

    def __init__(self, voice_dir: Path = VOICE_DIR, cache: int = 24) -> None:
        self.dir = voice_dir
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache
        self._warned: set[str] = set()
        self.rate = 16_000
        try:
            self.manifest = json.loads((voice_dir / "manifest.json").read_text(encoding="utf-8"))
            self.rate = int(self.manifest.get("format", {}).get("rate", self.rate))
        except (OSError, ValueError):
            log.error("no voice prompts in %s: voice guidance is off", voice_dir)
            self.manifest = {"languages": {}, "sounds": {}}

    def keys(self, language: str) -> set[str]:
        return set(self.manifest["languages"].get(language, {}))

    def file_for(self, key: str, language: str) -> str | None:
        """Relative file of a prompt key (``sound.<name>`` for the non-speech sounds)."""
        if key.startswith("sound."):
            return self.manifest["sounds"].get(key.removeprefix("sound."))
        entry = self.manifest["languages"].get(language, {}).get(key)
        return entry["file"] if entry else None

    def samples(self, key: str, language: str) -> np.ndarray | None:
        """Decoded int16 samples of one prompt (None, logged once, when there is no audio)."""
        rel = self.file_for(key, language)
        if rel is None:
            if f"{language}:{key}" not in self._warned:
                self._warned.add(f"{language}:{key}")
                log.warning("no voice prompt %s in %s", key, language)
            return None
        if rel not in self._cache:
            try:
                rate, samples = read_wav((self.dir / rel).read_bytes())
            except (OSError, ValueError) as exc:
                log.warning("voice prompt %s unusable: %s", rel, exc)
                return None
            if rate != self.rate:
                log.warning("voice prompt %s has rate %d, expected %d", rel, rate, self.rate)
                return None
            self._cache[rel] = samples
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        self._cache.move_to_end(rel)
        return self._cache[rel]


# ---- players ---------------------------------------------------------------------------------
class AudioPlayer(Protocol):
    """Plays one clip at a time; ``play`` replaces what is playing. Never blocks."""

    name: str

    def play(self, clip: Clip) -> None: ...

    def stop(self) -> None: ...

    def busy(self) -> bool: ...


class NullPlayer:
    """No audio device (or tests/CI): every call is a no-op."""

    name = "none"

    def play(self, clip: Clip) -> None:
        pass

    def stop(self) -> None:
        pass

    def busy(self) -> bool:
        return False


class MemoryPlayer:
    """Keeps every clip it is asked to play and counts stops; "plays" for the clip's duration."""

    name = "memory"

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.played: list[Clip] = []
        self.stops = 0
        self._clock = clock
        self._until = 0.0

    def play(self, clip: Clip) -> None:
        self.played.append(clip)
        self._until = self._clock() + clip.duration_s

    def stop(self) -> None:
        self.stops += 1
        self._until = 0.0

    def busy(self) -> bool:
        return self._clock() < self._until

    def keys(self) -> list[tuple[str, ...]]:
        return [c.keys for c in self.played]


class CommandPlayer(QObject):
    """Plays a temporary WAV with ``paplay``, ``pw-play`` or ``aplay`` in a QProcess."""

    def __init__(self, program: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = Path(program).name
        self._program = program
        self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-voice-")
        self._procs: list[QProcess] = []
        self._n = 0

    def play(self, clip: Clip) -> None:
        self.stop()
        self._n += 1
        path = Path(self._tmp.name) / f"clip{self._n % 4}.wav"  # never the file a dying process reads
        path.write_bytes(wav_bytes(clip.samples, clip.rate))
        proc = QProcess(self)
        proc.finished.connect(self._reap)
        proc.errorOccurred.connect(self._reap)
        args = ["-q", str(path)] if self.name == "aplay" else [str(path)]
        proc.start(self._program, args)
        self._procs.append(proc)

    def stop(self) -> None:
        for proc in self._procs:
            if proc.state() != QProcess.ProcessState.NotRunning:
                proc.kill()

    def busy(self) -> bool:
        return any(p.state() != QProcess.ProcessState.NotRunning for p in self._procs)

    @Slot()
    def _reap(self) -> None:
        for proc in [p for p in self._procs if p.state() == QProcess.ProcessState.NotRunning]:
            self._procs.remove(proc)
            proc.deleteLater()


class WinSoundPlayer:
    """Windows: ``winsound.PlaySound`` asynchronously from a temporary file."""

    name = "winsound"

    def __init__(self) -> None:
        import winsound  # type: ignore[import-not-found]  # Windows only

        self._ws = winsound
        self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-voice-")
        self._n = 0
        self._until = 0.0

    def play(self, clip: Clip) -> None:
        self._n += 1
        path = Path(self._tmp.name) / f"clip{self._n % 4}.wav"
        path.write_bytes(wav_bytes(clip.samples, clip.rate))
        ws = self._ws
        ws.PlaySound(str(path), ws.SND_FILENAME | ws.SND_ASYNC | ws.SND_NODEFAULT)
        self._until = time.monotonic() + clip.duration_s

    def stop(self) -> None:
        self._ws.PlaySound(None, 0)
        self._until = 0.0

    def busy(self) -> bool:
        return time.monotonic() < self._until


def _linux_backend() -> str:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    pulse = os.environ.get("PULSE_SERVER") or (runtime and Path(runtime, "pulse", "native").exists())
    if shutil.which("paplay") and pulse:
        return "paplay"
    if shutil.which("pw-play") and runtime and Path(runtime, "pipewire-0").exists():
        return "pw-play"
    try:
        cards = Path("/proc/asound/cards").read_text(encoding="ascii", errors="replace")
    except OSError:
        cards = ""
    if shutil.which("aplay") and cards.strip() and "no soundcards" not in cards:
        return "aplay"
    return "none"


def choose_player(setting: str = "auto", environ: dict[str, str] | None = None) -> AudioPlayer:
    """The player for the ``kiosk.voice_player`` setting (``auto``: what this machine has)."""
    env = os.environ if environ is None else environ
    name = setting
    if name == "auto":
        if env.get("CI") or env.get("QT_QPA_PLATFORM") == "offscreen":
            name = "none"
        elif sys.platform == "win32":
            name = "winsound"
        else:
            name = _linux_backend()
        if name == "none":
            log.info("no audio device (or a headless run): voice guidance is silent")
    if name == "none":
        return NullPlayer()
    if name == "memory":
        return MemoryPlayer()
    if name == "winsound":
        return WinSoundPlayer()
    program = shutil.which(name)
    if program is None:
        log.warning("voice player %s not found: voice guidance is silent", name)
        return NullPlayer()
    return CommandPlayer(program)


# ---- the guide ---------------------------------------------------------------------------------
class VoiceGuide(QObject):
    """Says prompts in the current language; one clip at a time, the newest wins.

    Requests made while one event is handled (a capture that changes the page, a staff call
    that shows the result) are gathered and played as one clip on the next event-loop turn:
    sounds first, then the prompt. :meth:`repeat` replays the last prompt (without sounds).
    """

    def __init__(
        self,
        library: VoiceLibrary,
        player: AudioPlayer,
        language: Callable[[], str],
        *,
        enabled: bool = True,
        volume: float = 0.8,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.player = player
        self.enabled = enabled
        self.volume = min(1.0, max(0.0, volume))
        self._language = language
        self._pending_sounds: list[str] = []
        self._pending_keys: list[str] | None = None
        self._last: list[str] = []
        self.requested: list[tuple[str, ...]] = []  # what was asked for (bounded; for tests and logs)
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(0)
        self._flush.timeout.connect(self._play_pending)

    @property
    def last_prompt(self) -> list[str]:
        return list(self._last)

    def say(self, keys: list[str], *, remember: bool = True) -> None:
        """Say ``keys`` (replacing what is playing); an empty list just stops.

        ``remember``: what :meth:`repeat` replays (a page prompt, not a passing hint).
        """
        self._pending_keys = list(keys)
        if remember:
            self._last = list(keys)
        self._flush.start()

    def sound(self, name: str) -> None:
        """Play a non-speech sound (``capture``, ``chime``) before the next prompt, or alone."""
        self._pending_sounds.append(f"sound.{name}")
        self._flush.start()

    def repeat(self) -> None:
        if self._last:
            self.say(self._last)

    def stop(self) -> None:
        self._pending_keys, self._pending_sounds = None, []
        self._flush.stop()
        self.player.stop()

    def busy(self) -> bool:
        return self._flush.isActive() or self.player.busy()

    @Slot()
    def _play_pending(self) -> None:
        keys = self._pending_sounds + (self._pending_keys or [])
        replace = self._pending_keys is not None
        self._pending_keys, self._pending_sounds = None, []
        if not keys:
            self.player.stop()
            return
        self.requested = [*self.requested[-49:], tuple(keys)]
        if not self.enabled or self.volume <= 0:
            return
        language = self._language()
        parts = [s for s in (self.library.samples(k, language) for k in keys) if s is not None]
        if replace or parts:
            self.player.stop()
        if not parts:
            return
        gap = np.zeros(int(self.library.rate * 0.25), dtype=np.int16)
        joined = np.concatenate([x for p in parts for x in (p, gap)][:-1])
        scaled = np.clip(joined.astype(np.float32) * self.volume, -32768, 32767).astype(np.int16)
        self.player.play(Clip(tuple(keys), language, scaled, self.library.rate))
