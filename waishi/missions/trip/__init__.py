"""The trip itself, from approval to closing: the pre-departure checklist (the head of
delegation, education, the temporary Party branch), departure, return, incidents and
closing."""
