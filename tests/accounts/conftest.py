"""Fixtures shared by the accounts tests."""

from tests.lib.hashers import fast_argon2  # noqa: F401  (autouse)
