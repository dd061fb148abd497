"""``waishi notify_digest``: send the daily digest e-mails now (what the periodic job
``notify.tasks.daily_digest`` does at the end of the working day). Safe to run twice: a
notice goes out in one digest only."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from waishi.notify.services import digest_send


class Command(BaseCommand):
    help = "E-mail each user who chose the daily digest the unread notices not yet sent."

    def handle(self, *args, **options):
        sent = digest_send()
        self.stdout.write(f"{sent}\n")
