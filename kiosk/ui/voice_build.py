"""Regenerate the spoken prompts: ``python -m kiosk.ui.voice_build [--check]``.

Run it after any change of wording (``kiosk/core/messages.py``, a page's ``self.tr()`` text, the
``.ts`` translations): it rebuilds ``resources/voice/`` from the texts the screens show (see
:mod:`kiosk.ui.voice_prompts`), for every language of :data:`kiosk.ui.i18n.LANGUAGES`. Run
``python -m kiosk.ui.i18n_build`` first so the ``.qm`` it reads is current. ``--check`` only
compares the manifest with the current texts (no synthesiser needed; the tests do the same).

Synthesiser: **espeak-ng** (Debian package ``espeak-ng``, GPL-3.0-or-later; the sound it produces
is not covered by its licence). It is chosen because it runs offline from a Debian package, has a
Mandarin voice and an English voice, and is deterministic, so the build is reproducible on any
developer's machine. It sounds robotic; the neural voices (Piper and friends) were set aside
because their voice models are not shipped inside any package (they are downloaded from a model
hub), which this project's build may not do. Mandarin uses the voice ``cmn-latn-pinyin``: the
plain ``cmn`` voice reads its own pinyin transcription with English letter rules and is not
understandable. ``sox`` (Debian package ``sox``) resamples to the shipped format. Neither is
needed at run time or by the tests: the WAV files and the manifest are committed.

Shipped format: WAV, 16 kHz, mono, 8-bit G.711 mu-law (16 kB per second of speech, half of
16-bit PCM: about 10 MB for the ~10 minutes of prompts in two languages), peak-normalised to
-1 dBFS, silence trimmed. Decoding mu-law is one table lookup, done with numpy by
:func:`kiosk.ui.voice.read_wav` (no codec library is needed on any target); the player is then
handed 16-bit PCM at the chosen volume. Each distinct text is stored once (file named by the text's hash), and
``manifest.json`` records, per language and prompt key, the file and the SHA-256 of the text it
speaks; a test fails when a text changed and its audio is stale.

The two non-speech sounds (a short two-tone "click" on capture, a two-note chime when staff are
called) are synthesised here with numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
VOICE_DIR = ROOT / "resources" / "voice"
MANIFEST = "manifest.json"
RATE = 16_000
# espeak-ng voice and speed (words per minute; a little slower than its default 175).
VOICES: dict[str, tuple[str, int]] = {"en": ("en-us", 150), "zh_CN": ("cmn-latn-pinyin", 150)}


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_texts() -> dict[str, dict[str, str]]:
    """language -> prompt key -> text, computed from the screens' own strings (needs Qt)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.ui import i18n
    from kiosk.ui.app import create_application
    from kiosk.ui.voice_prompts import prompt_texts

    create_application()
    manager = i18n.LanguageManager()
    previous = manager.language
    out: dict[str, dict[str, str]] = {}
    try:
        for lang in i18n.LANGUAGES:
            manager.set_language(lang)
            out[lang] = prompt_texts()
    finally:
        manager.set_language(previous)
    return out


def load_manifest(voice_dir: Path = VOICE_DIR) -> dict:
    return json.loads((voice_dir / MANIFEST).read_text(encoding="utf-8"))


def stale(texts: dict[str, dict[str, str]], voice_dir: Path = VOICE_DIR) -> list[str]:
    """Problems between the current texts and the shipped audio (empty when current)."""
    path = voice_dir / MANIFEST
    if not path.exists():
        return [f"missing {path.name}: run python -m kiosk.ui.voice_build"]
    manifest = load_manifest(voice_dir)
    problems = []
    for lang, table in texts.items():
        shipped = manifest.get("languages", {}).get(lang, {})
        for key, text in sorted(table.items()):
            entry = shipped.get(key)
            if entry is None:
                problems.append(f"{lang} {key}: no audio")
            elif entry["sha256"] != text_hash(text):
                problems.append(f"{lang} {key}: audio is stale (text changed)")
            elif not (voice_dir / entry["file"]).is_file():
                problems.append(f"{lang} {key}: missing file {entry['file']}")
        gone = sorted(set(shipped) - set(table))
        problems += [f"{lang} {key}: audio for a prompt that no longer exists" for key in gone]
    for name, file in manifest.get("sounds", {}).items():
        if not (voice_dir / file).is_file():
            problems.append(f"sound {name}: missing file {file}")
    return problems


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: apt-get install {name} (needed only to rebuild the audio)")
    return found


