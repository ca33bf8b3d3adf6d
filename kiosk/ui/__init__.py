"""Everything PySide6: the application, the shell window, screens, widgets and thread workers.

Nothing under :mod:`kiosk.core` may import this package (import-linter contract).

Modules:

* ``app``       QApplication bootstrap: bundled CJK font, QSS theme, single instance.
* ``launch``    ``run_kiosk()``: builds window + camera threads, runs the loop, tears down.
* ``shell``     ``KioskWindow``: maps the pure ``kiosk.core.session.Session`` onto pages;
                its mixins: ``shell_flow`` (session <-> pages, wipe),
                ``shell_timers`` (idle/result timers), ``shell_staff`` (staff PIN and page),
                ``shell_service`` (staff calls, service health), ``shell_display`` (widgets,
                display fit).
* ``screens``   the pages (welcome, consent, capture, verifying, result, out of service,
                PIN, staff) and the "still there?" overlay.
* ``widgets``   camera preview with overlay, result badge, step dots, PIN pad, buttons.
* ``camera_worker``  the camera reader (QObject in its QThread) and ``CameraController``, which
                     owns the camera and analysis threads.
* ``frame_analysis`` the vision checks and auto-capture on the newest frame (analysis thread).
* ``preview_frames`` camera thread -> GUI hand-over: frame packet, latest-frame slot, QImage.
* ``service_tasks``  verification and service-probe jobs (QThreadPool).
* ``i18n``      languages and the key -> translated text mapping (Qt Linguist);
                ``i18n_build`` regenerates resources/i18n (``python -m kiosk.ui.i18n_build``).
* ``pin``       staff PIN hashing (scrypt) and lockout (no Qt).
* ``settings``  ``UiSettings`` from ``kiosk.config``.
* ``demo_world``     ``kiosk demo``: emulator + verifiers + virtual cameras, the interactive
                     demo's scenario rotation.
* ``demo_scenarios`` the demo's scripted customers (no Qt).
* ``demo_autopilot`` walks the demo's sessions, checks and measures them; ``demo_tour``: its
                     screenshot tour of the screens outside the customer flow.
* ``qt_compat`` start-up guard against the PySide6 6.12 / Python 3.11 None/True refcount leak.
"""
