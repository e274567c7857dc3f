"""manage.py lock_deadlines: lock every step whose deadline passed (for a scheduler, e.g.
every few minutes; every request also does it)."""

from django.core.management.base import BaseCommand

from web.rounds import lock_expired


class Command(BaseCommand):
    help = "Khóa các bước đã hết hạn (chạy định kỳ)."

    def handle(self, *args, **options):
        self.stdout.write(f"Đã khóa {lock_expired()} bước hết hạn.")
