"""Audit files stay appendable by the kiosk user after root-run commands (issue 12).

As root (CI runs as root) the tests make a folder owned by another user (uid 65534, "nobody"),
run the real commands as root, then check, in a forked child that has dropped to that user,
that it can still append and that ``kiosk run`` would start. The broken state an older version
left behind (a root-owned ``audit.jsonl`` in the kiosk user's folder) must give a clear refusal
(exit 78, no traceback) and a failing ``kiosk doctor`` audit check, never a crash.
Without root the same refusal is shown with a read-only file.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.core.audit import AuditTrail
from kiosk.core.audit_files import audit_write_problem

OTHER = 65534
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def folder() -> Iterator[Path]:
    """An audit folder under /tmp (reachable by another user), owned by OTHER when root."""
    d = Path(tempfile.mkdtemp(prefix="kiosk-audit-test-", dir="/tmp"))
    d.chmod(0o755)
    if ROOT:
        os.chown(d, OTHER, OTHER)
    yield d
    shutil.rmtree(d, ignore_errors=True)
    shutil.rmtree(_config_dir(d), ignore_errors=True)


def _config_dir(folder: Path) -> Path:
    # beside the audit folder, owned by this user: a configuration file in a folder another
    # user owns is refused (kiosk.core.filecheck), which is not what these tests are about
    return folder.with_name(folder.name + "-config")


def _config(folder: Path) -> Path:
    place = _config_dir(folder)
    place.mkdir(mode=0o755, exist_ok=True)
    place.chmod(0o755)
    cfg = place / "kiosk.toml"
    cfg.write_text(f'[audit]\ndirectory = "{folder}"\n', encoding="utf-8")
    cfg.chmod(0o644)
    return cfg


def _require_readable_by_others(repo: Path) -> None:
    """The child runs as OTHER and reads the code and resources: say so plainly if it cannot."""
    for d in [*reversed(repo.parents), repo]:
        if not d.stat().st_mode & 0o001:
            pytest.fail(f"{d} is not searchable by other users (chmod o+x): the checkout must be readable by OTHER")


def as_other_user(fn: Callable[[], Any], warm_up: Callable[[], Any]) -> Any:
    """Run ``fn`` in a forked child as OTHER (when root; else as this user); its JSON result.

    ``warm_up`` runs first in this process so every module the child needs is already imported
    (the interpreter's own files may be unreadable to OTHER, e.g. under root's pyenv).
    """
    warm_up()
    import kiosk.commands.run
    import kiosk.core.audit_files
    import kiosk.wiring  # noqa: F401

    if not ROOT:
        return fn()
    _require_readable_by_others(Path(__file__).resolve().parents[2])
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_fd)
            os.setgroups([])
            os.setgid(OTHER)
            os.setuid(OTHER)
            os.environ["HOME"] = "/nonexistent"
            result = fn()
            os.write(write_fd, json.dumps(result).encode())
            code = 0
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child failed"
    return json.loads(data)


def _cli(*argv: str) -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return {"code": code, "out": out.getvalue(), "err": err.getvalue()}


@pytest.mark.skipif(not ROOT, reason="needs root: a root-run command in another user's audit folder")
def test_root_run_commands_leave_the_files_to_the_folder_owner(folder: Path, tmp_path: Path) -> None:
    cfg = _config(folder)
    # the staff export as root (appends a staff record), then records that rotate
    assert _cli("--config", str(cfg), "doctor", "--export-audit", str(tmp_path / "export.jsonl"))["code"] == 0
    trail = AuditTrail(folder, max_bytes=300, backups=3)
    for i in range(12):
        trail.session(session_id=f"s{i}", step="verify", outcome_code="pass")
    trail.close()
    files = sorted(folder.glob("audit.jsonl*"))
    assert len(files) >= 3  # the live file and rotated ones
    assert {f.stat().st_uid for f in files} == {OTHER}

    def kiosk_user() -> dict[str, Any]:
        problem = audit_write_problem(folder)
        t = AuditTrail(folder)
        t.session(session_id="k", step="welcome", outcome_code="ok")
        t.close()
        doctor = _cli("--config", str(cfg), "doctor", "--json", "--no-network", "--cameras", "0")
        assert doctor["out"], doctor["err"]
        return {"problem": problem, "doctor": json.loads(doctor["out"])}

    seen = as_other_user(kiosk_user, lambda: _cli("--config", str(cfg), "doctor", "--json", "--no-network"))
    assert seen["problem"] is None
    audit = next(c for c in seen["doctor"]["checks"] if c["name"] == "audit")
    assert audit["ok"], audit


def test_unwritable_audit_file_gives_a_clear_refusal_not_a_crash(folder: Path) -> None:
    cfg = _config(folder)
    live = folder / "audit.jsonl"
    live.write_text('{"kind":"staff"}\n', encoding="utf-8")
    if ROOT:
        os.chown(live, 0, 0)  # what a root command of the old version left behind
        live.chmod(0o644)
    else:
        live.chmod(0o444)

    def kiosk_user() -> dict[str, Any]:
        doctor = _cli("--config", str(cfg), "doctor", "--json", "--no-network", "--cameras", "0")
        return {
            "problem": audit_write_problem(folder),
            "run": _cli("--config", str(cfg), "run"),
            "doctor": json.loads(doctor["out"]),
        }

    seen = as_other_user(kiosk_user, lambda: _cli("--config", str(cfg), "doctor", "--json", "--no-network"))
    assert seen["problem"] and "audit.jsonl" in seen["problem"] and "not writable" in seen["problem"]
    run = seen["run"]
    assert run["code"] == 78
    assert "out of service" in run["err"] and "chown" in run["err"] and "Traceback" not in run["err"]
    audit = next(c for c in seen["doctor"]["checks"] if c["name"] == "audit")
    assert not audit["ok"] and "audit.jsonl" in audit["detail"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_an_audit_file_that_is_a_fifo_or_a_loop_is_refused_not_waited_on(tmp_path: Path) -> None:
    """Outside review: a FIFO audit.jsonl hung `kiosk verify` and `kiosk doctor` for ever, and
    `kiosk run` ignored SIGTERM while blocked in open(); a symlink loop passed doctor's check."""
    fifo_dir = tmp_path / "fifo"
    fifo_dir.mkdir()
    os.mkfifo(fifo_dir / "audit.jsonl")
    assert audit_write_problem(fifo_dir) == f"{fifo_dir / 'audit.jsonl'} is a named pipe or a socket, not a file"
    trail = AuditTrail(fifo_dir)
    trail.session(session_id="s", step="verify", outcome_code="ok.pass")  # returns: open() did not wait
    assert trail.failure is not None  # ENXIO: a FIFO opened to write without a reader fails at once
    loop_dir = tmp_path / "loop"
    loop_dir.mkdir()
    (loop_dir / "audit.jsonl").symlink_to(loop_dir / "audit.jsonl")
    problem = audit_write_problem(loop_dir)
    assert problem is not None and problem.startswith(f"{loop_dir / 'audit.jsonl'} cannot be opened")
