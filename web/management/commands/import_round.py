"""manage.py import_round DIR: a round from an export folder (or any folder laid out the
same way: criteria.json, registry.json, communes/, appraisal.json, survey.json)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from web.rounds import import_round


class Command(BaseCommand):
    help = "Tạo đợt đánh giá từ thư mục xuất (criteria.json, registry.json, communes/, appraisal.json, survey.json)."

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, folder, **options):
        folder = Path(folder)
        round_ = import_round(folder / "criteria.json", folder / "communes", appraisal_path=folder / "appraisal.json",
                              survey_path=folder / "survey.json", registry_path=folder / "registry.json")
        self.stdout.write(f"Đã tạo đợt đánh giá số {round_.pk}: {round_.title}.")