def espeak_version() -> str:
    out = subprocess.run([_tool("espeak-ng"), "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    return " ".join(out.stdout.split()[:4]).rstrip(":")


def synthesise(text: str, lang: str, dest: Path) -> None:
    """Speak ``text`` into ``dest`` (16 kHz mono G.711 mu-law WAV, trimmed, peak -1 dBFS)."""
    voice, speed = VOICES[lang]
    with tempfile.TemporaryDirectory() as tmp:
        txt, raw = Path(tmp) / "text.txt", Path(tmp) / "raw.wav"
        txt.write_text(text, encoding="utf-8")
        subprocess.run(  # noqa: S603 - fixed tool, our own text file
            [_tool("espeak-ng"), "-v", voice, "-s", str(speed), "-f", str(txt), "-w", str(raw)],
            check=True,
            capture_output=True,
        )
        subprocess.run(  # noqa: S603 - fixed tool, our own files; -D: no dither (reproducible)
            [_tool("sox"), "-D", str(raw), "-r", str(RATE), "-c", "1", "-e", "u-law", "-b", "8", str(dest),
             "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse",
             "norm", "-1", "pad", "0.05", "0.15"],
            check=True,
            capture_output=True,
        )


def write_wav(path: Path, samples: np.ndarray) -> None:
    pcm = np.clip(samples, -1.0, 1.0)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((pcm * 32767).astype("<i2").tobytes())


def _tone(freqs: list[tuple[float, float]], seconds: float, decay: float) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    out = sum(a * np.sin(2 * np.pi * f * t) for f, a in freqs)
    env = np.exp(-t * decay) * np.minimum(1.0, t / 0.004)  # 4 ms attack, exponential decay
    return np.asarray(out * env, dtype=np.float64)


def sound_samples(name: str) -> np.ndarray:
    """The non-speech sounds: ``capture`` (two short high blips) and ``chime`` (ding-dong)."""
    if name == "capture":
        blip = _tone([(1760.0, 0.5), (3520.0, 0.15)], 0.07, 45.0)
        gap = np.zeros(int(RATE * 0.04))
        return np.concatenate([blip, gap, _tone([(2349.0, 0.5), (4698.0, 0.15)], 0.12, 30.0)])
    if name == "chime":
        ding = _tone([(659.25, 0.45), (1318.5, 0.15), (1977.8, 0.05)], 0.55, 5.0)
        dong = _tone([(523.25, 0.45), (1046.5, 0.15), (1569.8, 0.05)], 0.9, 4.0)
        return np.concatenate([ding, dong])
    raise KeyError(name)


def build(voice_dir: Path = VOICE_DIR) -> dict:
    from kiosk.ui.voice_prompts import SOUNDS

    texts = current_texts()
    manifest: dict = {
        "format": {"container": "wav", "encoding": "mu-law", "rate": RATE, "channels": 1},
        "synthesiser": f"{espeak_version()}; voices "
        + ", ".join(f"{lang}={v} {s} wpm" for lang, (v, s) in VOICES.items()),
        "languages": {},
        "sounds": {},
    }
    keep: set[Path] = set()
    for lang, table in texts.items():
        (voice_dir / lang).mkdir(parents=True, exist_ok=True)
        entries = {}
        for key, text in sorted(table.items()):
            digest = text_hash(text)
            rel = f"{lang}/{digest[:16]}.wav"
            dest = voice_dir / rel
            if dest not in keep:
                synthesise(text, lang, dest)
                keep.add(dest)
            entries[key] = {"file": rel, "sha256": digest, "text": text}
        manifest["languages"][lang] = entries
    (voice_dir / "sounds").mkdir(parents=True, exist_ok=True)
    for name in SOUNDS:
        rel = f"sounds/{name}.wav"
        write_wav(voice_dir / rel, sound_samples(name) * 0.7)
        keep.add(voice_dir / rel)
        manifest["sounds"][name] = rel
    for old in voice_dir.glob("*/*.wav"):
        if old not in keep:
            old.unlink()
    (voice_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the audio matches the texts")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale(current_texts())
        for p in problems:
            print(p)
        return 1 if problems else 0
    manifest = build()
    files = sorted(VOICE_DIR.glob("*/*.wav"))
    size = sum(f.stat().st_size for f in files)
    counts = {lang: len(t) for lang, t in manifest["languages"].items()}
    print(f"voice: {counts} prompts, {len(files)} files, {size / 1e6:.2f} MB in {VOICE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
