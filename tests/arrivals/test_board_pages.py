"""The board's pages read without sorting every arrival (``selectors.OverdueFirst``):
the same rows in the same order as ``arrival_list``, page by page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waishi.arrivals import selectors


def test_pages_follow_the_order_of_the_full_list(arrival, command):
    today = timezone.localdate()
    made = [
        arrival(
            name=f"人{i}",
            arrival_date=today + dt.timedelta(days=(-2, -1, 3, 4)[i % 4]),
            arrival_time=None,
        )
        for i in range(9)
    ]
    # A day later: the steps of the arrivals past are overdue, not those to come.
    later = timezone.now() + dt.timedelta(days=1, hours=1)
    full = [a.pk for a in selectors.arrival_list(command, now=later)]
    assert sorted(full) == sorted(a.pk for a in made)
    board = selectors.board_rows(command, now=later)
    assert len(board) == len(full)
    late = board.first.count()
    assert 0 < late < len(full)  # the pages below cross from one part to the other
    for size in (1, 2, 4, 25):
        pages = [board[i : i + size] for i in range(0, len(full), size)]
        assert [a.pk for page in pages for a in page] == full
    assert board[late].pk == full[late]
    assert all(row.has_overdue for row in board[:late])
    assert not any(row.has_overdue for row in board[late:])


def test_the_board_page_lists_every_arrival_once(arrival, as_user):
    names = [f"旅客{i}" for i in range(30)]
    for name in names:
        arrival(name=name)
    first = as_user("city_command").get("/arrivals/").content.decode()
    second = as_user("city_command").get("/arrivals/?page=2").content.decode()
    assert sum(name in first + second for name in names) == 30
