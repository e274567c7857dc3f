"""manage.py load_demo: a demo round from the bundled example (Tu Mơ Rông 2023) with one
account per role, the passwords printed once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from web.models import Assignment, Profile, Round
from web.rounds import import_round

from ._paths import EXAMPLE


class Command(BaseCommand):
    help = "Tạo đợt đánh giá mẫu từ bộ dữ liệu kèm theo (Tu Mơ Rông 2023) và một tài khoản cho mỗi vai trò."

    def add_arguments(self, parser):
        parser.add_argument("--blank", default="23533",
                            help="Mã xã để trống (chưa bắt đầu), để đi hết một vòng đánh giá trên trình duyệt.")
        parser.add_argument("--password", default=None, help="Mật khẩu chung (mặc định: ngẫu nhiên, in ra một lần).")

    def handle(self, *args, blank, password, **options):
        if Round.objects.exists():
            self.stdout.write("Đã có đợt đánh giá: không tạo lại dữ liệu mẫu.")
            return
        round_ = import_round(EXAMPLE["criteria"], EXAMPLE["submissions"], appraisal_path=EXAMPLE["appraisal"],
                              survey_path=EXAMPLE["survey"], registry_path=EXAMPLE["registry"], skip={blank})
        User = get_user_model()
        commune = round_.communes.get(code=blank)
        accounts = [("vanphong", "Phòng Nội vụ", Profile.OFFICE, None),
                    ("thamdinh", "Thành viên Hội đồng", Profile.APPRAISER, None),
                    (f"xa{blank}", f"UBND {commune}", Profile.COMMUNE, commune)]
        self.stdout.write(f"Đợt đánh giá: {round_.title}. Tài khoản (mật khẩu chỉ in lần này):")
        for username, name, role, unit in accounts:
            secret = password or secrets.token_urlsafe(9)
            user = User.objects.create_user(username=username, password=secret, first_name=name)
            Profile.objects.create(user=user, role=role, commune=unit)
            if role == Profile.APPRAISER:
                Assignment.objects.create(user=user, round=round_)
            self.stdout.write(f"  {dict(Profile.ROLES)[role]}: {username} / {secret}")
        self.stdout.write("  Công chúng: không cần đăng nhập (trang Kết quả công bố).")
