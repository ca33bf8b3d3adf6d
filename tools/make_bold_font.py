"""Build ``resources/fonts/kiosk-bold.otf``: the bold face for the kiosk's headlines.

The bundled WenQuanYi Micro Hei has one weight, so "bold" headlines rendered regular. This tool
cuts a bold face from Noto Sans CJK SC Bold (SIL Open Font License 1.1; Debian package
``fonts-noto-cjk``, file ``NotoSansCJK-Bold.ttc``) down to the characters the kiosk shows:

* every character of the UI and message texts (``resources/i18n/*.ts``: English and Chinese),
* printable ASCII, general and CJK punctuation, the symbols the pages draw (✔ ◉ ○ ● ⌫ …),
* the 3,755 level-1 hanzi of GB 2312 (most family names: the masked name shows the first one).

The subset is renamed to the family of the regular face ("WenQuanYi Micro Hei", style Bold) so
Qt picks it whenever bold is asked for; a character outside the subset falls back to the
regular face. The OFL allows subsetting and renaming (the reserved name "Source" is not used).

Usage (needs ``pip install fonttools`` in any Python; not a dependency of the kiosk)::

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb x
    python tools/make_bold_font.py x/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
"""

from __future__ import annotations

import argparse
import contextlib
import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "fonts" / "kiosk-bold.otf"
FAMILY = "WenQuanYi Micro Hei"
SYMBOLS = "✔✓◉○●⌫…—–·•“”‘’、。，：；！？（）《》【】「」×÷±°％"


def gb2312_level1() -> str:
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([hi, lo]).decode("gb2312"))
    return "".join(chars)


def ui_text() -> str:
    texts = []
    for ts in (ROOT / "resources" / "i18n").glob("*.ts"):
        for m in re.finditer(r"<(source|translation)[^>]*>(.*?)</\1>", ts.read_text(encoding="utf-8"), re.S):
            texts.append(html.unescape(m.group(2)))
    return "".join(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ttc", type=Path, help="NotoSansCJK-Bold.ttc")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        from fontTools import subset
        from fontTools.ttLib import TTCollection
    except ImportError:
        print("make_bold_font: needs fonttools (pip install fonttools)", file=sys.stderr)
        return 2
    if not args.ttc.is_file():
        print(f"make_bold_font: no such file {args.ttc}", file=sys.stderr)
        return 2
    collection = TTCollection(str(args.ttc))
    font = next(f for f in collection.fonts if "CJK SC" in f["name"].getDebugName(1))
    chars = set(ui_text()) | {chr(c) for c in range(0x20, 0x7F)} | set(SYMBOLS) | set(gb2312_level1())
    options = subset.Options()
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.name_languages = [0x409]
    options.layout_features = ["kern", "palt", "vert", "locl"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars if not c.isspace() or c == " "])
    subsetter.subset(font)
    name = font["name"]
    name.removeNames(nameID=16)
    name.removeNames(nameID=17)
    for record in list(name.names):
        if record.nameID == 1:
            record.string = FAMILY
        elif record.nameID == 2:
            record.string = "Bold"
        elif record.nameID == 4:
            record.string = f"{FAMILY} Bold"
        elif record.nameID == 6:
            record.string = "WenQuanYiMicroHei-KioskBold"
    font["OS/2"].usWeightClass = 700
    # no vendor id: Qt would list the family twice ("[GOOG]" and "[WQYF]") and split the styles
    font["OS/2"].achVendID = "    "
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection | 0x20) & ~0x40  # BOLD, not REGULAR
    font["head"].macStyle |= 0x01
    args.out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(args.out))
    print(f"{args.out}: {len(chars)} characters, {args.out.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
