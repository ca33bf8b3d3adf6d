"""Process hardening at start: no core dumps (a crash must not put a customer on disk).

During Verifying the process holds the card and face JPEGs, the full ID number, the name and
the secret key. A core file written by a crash (or by SIGABRT) would hold all of them. So every
``kiosk`` command calls :func:`disable_core_dumps` first:

* POSIX: ``RLIMIT_CORE`` soft limit 0 (the kernel writes no core file; the hard limit is kept so
  a test harness that spawned us can still raise its own children's limit);
* Linux: ``prctl(PR_SET_DUMPABLE, 0)`` too: no core even through a ``core_pattern`` pipe helper
  such as systemd-coredump or apport, no ptrace attach and no ``/proc/<pid>/mem`` reads by other
  processes of the same user;
* Windows: ``SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX)`` so a crash shows no
  Windows Error Reporting dialog and is not queued for upload; a LocalDumps registry key set
  by an administrator would still write a dump: docs/security.md says how to keep it off.

The systemd unit sets ``LimitCORE=0`` as well and its watchdog stops a hung kiosk with SIGTERM,
then SIGKILL (never SIGABRT). Call once, early, on the main thread.
"""

from __future__ import annotations

import sys

__all__ = ["HardeningReport", "disable_core_dumps"]

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3
SEM_FAILCRITICALERRORS = 0x0001
SEM_NOGPFAULTERRORBOX = 0x0002


class HardeningReport(dict):  # type: ignore[type-arg]
    """What was applied: ``core_limit`` (0 or None), ``dumpable`` (0/1 or None), ``error_mode``."""


def disable_core_dumps() -> HardeningReport:
    """Apply what this platform offers (see the module docstring); never raises."""
    report = HardeningReport(core_limit=None, dumpable=None, error_mode=None)
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
        report["core_limit"] = resource.getrlimit(resource.RLIMIT_CORE)[0]
    except (ImportError, OSError, ValueError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
            report["dumpable"] = int(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))
        except (OSError, AttributeError):
            pass
    elif sys.platform == "win32":
        try:
            import ctypes

            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX)
            report["error_mode"] = SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX
        except (OSError, AttributeError):
            pass
    return report
