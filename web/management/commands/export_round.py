"""manage.py export_round ROUND_ID DIR: the round in the project's file formats (criteria,
registry, submissions with evidence, appraisal, survey); ``cli.py score`` reads it as it is.
Also the round's backup (``manage.py import_round DIR``)."""

from django.core.management.base import BaseCommand, CommandError

from web.engine import export_round
from web.models import Round


class Command(BaseCommand):
    help = "Xuất đợt đánh giá ra các tệp của dự án (cli.py score đọc được)."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument("folder")
        parser.add_argument("--include-drafts", action="store_true", help="Xuất cả hồ sơ đang nhập (bản sao lưu).")

    def handle(self, *args, round_id, folder, include_drafts, **options):
        round_ = Round.objects.filter(pk=round_id).first()
        if round_ is None:
            raise CommandError(f"Không có đợt đánh giá số {round_id}.")
        try:
            export_round(round_, folder, include_drafts=include_drafts)
        except FileExistsError as error:
            raise CommandError(str(error))
        self.stdout.write(f"Đã xuất vào {folder}. Chấm điểm: python cli.py score --criteria {folder}/criteria.json "
                          f"--submissions {folder}/communes")
