"""The commune's journey in a real browser: the system's Chromium (headless, no sandbox,
no background networking) driven by Selenium through the system's chromedriver, against
the application served by pytest-django's live server. Log in, fill an area, upload a
PDF, see the deadline lock the form."""

from __future__ import annotations

import shutil

import pytest
from web_support import PASSWORD, PDF, shift_step

from web.models import Evidence, LeafEntry, Step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.fail("chromium and chromedriver are needed: make web-system-packages")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-background-networking", "--disable-extensions", "--no-first-run",
                 "--disable-sync", "--disable-default-apps", "--window-size=1200,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def seeded(django_db_setup, django_db_blocker):
    """A transactional test empties the tables after it: the demo round is loaded again."""
    from django.contrib.auth import get_user_model

    from web.management.commands._paths import EXAMPLE
    from web.models import Profile
    from web.rounds import import_round

    round_ = import_round(EXAMPLE["criteria"], EXAMPLE["submissions"], appraisal_path=EXAMPLE["appraisal"],
                         survey_path=EXAMPLE["survey"], registry_path=EXAMPLE["registry"], skip={"23533"})
    user = get_user_model().objects.create_user(username="commune_web", password=PASSWORD)
    commune = round_.communes.get(code="23533")
    Profile.objects.create(user=user, role=Profile.COMMUNE, commune=commune)
    return round_, commune


def test_commune_fills_uploads_and_is_locked(live_server, browser, seeded, tmp_path):
    from selenium.webdriver.common.by import By

    round_, commune = seeded
    browser.get(live_server.url + "/dang-nhap/")
    browser.find_element(By.ID, "id_username").send_keys("commune_web")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    assert "Tê Xăng" in browser.find_element(By.TAG_NAME, "h1").text
    browser.get(f"{live_server.url}/xa/{commune.pk}/linh-vuc/1/")
    field = browser.find_element(By.NAME, "s-1.1.1")
    field.send_keys("1")
    browser.find_element(By.ID, "save").click()
    assert "Đã lưu" in browser.page_source
    assert LeafEntry.objects.get(commune=commune, leaf="1.1.1").self_score == 1
    scan = tmp_path / "ke-hoach.pdf"
    scan.write_bytes(PDF)
    form = browser.find_element(By.ID, "upload-form")
    form.find_element(By.NAME, "number").send_keys("01/KH-UBND")
    browser.execute_script("arguments[0].value = '2023-01-05'", form.find_element(By.NAME, "date"))
    form.find_element(By.NAME, "title").send_keys("Kế hoạch CCHC năm 2023")
    form.find_element(By.NAME, "issuer").send_keys("UBND xã Tê Xăng")
    form.find_element(By.NAME, "file").send_keys(str(scan))
    browser.find_element(By.ID, "upload").click()
    assert "Đã tải lên" in browser.page_source
    assert Evidence.objects.filter(commune=commune, filename="ke-hoach.pdf").exists()
    # the deadline passes: the next page shows the form locked and offers no save
    shift_step(round_, Step.SELF, opens=-48, closes=-1)
    browser.get(f"{live_server.url}/xa/{commune.pk}/linh-vuc/1/")
    assert browser.find_element(By.ID, "locked").is_displayed()
    assert not browser.find_elements(By.ID, "save")
    assert browser.find_element(By.NAME, "s-1.1.1").get_attribute("disabled") is not None
