"""The English source text of every message key: service outcomes, policy reasons, capture hints.

This is the one table of user-facing reasons. Keys are stable (catalog ``message_key``,
``Verdict.message_key``, ``hint.<problem code>``); the UI translates the English text with Qt
Linguist (``QCoreApplication.translate(context, text)``), and ``kiosk verify`` / ``kiosk precheck``
print it as is. Every text is wrapped in :func:`QT_TRANSLATE_NOOP`, a plain identity function
that ``pyside6-lupdate`` recognises, so the strings are extracted into the ``.ts`` files without
this module importing Qt.

Pure data; thread-safe.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Mark ``text`` for translation in ``context``; returns it unchanged."""
    del context
    return text


#: message key -> English text (context "Messages").
MESSAGES: dict[str, str] = {
    "ok.pass": QT_TRANSLATE_NOOP("Messages", "Your identity has been verified."),
    # ---- card: retake
    "err.card_blurry": QT_TRANSLATE_NOOP("Messages", "The photo of your card was not sharp enough."),
    "err.card_unreadable": QT_TRANSLATE_NOOP("Messages", "Your card could not be read."),
    "err.card_image_empty": QT_TRANSLATE_NOOP("Messages", "The photo of your card was empty."),
    "err.no_id_card": QT_TRANSLATE_NOOP("Messages", "No ID card was found in the picture."),
    "err.card_id_invalid": QT_TRANSLATE_NOOP("Messages", "The ID number on your card could not be read correctly."),
    "err.image_decode": QT_TRANSLATE_NOOP("Messages", "The photo could not be processed."),
    "err.image_too_large": QT_TRANSLATE_NOOP("Messages", "The photo was too large to send."),
    "warn.card_border": QT_TRANSLATE_NOOP("Messages", "Part of your card was outside the picture."),
    "warn.card_occluded": QT_TRANSLATE_NOOP("Messages", "Something was covering part of your card."),
    "warn.card_blurry": QT_TRANSLATE_NOOP("Messages", "The photo of your card was not sharp enough."),
    # ---- face: retake
    "err.no_face": QT_TRANSLATE_NOOP("Messages", "No face was found in the picture."),
    "err.multiple_faces": QT_TRANSLATE_NOOP("Messages", "More than one face was in the picture."),
    "err.face_poor_quality": QT_TRANSLATE_NOOP("Messages", "The photo of your face was not clear enough."),
    "err.face_size": QT_TRANSLATE_NOOP("Messages", "The photo of your face had the wrong size."),
    # ---- identity and fraud
    "err.low_similarity": QT_TRANSLATE_NOOP("Messages", "Your face does not match the photo on record."),
    "err.face_low_similarity": QT_TRANSLATE_NOOP("Messages", "Your face does not match the photo on record."),
    "err.card_low_similarity": QT_TRANSLATE_NOOP("Messages", "The card photo does not match the photo on record."),
    "err.id_name_mismatch": QT_TRANSLATE_NOOP("Messages", "The name and the ID number do not match the records."),
    "err.face_not_live": QT_TRANSLATE_NOOP("Messages", "The service could not confirm a live photo: check in person."),
    "err.card_warning": QT_TRANSLATE_NOOP("Messages", "Your card could not be accepted."),
    "warn.card_photocopy": QT_TRANSLATE_NOOP("Messages", "A photocopy of a card cannot be used."),
    "warn.card_reshoot": QT_TRANSLATE_NOOP("Messages", "A photo of a screen or of a picture cannot be used."),
    "warn.card_tampered": QT_TRANSLATE_NOOP("Messages", "The service flagged the card for a check in person (possible alteration)."),
    "warn.card_temporary": QT_TRANSLATE_NOOP("Messages", "A temporary ID card cannot be used here."),
    "warn.unknown": QT_TRANSLATE_NOOP("Messages", "Your card needs to be checked by a member of staff."),
    # ---- registration office
    "err.id_not_in_database": QT_TRANSLATE_NOOP("Messages", "Your ID number was not found in the national records."),
    "err.no_reference_photo": QT_TRANSLATE_NOOP("Messages", "There is no photo on record for your ID number."),
    "err.reference_photo_poor": QT_TRANSLATE_NOOP("Messages", "The photo on record for your ID number is not clear enough."),
    "err.daily_identity_limit": QT_TRANSLATE_NOOP("Messages", "This ID number has been checked too often today."),
    # ---- input
    "err.id_format": QT_TRANSLATE_NOOP("Messages", "The ID number is not valid."),
    "err.name_format": QT_TRANSLATE_NOOP("Messages", "The name is not valid."),
    "err.invalid_request": QT_TRANSLATE_NOOP("Messages", "The request could not be processed."),
    # ---- service unavailable (transient, account, configuration)
    "err.service_busy": QT_TRANSLATE_NOOP("Messages", "The verification service is busy."),
    "err.compare_failed": QT_TRANSLATE_NOOP("Messages", "The comparison could not be completed."),
    "err.authority_unavailable": QT_TRANSLATE_NOOP("Messages", "The national records service is under maintenance."),
    "err.service_unreachable": QT_TRANSLATE_NOOP("Messages", "The verification service cannot be reached."),
    "err.network": QT_TRANSLATE_NOOP("Messages", "The verification service cannot be reached."),
    "err.tls": QT_TRANSLATE_NOOP("Messages", "A secure connection to the verification service failed."),
    "err.service_error": QT_TRANSLATE_NOOP("Messages", "The verification service gave an unexpected answer."),
    "err.outcome_unknown": QT_TRANSLATE_NOOP("Messages", "The verification service did not answer in time."),
    "err.unknown": QT_TRANSLATE_NOOP("Messages", "The verification service reported an unexpected problem."),
    "err.clock": QT_TRANSLATE_NOOP("Messages", "This kiosk's clock is wrong."),
    "err.credentials": QT_TRANSLATE_NOOP("Messages", "This kiosk's service credentials are not valid."),
    "err.config": QT_TRANSLATE_NOOP("Messages", "This kiosk is not configured correctly."),
    "err.out_of_service": QT_TRANSLATE_NOOP("Messages", "This kiosk is out of service."),
    "err.account_config": QT_TRANSLATE_NOOP("Messages", "This kiosk's service account cannot be used."),
    "err.account_arrears": QT_TRANSLATE_NOOP("Messages", "This kiosk's service account is suspended."),
    "err.budget_exceeded": QT_TRANSLATE_NOOP("Messages", "This kiosk has reached its daily limit of checks."),
    "err.encryption": QT_TRANSLATE_NOOP("Messages", "A secure exchange with the service failed."),
}

