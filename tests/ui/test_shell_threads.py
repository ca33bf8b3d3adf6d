"""The slots that the camera threads feed must belong to KioskWindow itself.

PySide6 6.11: once the window has a dynamic slot (a connection to a plain method such as
``open_staff``), a ``@Slot`` inherited from a plain-Python mixin runs in the *sender's* thread.
The camera worker and the analyzer live in their own QThreads, so a slot of theirs moved into a
mixin would touch widgets off the GUI thread. The pool jobs' signal objects live on the GUI
thread, so their slots may sit in the mixins.
"""

from __future__ import annotations

from kiosk.ui.shell import KioskWindow

CAMERA_THREAD_SLOTS = ("_on_frame", "_on_captured", "_on_camera_health")


def test_camera_thread_slots_are_defined_in_the_window_class() -> None:
    for name in CAMERA_THREAD_SLOTS:
        assert name in KioskWindow.__dict__, f"{name} moved out of KioskWindow (see the module docstring)"

