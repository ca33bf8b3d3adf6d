"""Write the example ``kiosk.toml`` the installers ship, from the settings schema itself.

Every setting appears, commented out, with its help text and default, so the file never drifts
from ``kiosk/config.py``. A few lines are active per platform (the audit folder of the dedicated
kiosk user on Linux). The result is loaded back with ``kiosk.config.load_settings`` before it is
written, so a broken example fails the build, not the kiosk.

    python installers/make_config.py --platform linux --out installers/build/kiosk.toml
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.config import SCHEMA_VERSION, describe, load_settings

HEADER = {
    "linux": """\
# /etc/kiosk/kiosk.toml: settings of the identity-verification kiosk (a dpkg conffile: your
# edits survive upgrades; `dpkg -i` of a newer package asks before replacing a changed file).
#
# Every setting is listed below, commented out, with its default. Uncomment and change what you
# need; a wrong value stops the kiosk at start with a message naming the key
# (`kiosk doctor` shows it too). Any setting can also be overridden for one run with an
# environment variable KIOSK_<SECTION>_<KEY>, e.g. KIOSK_SERVICE_READ_TIMEOUT_S=15.
#
# SECRETS NEVER GO IN THIS FILE. Recommended: short-lived STS credentials from a credential
# command (see [credentials] below); whatever that command needs to authenticate itself goes in
# /etc/kiosk/secrets.env (root:kiosk 0640), which the kiosk service loads. See
# /usr/share/doc/idv-kiosk/installing.md.
""",
    "windows": """\
# %PROGRAMDATA%\\kiosk\\kiosk.toml: settings of the identity-verification kiosk. The installer
# never overwrites this file once it exists (re-running a newer installer keeps your edits).
#
# Every setting is listed below, commented out, with its default. Uncomment and change what you
# need; a wrong value stops the kiosk at start with a message naming the key
# (`kiosk doctor` shows it too). Environment overrides: KIOSK_<SECTION>_<KEY>.
#
# SECRETS NEVER GO IN THIS FILE. Recommended: short-lived STS credentials from a credential
# command (see [credentials] below). Its own secret goes in %PROGRAMDATA%\\kiosk\\secrets\\
# (readable only by Administrators, SYSTEM and the kiosk user). See docs/installing.md.
""",
}

#: active (uncommented) values per platform: dotted key -> TOML literal
ACTIVE = {
    "linux": {"audit.directory": '"/var/lib/kiosk/audit"'},
    "windows": {},
}

#: examples shown under a key, commented out
EXAMPLES = {
    "credentials.source": ['source = "command"   # recommended in production: short-lived STS credentials'],
    "credentials.command": [
        'command = ["/usr/local/bin/kiosk-sts"]   # prints {"TmpSecretId","TmpSecretKey","Token","ExpiredTime"}',
    ],
    "service.ca_bundle": ['ca_bundle = "/etc/kiosk/corporate-ca.pem"   # TLS-inspecting proxy; verification stays on'],
    "service.https_proxy": ['https_proxy = "http://proxy.branch.local:3128"'],
    "kiosk.staff_pin_hash": ["# the hash, never the PIN: `python -m kiosk.ui.pin` in a source checkout prints it"],
}


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def render(platform: str) -> str:
    lines = [HEADER[platform], f"schema_version = {SCHEMA_VERSION}", ""]
    current = None
    for dotted, help_text, default in describe():
        section, key = dotted.split(".", 1)
        if section != current:
            lines += ["", f"[{section}]"]
            current = section
        lines.append(f"# {help_text}")
        active = ACTIVE[platform].get(dotted)
        if active is not None:
            lines.append(f"{key} = {active}")
        else:
            lines.append(f"# {key} = {_literal(default)}")
        for example in EXAMPLES.get(dotted, []):
            lines.append(example if example.startswith("#") else f"# {example}")
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", choices=sorted(HEADER), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    text = render(args.platform)
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "kiosk.toml"
        probe.write_text(text, encoding="utf-8")
        load_settings(probe, environ={})  # raises ConfigError when the example is wrong
    args.out.parent.mkdir(parents=True, exist_ok=True)
    newline = "\r\n" if args.platform == "windows" else "\n"
    with open(args.out, "w", encoding="utf-8", newline=newline) as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
