"""The fixtures of the trips' and the arrivals' tests, for the hand-over notices."""

from tests.arrivals.conftest import (  # noqa: F401
    arrival,
    officer,
    other_district,
    other_officer,
    register,
)
from tests.missions.conftest import clerk, mission, people  # noqa: F401
from tests.plans.conftest import draft, plan  # noqa: F401
