"""The demo's scripted customers: who is on the card, whose face is shown, what goes wrong.

:data:`SCENARIOS` names them (``kiosk demo --scenario``; the autopilot and the interactive demo
take them in turn). A :class:`Scenario` also says which result page its session must end on.
Data only, no Qt and no threads: :class:`~kiosk.ui.demo_world.DemoWorld` plays a scenario's
customer on the virtual camera and points the kiosk at a working or a dead service.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """One scripted customer: who is on the card, whose face is shown, what goes wrong."""

    name: str
    expected: str  # the result page the session must end on (Verdict.outcome)
    card_person: int = 0
    face_person: int = 0
    bystander_person: int | None = None
    blurry_first: bool = False
    service_down: bool = False
    # extra VirtualScript fields (timings of the customer's moves)
    script: tuple[tuple[str, float], ...] = ()


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        # live faces use the two large portraits (the others are 115 px thumbnails, far too
        # small to pass as a 720p webcam face); the small ones serve as bystanders
        Scenario("pass", "pass", card_person=0, face_person=0),
        Scenario("other_face", "fail", card_person=0, face_person=1),
        Scenario("bystander", "pass", card_person=1, face_person=1, bystander_person=3),
        Scenario(
            "blurry_card_then_good",
            "pass",
            card_person=1,
            face_person=1,
            blurry_first=True,
            # quick entry, then 1.6 s out of focus: long enough for the kiosk to say "blurry"
            script=(("enter_s", 0.3), ("blurry_s", 1.6)),
        ),
        Scenario("service_down", "unavailable", card_person=0, face_person=0, service_down=True),
    )
}
