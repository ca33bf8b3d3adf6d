"""The bounded reader for files named on the command line or in the configuration."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kiosk.core.bounded_read import BoundedReadError, check_regular_file, read_bytes_bounded, read_text_bounded


def test_a_small_file_is_read_and_a_utf8_bom_dropped(tmp_path: Path) -> None:
    f = tmp_path / "people.json"
    f.write_bytes(b"\xef\xbb\xbf" + '{"name": "张三"}'.encode())
    assert read_text_bounded(f, 100) == '{"name": "张三"}'
    assert read_bytes_bounded(f, 100).startswith(b"\xef\xbb\xbf")


def test_the_bound_is_read_not_trusted_from_stat(tmp_path: Path) -> None:
    f = tmp_path / "key.pem"
    f.write_bytes(b"x" * 101)
    assert len(read_bytes_bounded(f, 101)) == 101
    with pytest.raises(BoundedReadError) as info:
        read_bytes_bounded(f, 100)
    assert info.value.reason == "too_large" and "100 bytes" in str(info.value)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="POSIX devices")
def test_devices_are_refused_without_reading() -> None:
    start = time.perf_counter()
    with pytest.raises(BoundedReadError) as info:
        read_bytes_bounded("/dev/zero", 10**9)
    assert info.value.reason == "not_a_file" and time.perf_counter() - start < 0.5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "key.pem"
    os.mkfifo(fifo)
    with pytest.raises(BoundedReadError) as info:
        read_text_bounded(fifo, 1000)  # opening it would block until a writer comes
    assert info.value.reason == "not_a_file"


def test_missing_folder_loop_and_binary_have_their_own_words(tmp_path: Path) -> None:
    with pytest.raises(BoundedReadError) as info:
        read_text_bounded(tmp_path / "absent.json", 10)
    assert info.value.reason == "missing" and "no such file" in str(info.value)
    with pytest.raises(BoundedReadError) as info:
        read_text_bounded(tmp_path, 10)
    assert info.value.reason == "not_a_file" and "a folder" in str(info.value)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(BoundedReadError) as info:
        read_text_bounded(loop, 10)
    assert info.value.reason == "unreadable"
    binary = tmp_path / "photo.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(BoundedReadError) as info:
        read_text_bounded(binary, 100)
    assert info.value.reason == "not_text"


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="POSIX FIFOs, devices")
def test_check_regular_file_names_what_a_path_is_without_opening_it(tmp_path: Path) -> None:
    fifo, loop, photo = tmp_path / "face.jpg", tmp_path / "loop.jpg", tmp_path / "ok.jpg"
    os.mkfifo(fifo)
    loop.symlink_to(loop)
    photo.write_bytes(b"\xff\xd8")
    check_regular_file(photo)
    for path, reason, words in ((fifo, "not_a_file", "not a regular file (a named pipe)"),
                                ("/dev/zero", "not_a_file", "not a regular file (a device)"),
                                (tmp_path, "not_a_file", "a folder"),
                                (loop, "unreadable", "cannot be read (a loop of symbolic links)"),
                                (photo / "x", "missing", "no such file"),
                                (tmp_path / "absent.jpg", "missing", "no such file")):
        with pytest.raises(BoundedReadError) as info:
            check_regular_file(path)
        assert info.value.reason == reason and str(info.value).startswith(f"{path}: {words}"), str(info.value)


def test_a_nul_byte_in_a_name_is_a_clear_refusal(tmp_path: Path) -> None:
    """A config string such as "key\\u0000.pem" reaches the reader as a path with a NUL byte."""
    with pytest.raises(BoundedReadError) as info:
        read_text_bounded(str(tmp_path / "key\x00.pem"), 100)
    assert info.value.reason == "missing" and "NUL" in str(info.value) and "\x00" not in str(info.value)
