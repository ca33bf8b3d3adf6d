"""The ``kiosk`` command line.

Each subcommand lives in its own module under :mod:`kiosk.commands` and is imported only when it
runs, so ``kiosk precheck`` never pays for Qt and ``kiosk emulator`` never loads OpenCV's GUI bits.
A command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.

Exit codes follow design.md: 0 success / pass, 1 not passed, 2 usage or configuration error.
No traceback reaches the user: unexpected errors are reported in one line (and the full trace
only with ``KIOSK_DEBUG=1``). A stdout closed by its reader (``kiosk precheck ... | head -1``)
ends the command quietly with :data:`EXIT_STDOUT_CLOSED`, the status a shell shows for ``cat``
or ``grep`` killed by SIGPIPE. OpenCV's own ``[ WARN:...]`` lines are off
(``OPENCV_LOG_LEVEL=ERROR`` unless set): our messages say what went wrong with an image.

:func:`main` runs on the main thread, once per process (tests call it in-process too).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from kiosk import __version__

#: subcommand name -> module under kiosk.commands (the module name differs where the
#: subcommand is a Python keyword or clashes with a package).
COMMANDS: dict[str, str] = {
    "run": "run",
    "demo": "demo",
    "verify": "verify",
    "precheck": "precheck",
    "emulator": "emulator",
    "specimen": "specimen",
    "doctor": "doctor",
    "bench": "bench",
    "selftest": "selftest",
}

EXIT_OK = 0
EXIT_NOT_PASSED = 1
EXIT_USAGE = 2
#: stdout's reader went away (``| head -1``): 128 + SIGPIPE, what the shell reports for ``cat``
EXIT_STDOUT_CLOSED = 141


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; keep that, but never print a traceback."""


def _load(name: str):
    return importlib.import_module(f"kiosk.commands.{COMMANDS[name]}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kiosk", description="Identity-verification kiosk (Tencent FaceID).")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    from kiosk.commands.options import non_empty

    parser.add_argument(  # --config "" would silently mean "the default file": a usage error
        "--config", type=non_empty, metavar="TOML",
        help="configuration file (default: $KIOSK_CONFIG or the platform path)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = _load(name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def _process_defaults() -> None:
    """Environment defaults that must be set before OpenCV is imported."""
    # OpenCV's own decoder limit (checked after ours in kiosk.core.vision.imageio): a second line.
    os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(100_000_000))
    # "[ WARN:0@0.2] global grfmt_png.cpp:793 ..." for a truncated image is noise on a terminal:
    # the command itself says the image is unreadable. Errors still show. (libjpeg's own
    # "Corrupt JPEG data" lines are written by the C library to fd 2 and are not OpenCV's log.)
    if "OPENCV_LOG_LEVEL" not in os.environ:  # a technician's own setting wins
        os.environ["OPENCV_LOG_LEVEL"] = "ERROR"
        cv2 = sys.modules.get("cv2")  # already imported (main() called in-process): the same, now
        if cv2 is not None:
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    if sys.platform == "win32":
        # MSMF opens some webcams in seconds to minutes with hardware transforms on (opencv#17687).
        os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")


def stdout_closed() -> bool:
    """True when stdout's reader has gone away (a pipe whose other end is closed).

    Where this cannot be told (no poll, stdout not a file descriptor), a BrokenPipeError is
    taken at its word.
    """
    import select

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return True
    if not hasattr(select, "poll"):
        return True
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def discard_stdout() -> None:
    """Point stdout at the null device once its reader went away (the Python docs' recipe for
    SIGPIPE): what is still buffered, and Python's flush at exit, go nowhere instead of raising
    BrokenPipeError again. Main thread."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # not a real descriptor (a test's capture)
        pass
    finally:
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    from kiosk.core.hardening import disable_core_dumps

    disable_core_dumps()  # first: a crash must never write a customer (or the keys) to a core file
    _process_defaults()
    from kiosk.core.textsafe import configure_cli_logging

    # Our own stderr handler (escaped, one line per record; never Python's last-resort handler)
    # and stdout/stderr that cannot fail on a cp1252 or ASCII console.
    configure_cli_logging()
    command = "?"
    try:
        parser = build_parser()
        args = parser.parse_args(argv)  # --help and usage errors print (and may meet a closed pipe)
        if args.command is None:
            args = parser.parse_args(["run", *(argv or sys.argv[1:])])
        command = args.command
        code = int(args._module.run(args))
        sys.stdout.flush()  # a closed stdout shows here, not in Python's flush at exit
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError as exc:
        if stdout_closed():  # `kiosk precheck ... | head -1`: a quiet end, like cat or grep
            discard_stdout()
            return EXIT_STDOUT_CLOSED
        return _internal_error(command, exc)
    except Exception as exc:  # last line of defence: one clear line, never a traceback
        return _internal_error(command, exc)


def _internal_error(command: str, exc: BaseException) -> int:
    from kiosk.core.textsafe import escape

    if os.environ.get("KIOSK_DEBUG") == "1":
        traceback.print_exception(exc)
    print(f"kiosk {command}: internal error: {type(exc).__name__}: {escape(exc, 500)}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
