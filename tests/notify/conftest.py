"""Fixtures shared by the notify tests."""

from tests.lib.hashers import fast_argon2  # noqa: F401  (autouse)