#: ``hint.<problem code>`` -> English hint (context "Hints"): what the customer should do now.
HINTS: dict[str, str] = {
    "hint.blurry": QT_TRANSLATE_NOOP("Hints", "Hold still, the picture is blurry"),
    "hint.too_dark": QT_TRANSLATE_NOOP("Hints", "It is too dark, please move into the light"),
    "hint.too_bright": QT_TRANSLATE_NOOP("Hints", "Too bright: move out of direct light"),
    "hint.glare": QT_TRANSLATE_NOOP("Hints", "Tilt the card a little to get rid of the glare"),
    "hint.no_face": QT_TRANSLATE_NOOP("Hints", "Look at the camera"),
    "hint.multiple_faces": QT_TRANSLATE_NOOP("Hints", "Only one person in front of the camera, please"),
    "hint.face_too_small": QT_TRANSLATE_NOOP("Hints", "Come a little closer"),
    "hint.face_too_large": QT_TRANSLATE_NOOP("Hints", "Move back a little"),
    "hint.face_off_center": QT_TRANSLATE_NOOP("Hints", "Put your face inside the oval"),
    "hint.face_turned": QT_TRANSLATE_NOOP("Hints", "Look straight at the camera"),
    "hint.eyes_not_visible": QT_TRANSLATE_NOOP("Hints", "Make sure your eyes can be seen"),
    "hint.no_card": QT_TRANSLATE_NOOP("Hints", "Hold the photo side of your ID card up to the camera"),
    "hint.card_cut_off": QT_TRANSLATE_NOOP("Hints", "Show the whole card inside the frame"),
    "hint.card_too_small": QT_TRANSLATE_NOOP("Hints", "Bring the card closer to the camera"),
    "hint.card_tilted": QT_TRANSLATE_NOOP("Hints", "Hold the card straight, facing the camera"),
    "hint.image_too_small": QT_TRANSLATE_NOOP("Hints", "The picture is too small"),
    "hint.unreadable_image": QT_TRANSLATE_NOOP("Hints", "The picture could not be read"),
    "hint.hold_still": QT_TRANSLATE_NOOP("Hints", "Hold still…"),
    # ---- issue 13: the back of the card, and hints that name a direction (the customer's own
    # left/right; kiosk/core/vision/guidance.py)
    "hint.card_wrong_side": QT_TRANSLATE_NOOP("Hints", "Turn the card over to the photo side"),
    "hint.face_turned_left": QT_TRANSLATE_NOOP("Hints", "Turn your head a little to your right"),
    "hint.face_turned_right": QT_TRANSLATE_NOOP("Hints", "Turn your head a little to your left"),
    "hint.face_move_left": QT_TRANSLATE_NOOP("Hints", "Move a little to your left"),
    "hint.face_move_right": QT_TRANSLATE_NOOP("Hints", "Move a little to your right"),
    "hint.face_move_up": QT_TRANSLATE_NOOP("Hints", "Raise your head a little"),
    "hint.face_move_down": QT_TRANSLATE_NOOP("Hints", "Lower your head a little"),
    "hint.card_move_left": QT_TRANSLATE_NOOP("Hints", "Move the card a little to your left"),
    "hint.card_move_right": QT_TRANSLATE_NOOP("Hints", "Move the card a little to your right"),
    "hint.card_move_up": QT_TRANSLATE_NOOP("Hints", "Move the card up a little"),
    "hint.card_move_down": QT_TRANSLATE_NOOP("Hints", "Move the card down a little"),
    "hint.captured": QT_TRANSLATE_NOOP("Hints", "Captured"),
}


