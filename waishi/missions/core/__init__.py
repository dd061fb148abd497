"""The core every room of trips abroad shares: the workflow, the policy check, readiness,
the selectors, the itinerary versions and who may not decide. It imports no room."""
