"""The arrivals' fixtures (an arrival registered through the service, a second district
and its officer), for the home page's arrival items."""

from tests.arrivals.conftest import (  # noqa: F401
    arrival,
    other_district,
    other_officer,
    register,
)