# Fraud signals: the precise text goes to the staff page and the audit trail only; a customer
# reads :data:`CUSTOMER_TEXTS` ``["cust.needs_staff"]`` (never an accusation: most are false alarms).
FRAUD_KEYS: frozenset[str] = frozenset({
    "err.face_not_live",
    "err.card_low_similarity",
    "err.card_warning",
    "warn.card_photocopy",
    "warn.card_reshoot",
    "warn.card_tampered",
    "warn.unknown",
})

# Faults only staff can fix (this kiosk's credentials, clock, account, set-up): customers read
# ``["cust.kiosk_fault"]`` and are sent to the counter, never told to "try again in a few minutes".
STAFF_FAULT_KEYS: frozenset[str] = frozenset({
    "err.clock",
    "err.credentials",
    "err.config",
    "err.out_of_service",
    "err.account_config",
    "err.account_arrears",
    "err.budget_exceeded",
    "err.encryption",
    "err.tls",
    "err.invalid_request",
})

# What customers read instead of a fraud signal or a staff-only fault (context "Messages").
CUSTOMER_TEXTS: dict[str, str] = {
    "cust.needs_staff": QT_TRANSLATE_NOOP("Messages", "Your ID card needs to be checked by a member of staff."),
    "cust.kiosk_fault": QT_TRANSLATE_NOOP("Messages", "This kiosk cannot check identities at the moment."),
}


def customer_key(key: str) -> str:
    """The key whose text a customer may read for ``key`` (itself unless fraud / staff-only)."""
    if key in FRAUD_KEYS:
        return "cust.needs_staff"
    if key in STAFF_FAULT_KEYS:
        return "cust.kiosk_fault"
    return key


def english(key: str) -> str:
    """The English text for a message or hint key; an unknown key returns a generic sentence."""
    return MESSAGES.get(key) or HINTS.get(key) or CUSTOMER_TEXTS.get(key) or MESSAGES["err.unknown"]
