"""The environment a ``python -m kiosk`` subprocess of a test runs in.

:func:`kiosk_env`: the developer's environment without the kiosk's own variables (``KIOSK_*``,
``TENCENTCLOUD_*``, and any further ``drop`` prefixes), with ``HOME`` and ``XDG_CONFIG_HOME``
in a folder of the test's, so that no real configuration, credential or audit folder is read.
"""

from __future__ import annotations

import os
from pathlib import Path


def kiosk_env(home: Path, *, drop: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """``os.environ`` minus ``KIOSK_*``, ``TENCENTCLOUD_*`` and ``drop``; ``HOME`` is ``home``,
    ``XDG_CONFIG_HOME`` ``home/.config``; then ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "TENCENTCLOUD_", *drop))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    env.update(extra)
    return env
