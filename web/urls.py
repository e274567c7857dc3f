"""Every URL of the application (tests/web/test_access.py tries each with every role)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from . import accounts, excel_form, live, views

urlpatterns = [
    path("", views.public, name="public"),
    path("cong-bo/xa/<int:pk>/", views.public_commune, name="public_commune"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("trang-chu/", views.home, name="home"),
    # commune
    path("xa/<int:pk>/", views.commune_page, name="commune"),
    path("xa/<int:pk>/linh-vuc/<str:area>/", views.area_page, name="area"),
    path("xa/<int:pk>/tai-lieu/", views.upload_evidence, name="upload"),
    path("xa/<int:pk>/nop/", views.submit, name="submit"),
    path("xa/<int:pk>/giai-trinh/", views.explain, name="explain"),
    path("xa/<int:pk>/lich-su/", views.history, name="history"),
    path("xa/<int:pk>/phieu-excel/", excel_form.form_page, name="excel_form"),
    path("xa/<int:pk>/tieu-chi/<str:leaf>/luu/", live.save_leaf, name="save_leaf"),
    path("tinh/<str:name>", live.vendored, name="vendored"),
    path("xa/<int:pk>/phieu-excel/tai-ve/", excel_form.form_download, name="excel_form_download"),
    path("tai-lieu/<int:pk>/", views.evidence_file, name="evidence"),
    path("tai-lieu/<int:pk>/xoa/", views.delete_evidence, name="delete_evidence"),
    # council
    path("tham-dinh/", views.queue, name="queue"),
    path("tham-dinh/xa/<int:pk>/", views.appraise_commune, name="appraise_commune"),
    path("tham-dinh/xa/<int:pk>/<str:leaf>/lan-<int:stage>/", views.appraise_leaf, name="appraise_leaf"),
    path("tham-dinh/xa/<int:pk>/ket-thuc-lan-<int:stage>/", views.appraisal_done, name="appraisal_done"),
    # office
    path("dot/<int:pk>/", views.board, name="board"),
    path("dot/<int:pk>/thoi-han/", views.set_steps, name="set_steps"),
    path("dot/<int:pk>/cham-diem/", views.score, name="score"),
    path("dot/<int:pk>/tai-ve/<str:name>/", views.download, name="download"),
    path("dot/<int:pk>/phe-duyet/", views.approve, name="approve"),
    path("dot/<int:pk>/cong-bo/", views.publish, name="publish"),
    path("xa/<int:pk>/mo-lai/", views.reopen, name="reopen"),
    path("dot/moi/", views.new_round, name="new_round"),
    path("dot/<int:pk>/phan-cong/", views.assignments, name="assignments"),
    path("tai-khoan/", accounts.accounts, name="accounts"),
    path("quan-tri/login/", views.admin_login, name="admin_login"),  # before the admin: its sign-in is ours
    path("quan-tri/", admin.site.urls),
]
