"""Fixtures for tests/emulator (defined in tests/emulator/fixtures.py, shared with integration tests)."""

from tests.emulator.fixtures import client, emulator, registry  # noqa: F401
