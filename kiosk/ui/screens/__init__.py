"""The pages of the kiosk, one module per page. Each page is a plain widget with ``retranslate()``.

Pages hold stable keys (hint codes, message keys, outcomes), never translated text, and render
them in ``retranslate()`` so a language switch re-renders everything. Pages emit ``sig_*``
signals for what the customer did; the shell (:mod:`kiosk.ui.shell`) turns them into session
events. GUI thread only.
"""

from kiosk.ui.screens.base import Page
from kiosk.ui.screens.capture import CapturePage
from kiosk.ui.screens.consent import ConsentPage
from kiosk.ui.screens.idle import IdleOverlay
from kiosk.ui.screens.out_of_service import OutOfServicePage
from kiosk.ui.screens.pin import PinPage
from kiosk.ui.screens.result import ResultPage
from kiosk.ui.screens.staff import StaffPage
from kiosk.ui.screens.verifying import Spinner, VerifyingPage
from kiosk.ui.screens.welcome import AttractArt, WelcomePage

__all__ = [
    "AttractArt",
    "CapturePage",
    "ConsentPage",
    "IdleOverlay",
    "OutOfServicePage",
    "Page",
    "PinPage",
    "ResultPage",
    "Spinner",
    "StaffPage",
    "VerifyingPage",
    "WelcomePage",
]
