"""Everything PySide6: the application, the shell window, screens, widgets and thread workers.

Nothing under :mod:`kiosk.core` may import this package (import-linter contract).
"""
