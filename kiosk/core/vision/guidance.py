"""What to tell the customer: one hint key per assessment, with a direction where there is one.

The checks report stable problem codes (``quality.PROBLEM_CODES``); a hint can say more than the
code, e.g. which way to turn or move. :func:`hint_for` returns the key of the hint to show
(``messages.HINTS["hint." + key]``): the first problem's code, or a directional refinement of it:

=====================  =====================================================================
problem code            directional hint keys (the customer's own left/right)
=====================  =====================================================================
``face_turned``         ``face_turned_left`` / ``face_turned_right`` (the head is turned to the
                        customer's left / right: "turn your head a little to your right / left")
``face_off_center``     ``face_move_left`` / ``face_move_right`` / ``face_move_up`` /
                        ``face_move_down`` (the way to move)
``card_cut_off``        ``card_move_left`` / ``card_move_right`` / ``card_move_up`` /
                        ``card_move_down`` (the way to move the card)
=====================  =====================================================================

Directions are in the customer's terms. Both previews are shown mirrored (like a mirror), so a
customer who moves to their left sees themselves (or the card) move left on screen. The camera's
image is not mirrored: a face on the image's right is on the customer's LEFT.

Pure functions; thread-safe.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DIRECTIONAL_HINTS", "hint_for"]

#: every directional hint key (messages.HINTS has "hint." + each)
DIRECTIONAL_HINTS: tuple[str, ...] = (
    "face_turned_left",
    "face_turned_right",
    "face_move_left",
    "face_move_right",
    "face_move_up",
    "face_move_down",
    "card_move_left",
    "card_move_right",
    "card_move_up",
    "card_move_down",
)


def hint_for(assessment: Any) -> str | None:
    """The hint key for an :class:`~kiosk.core.vision.quality.Assessment` (``None`` when ok)."""
    code = assessment.hint
    m = assessment.metrics
    w, h = m.get("width", 0.0), m.get("height", 0.0)
    if code == "face_turned" and abs(m.get("yaw", 0.0)) >= abs(m.get("roll", 0.0)) / 2:
        # yaw > 0: the face points to the image's right = the customer's left
        return "face_turned_left" if m.get("yaw", 0.0) > 0 else "face_turned_right"
    if code == "face_off_center" and "face_dx" in m:
        dx, cy = m["face_dx"], m.get("face_cy", 0.5)
        if abs(dx) >= abs(cy - 0.45):
            # on the image's right = on the customer's left: move to their right
            return "face_move_right" if dx > 0 else "face_move_left"
        return "face_move_down" if cy < 0.45 else "face_move_up"
    if code == "card_cut_off" and assessment.quad is not None and w and h:
        q = assessment.quad
        left, right = float(q[:, 0].min()), float(q[:, 0].max())
        top, bottom = float(q[:, 1].min()), float(q[:, 1].max())
        # how far the card runs past (or up to) each border, as a share of the frame
        over = {
            "image_left": -left / w,
            "image_right": (right - (w - 1)) / w,
            "top": -top / h,
            "bottom": (bottom - (h - 1)) / h,
        }
        side = max(over, key=lambda k: over[k])
        # image left = the customer's right: move the card to their left (towards the image centre)
        return {
            "image_left": "card_move_left",
            "image_right": "card_move_right",
            "top": "card_move_down",
            "bottom": "card_move_up",
        }[side]
    return code
