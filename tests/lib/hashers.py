"""A cheap Argon2 for tests: the same algorithm and ``argon2$`` format as production,
with tiny cost parameters, so that creating the cast of eleven accounts does not spend
seconds in the hasher (production's 100 MiB per hash is the point there, not here)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1
