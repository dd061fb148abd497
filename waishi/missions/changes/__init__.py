"""Change requests (变更申请) of an approved trip: their workflow, services, pages and the
approvals subject they register; each approved change is a new itinerary version."""
