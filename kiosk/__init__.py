"""Identity-verification kiosk: capture a resident ID card and a live face, verify with Tencent FaceID."""

__version__ = "0.1.0"
