"""The registry side of both FaceID actions: who is on file, and their portrait's face template.

:class:`ReferenceFaces` looks a claimed identity up in the :class:`~kiosk.emulator.registry.Registry`
and returns the face template of the registry portrait, or the result code that ends the action
first: unknown ID -> ``IdNoExistSystem``, other name -> ``IdNameMisMatch``, no photo on file ->
``IdPhotoNoExist``, no face in it -> ``IdPhotoPoorQuality``.

Threading: one instance is shared by all handler threads. The registry is immutable and the
matcher thread-safe; the template cache (person -> template, filled on first use and never
evicted) is guarded by a lock. Templates are shared read-only values.
"""

from __future__ import annotations

import threading

from kiosk.core.specimen import Person
from kiosk.emulator.matcher import FaceMatcher, FaceTemplate
from kiosk.emulator.registry import Registry

__all__ = ["ReferenceFaces"]


class ReferenceFaces:
    """Registry look-ups with cached templates of the registry portraits (see the module docstring)."""

    def __init__(self, registry: Registry, matcher: FaceMatcher) -> None:
        self.registry = registry
        self.matcher = matcher
        self._templates: dict[str, FaceTemplate | None] = {}
        self._lock = threading.Lock()

    def template(self, person: Person) -> FaceTemplate | None:
        """Features of the registry portrait (cached); ``None`` if it has no usable face."""
        with self._lock:
            if person.id_number in self._templates:
                return self._templates[person.id_number]
        portrait = self.registry.portrait(person)
        template = None if portrait is None else self.matcher.template(portrait)
        with self._lock:
            self._templates[person.id_number] = template
        return template

    def lookup(self, id_number: str, name: str) -> FaceTemplate | str:
        """The template to compare with, or the ``FailedOperation`` result code that ends the action."""
        person = self.registry.by_id(id_number)
        if person is None:
            return "FailedOperation.IdNoExistSystem"
        if person.name != name:
            return "FailedOperation.IdNameMisMatch"
        if not self.registry.has_portrait(person):
            return "FailedOperation.IdPhotoNoExist"
        template = self.template(person)
        return "FailedOperation.IdPhotoPoorQuality" if template is None else template
