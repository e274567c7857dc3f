"""The round's journeys in a real browser: the system's Chromium (headless, no sandbox, no
background networking) driven by Selenium through the system's chromedriver, against the
application served by pytest-django's live server (one server and one browser for the module).

- a commune fills an area, uploads a PDF, and the self-assessment deadline locks the form;
- the whole round for one commune: an appraiser appraises and requests an explanation, the
  commune explains (with a supplementary PDF), the appraiser appraises again, the office
  scores, approves and publishes, the public page shows the result and the council's reason;
- the explanation deadline passes while the commune has the form open: its save is refused,
  the page shows it locked and nothing is stored.

Every click that leaves a page waits for the old page to go (``_click``), so an assertion
never reads the page being left."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from web_support import OTHER, PASSWORD, PDF, shift_step

from web.models import AppraisalEntry, Commune, Evidence, LeafEntry, Step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 20  # seconds a page may take on a busy 2-core machine


@pytest.fixture(scope="module")
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
def web(browser, live_server):
    """The browser with no session, and the server's address."""
    browser.delete_all_cookies()
    yield browser, live_server.url
    browser.delete_all_cookies()


def _stale(error) -> bool:
    """Whether a WebDriver error says the element belongs to a page no longer shown:
    chromedriver says so as StaleElementReferenceException, or (Chromium 156) as an
    "unhandled inspector error" naming a node that "does not belong to the document"."""
    from selenium.common.exceptions import StaleElementReferenceException

    return isinstance(error, StaleElementReferenceException) or any(
        words in str(error) for words in ("does not belong to the document", "No node with given id"))


def _gone(element):
    """A wait condition: ``element`` is no longer in the page shown (selenium's staleness_of,
    reading either way chromedriver says it)."""
    from selenium.common.exceptions import WebDriverException

    def check(_browser):
        try:
            element.is_enabled()
        except WebDriverException as error:
            if _stale(error):
                return True
            raise
        return False
    return check


def _click(browser, element):
    """Click what submits a form or follows a link, and wait until the next page replaced it."""
    from selenium.webdriver.support.ui import WebDriverWait

    page = browser.find_element("tag name", "html")
    element.click()
    WebDriverWait(browser, WAIT).until(_gone(page))


def _by(browser, css):
    return browser.find_element("css selector", css)


def _login(browser, url, username):
    browser.delete_all_cookies()
    browser.get(url + "/dang-nhap/")
    _by(browser, "#id_username").send_keys(username)
    _by(browser, "#id_password").send_keys(PASSWORD)
    _click(browser, _by(browser, "main form button[type=submit]"))
    assert "/dang-nhap/" not in browser.current_url, browser.page_source[:2000]


def _logout(browser):
    _click(browser, _by(browser, "header form button[type=submit]"))


def _messages(browser):
    return " ".join(item.text for item in browser.find_elements("css selector", ".msg"))


def _fill_document(browser, scan, number, title, issuer):
    form = _by(browser, "#upload-form")
    form.find_element("name", "number").send_keys(number)
    browser.execute_script("arguments[0].value = '2023-12-20'", form.find_element("name", "date"))
    form.find_element("name", "title").send_keys(title)
    form.find_element("name", "issuer").send_keys(issuer)
    form.find_element("name", "file").send_keys(str(scan))
    _click(browser, _by(browser, "#upload"))


def _seed(*accounts):
    """The demo round loaded again (a transactional test empties the tables after it), with
    ``accounts``: (user name, role, commune code or None, assigned commune code or None)."""
    from django.contrib.auth import get_user_model

    from web.management.commands._paths import EXAMPLE
    from web.models import Assignment, Profile
    from web.rounds import import_round

    round_ = import_round(EXAMPLE["criteria"], EXAMPLE["submissions"], appraisal_path=EXAMPLE["appraisal"],
                         survey_path=EXAMPLE["survey"], registry_path=EXAMPLE["registry"], skip={"23533"})
    for username, role, commune, assigned in accounts:
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        Profile.objects.create(user=user, role=role, commune=round_.communes.get(code=commune) if commune else None)
        if assigned:
            Assignment.objects.create(user=user, round=round_, commune=round_.communes.get(code=assigned))
    return round_


@pytest.fixture
def seeded(django_db_setup, django_db_blocker):
    from web.models import Profile

    round_ = _seed(("commune_web", Profile.COMMUNE, "23533", None))
    return round_, round_.communes.get(code="23533")


def test_commune_fills_uploads_and_is_locked(web, seeded, tmp_path):
    browser, url = web
    round_, commune = seeded
    _login(browser, url, "commune_web")
    assert "Tê Xăng" in _by(browser, "h1").text
    browser.get(f"{url}/xa/{commune.pk}/linh-vuc/1/")
    _by(browser, "[name='s-1.1.1']").send_keys("1")
    _click(browser, _by(browser, "#save"))
    assert "Đã lưu" in _messages(browser)
    assert LeafEntry.objects.get(commune=commune, leaf="1.1.1").self_score == 1
    scan = tmp_path / "ke-hoach.pdf"
    scan.write_bytes(PDF)
    _fill_document(browser, scan, "01/KH-UBND", "Kế hoạch CCHC năm 2023", "UBND xã Tê Xăng")
    assert "Đã tải lên" in _messages(browser)
    assert Evidence.objects.filter(commune=commune, filename="ke-hoach.pdf").exists()
    # the commune has the form open, types a new score; the deadline passes before it saves
    _by(browser, "[name='s-1.1.1']").clear()
    _by(browser, "[name='s-1.1.1']").send_keys("0,5")
    shift_step(round_, Step.SELF, opens=-48, closes=-1)
    _click(browser, _by(browser, "#save"))
    assert "đã khóa" in _messages(browser)
    assert browser.find_element("id", "locked").is_displayed()
    assert not browser.find_elements("id", "save") and not browser.find_elements("id", "upload")
    assert _by(browser, "[name='s-1.1.1']").get_attribute("disabled") is not None
    assert LeafEntry.objects.get(commune=commune, leaf="1.1.1").self_score == 1   # the late save is not kept
    commune.refresh_from_db()
    assert commune.state == Commune.LOCKED
    browser.get(f"{url}/xa/{commune.pk}/")
    assert _by(browser, "#state").text == "Đã khóa (hết hạn)" and not browser.find_elements("id", "submit")


@pytest.fixture
def round_for_b(django_db_setup, django_db_blocker):
    """Đăk Hà has submitted and waits for the council: its appraisal entries are removed."""
    from web.models import Profile

    round_ = _seed(("office_web", Profile.OFFICE, None, None), ("appraiser_web", Profile.APPRAISER, None, OTHER),
                   ("commune_b_web", Profile.COMMUNE, OTHER, None))
    commune = round_.communes.get(code=OTHER)
    commune.appraisals.all().delete()
    commune.state = Commune.SUBMITTED
    commune.save()
    return round_, commune


def _appraise(browser, url, commune, leaf, stage, score, reason, *, request_explanation=False):
    browser.get(f"{url}/tham-dinh/xa/{commune.pk}/")
    assert f"lần {stage}" in _by(browser, "h1").text
    _click(browser, _by(browser, f"a[href='/tham-dinh/xa/{commune.pk}/{leaf}/lan-{stage}/']"))
    _by(browser, "[name=score]").clear()
    _by(browser, "[name=score]").send_keys(score)
    _by(browser, "[name=reason]").send_keys(reason)
    if request_explanation:
        _by(browser, "[name=explanation_requested]").click()
    _click(browser, _by(browser, "#save-appraisal"))
    assert f"Đã lưu điểm thẩm định tiêu chí {leaf}" in _messages(browser)
    _click(browser, _by(browser, "#finish"))


def test_the_round_for_one_commune(web, round_for_b, tmp_path):
    browser, url = web
    round_, b = round_for_b
    # the appraiser: the queue lists the assigned commune; the leaf page shows the evidence PDF
    _login(browser, url, "appraiser_web")
    assert "/tham-dinh/" in browser.current_url
    assert [a.text for a in browser.find_elements("css selector", "main table a")] == ["xã Đăk Hà"]
    browser.get(f"{url}/tham-dinh/xa/{b.pk}/1.2.2/lan-1/")
    assert "Điểm tự chấm" in browser.page_source
    # a score off the leaf's step is refused with the form's message, nothing stored
    _by(browser, "[name=score]").send_keys("0,3")
    _by(browser, "[name=reason]").send_keys("x")
    _click(browser, _by(browser, "#save-appraisal"))
    assert "bội số của 0,25" in _by(browser, "#error").text
    assert not AppraisalEntry.objects.filter(commune=b).exists()
    _appraise(browser, url, b, "1.2.2", 1, "0,5", "Thiếu phụ lục số liệu", request_explanation=True)
    assert "Đề nghị giải trình" in _messages(browser)
    entry = AppraisalEntry.objects.get(commune=b, leaf="1.2.2", stage=1)
    assert (entry.score, entry.explanation_requested, entry.appraiser.username) == (0.5, True, "appraiser_web")
    _logout(browser)

    # the commune: sees the request, explains with a supplementary document, sends
    _login(browser, url, "commune_b_web")
    assert _by(browser, "#state").text == "Đề nghị giải trình"
    assert "Thiếu phụ lục số liệu" in browser.page_source
    _click(browser, _by(browser, "#explain-link"))
    scan = tmp_path / "phu-luc.pdf"
    scan.write_bytes(PDF + b"% phu luc\n")
    _fill_document(browser, scan, "15/BC-UBND", "Phụ lục số liệu CCHC", "UBND xã Đăk Hà")
    assert "Đã tải lên" in _messages(browser)
    assert Evidence.objects.get(commune=b, stage=Evidence.EXPLANATION).filename == "phu-luc.pdf"
    _by(browser, "[name='a-1.2.2']").send_keys("Xã đã bổ sung phụ lục số liệu (Báo cáo 15/BC-UBND).")
    _click(browser, _by(browser, "#send-explanation"))
    assert "Đã gửi giải trình" in _messages(browser) and _by(browser, "#state").text == "Đã giải trình"
    _logout(browser)

    # the appraiser again: the second appraisal reads the explanation and the new document
    _login(browser, url, "appraiser_web")
    browser.get(f"{url}/tham-dinh/xa/{b.pk}/1.2.2/lan-2/")
    assert "Xã đã bổ sung phụ lục số liệu" in browser.page_source and "15/BC-UBND" in browser.page_source
    _appraise(browser, url, b, "1.2.2", 2, "1", "Đã bổ sung đủ phụ lục sau giải trình")
    assert "Đã thẩm định lần 2" in _messages(browser)
    _logout(browser)

    # the office: scores, approves, publishes
    _login(browser, url, "office_web")
    assert f"/dot/{round_.pk}/" in browser.current_url
    for button, said in (("#score", "Đã chấm điểm"), ("#approve", "Đã phê duyệt"), ("#publish", "Đã công bố")):
        _click(browser, _by(browser, button))
        assert said in _messages(browser), _messages(browser)
    b.refresh_from_db()
    assert b.state == Commune.PUBLISHED
    _logout(browser)

    # the public: the ranking lists the commune; its page shows the leaf and the council's reason
    browser.get(url + "/")
    _click(browser, browser.find_element("link text", "xã Đăk Hà"))
    assert "Đăk Hà" in _by(browser, "h1").text
    row = browser.find_element("xpath", "//tr[td[starts-with(normalize-space(), '1.2.2.')]]")
    cells = [cell.text for cell in row.find_elements("tag name", "td")]
    assert cells[2] == "1,00" and cells[3] == "Đã bổ sung đủ phụ lục sau giải trình", cells


def test_explanation_deadline_locks_the_open_form(web, round_for_b):
    browser, url = web
    round_, b = round_for_b
    AppraisalEntry.objects.create(commune=b, leaf="1.2.2", stage=1, score="0.5", reason="Thiếu phụ lục",
                                  date="2024-01-10", explanation_requested=True)
    b.state = Commune.EXPLANATION_REQUESTED
    b.save()
    _login(browser, url, "commune_b_web")
    browser.get(f"{url}/xa/{b.pk}/giai-trinh/")
    _by(browser, "[name='a-1.2.2']").send_keys("Giải trình gửi muộn")
    shift_step(round_, Step.EXPLANATION, opens=-48, closes=-1)
    _click(browser, _by(browser, "#send-explanation"))
    assert "Hết thời hạn giải trình" in _messages(browser)
    assert browser.find_element("id", "locked").is_displayed() and not browser.find_elements("id", "send-explanation")
    assert _by(browser, "[name='a-1.2.2']").get_attribute("disabled") is not None
    assert not LeafEntry.objects.filter(commune=b, leaf="1.2.2").exclude(answer="").exists()
    b.refresh_from_db()
    assert b.state == Commune.EXPLANATION_REQUESTED


def test_one_leaf_saved_in_place_with_htmx(web, seeded):
    """htmx (issue 18): saving one leaf replaces that leaf's block and the area's progress
    without loading the page again (a mark set on the page survives), with the CSRF header
    the page carries; a refused value keeps what was typed and stores nothing."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def until(condition):  # htmx replaces the block being read: a reference may go stale mid-read
        def tried(b):
            try:
                return condition(b)
            except WebDriverException as error:
                if _stale(error):
                    return False
                raise
        WebDriverWait(browser, WAIT).until(tried)

    browser, url = web
    _round, commune = seeded
    _login(browser, url, "commune_web")
    browser.get(f"{url}/xa/{commune.pk}/linh-vuc/1/")
    until(lambda b: b.execute_script("return !!window.htmx"))
    assert browser.execute_script("return htmx.version") == "2.0.11"
    browser.execute_script("window.notReloaded = true")
    assert _by(browser, "#area-done").text == "0"
    leaf = _by(browser, "[id='leaf-1.2.2']")
    leaf.find_element("name", "s-1.2.2").send_keys("0,3")
    leaf.find_element("css selector", "button.save-leaf").click()
    until(lambda b: "bội số của 0,25" in _by(b, "[id='leaf-1.2.2']").text)
    assert _by(browser, "[id='leaf-1.2.2'] [name='s-1.2.2']").get_attribute("value") == "0,3"
    assert not LeafEntry.objects.filter(commune=commune).exists()
    field = _by(browser, "[id='leaf-1.2.2'] [name='s-1.2.2']")
    field.clear()
    field.send_keys("0,5")
    _by(browser, "[id='leaf-1.2.2'] button.save-leaf").click()
    until(lambda b: "Đã lưu tiêu chí 1.2.2." in _by(b, "[id='leaf-1.2.2']").text)
    until(lambda b: _by(b, "#area-done").text == "1")
    assert browser.execute_script("return window.notReloaded === true")     # the page was not loaded again
    assert "bội số" not in _by(browser, "[id='leaf-1.2.2']").text
    assert LeafEntry.objects.get(commune=commune, leaf="1.2.2").self_score == Decimal("0.5")
    assert not _messages(browser)                                            # no page message: the row says it
    # the non-JS form on the same page still saves the whole area
    _by(browser, "[name='s-1.1.1']").send_keys("1")
    _click(browser, _by(browser, "#save"))
    assert "Đã lưu" in _messages(browser)
    assert LeafEntry.objects.get(commune=commune, leaf="1.1.1").self_score == 1
    assert _by(browser, "#area-done").text == "2"


def _form_file(code: str, tmp_path, broken: bool = False):
    """The engine's self-assessment form of commune ``code`` filled from its bundled submission
    (test_web_excel_form's), written to a file the browser can pick; ``broken``: two
    self-scores wrong (one above the maximum, one not a number). → (path, broken rows)."""
    import io

    import openpyxl
    from test_web_excel_form import SHEET, _filled_form, _row_of

    data, rows = _filled_form(code), []
    if broken:
        book = openpyxl.load_workbook(io.BytesIO(data))
        sheet = book[SHEET]
        rows = [_row_of(sheet, "1.1.1"), _row_of(sheet, "1.2.2")]
        sheet.cell(rows[0], 13).value = 9             # column M, the self-score: above the maximum
        sheet.cell(rows[1], 13).value = "không biết"  # not a number
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    path = tmp_path / ("co-loi.xlsx" if broken else "phieu-te-xang.xlsx")
    path.write_bytes(data)
    return path, rows


def test_commune_uploads_its_excel_form(web, seeded, tmp_path):
    """The self-assessment Excel form through the page, as a commune uploads it: a form with
    errors shows each at its cell and changes nothing; the same form filled right fills the
    draft and the page says how much it took."""
    import json

    from web.management.commands._paths import EXAMPLE

    browser, url = web
    round_, commune = seeded
    _login(browser, url, "commune_web")
    browser.get(f"{url}/xa/{commune.pk}/phieu-excel/")
    assert _by(browser, "#form-download").text.startswith("Tải phiếu")

    broken, rows = _form_file(commune.code, tmp_path, broken=True)
    _by(browser, "#excel-upload input[type=file]").send_keys(str(broken))
    _click(browser, _by(browser, "#form-upload"))
    problems = _by(browser, "#form-problems").text
    for row in rows:
        assert f"co-loi.xlsx!Tự đánh giá!M{row}" in problems, problems
    assert "chưa ghi gì vào hồ sơ" in problems
    assert not LeafEntry.objects.filter(commune=commune).exists()

    good, _ = _form_file(commune.code, tmp_path)
    _by(browser, "#excel-upload input[type=file]").send_keys(str(good))
    _click(browser, _by(browser, "#form-upload"))
    assert "Đã nhập phiếu phieu-te-xang.xlsx" in _messages(browser), browser.page_source[:3000]
    submission = json.loads(next(EXAMPLE["submissions"].glob(f"{commune.code}-*.json")).read_text(encoding="utf-8"))
    stored = {entry.leaf: entry for entry in LeafEntry.objects.filter(commune=commune)}
    assert set(stored) == set(submission["leaves"])
    for code, leaf in submission["leaves"].items():
        expected = leaf.get("self_score")
        assert stored[code].self_score == (None if expected is None else Decimal(str(expected))), code
    # the change is in the history, under the file's name
    browser.get(f"{url}/xa/{commune.pk}/lich-su/")
    assert "Nhập phiếu Excel phieu-te-xang.xlsx" in _by(browser, "main").text


def test_office_creates_an_account_that_signs_in(web, seeded):
    """The accounts page as the office uses it: an appraiser's account is created, its password
    shown once; it signs in with it; reset, the old password no longer works, and locked, the
    account cannot sign in at all."""
    from django.contrib.auth import get_user_model

    from web.models import Profile

    browser, url = web
    get_user_model().objects.create_user(username="office_web", password=PASSWORD, is_staff=False)
    Profile.objects.create(user=get_user_model().objects.get(username="office_web"), role=Profile.OFFICE)
    _login(browser, url, "office_web")
    browser.get(url + "/tai-khoan/")
    form = _by(browser, "#account-form")
    form.find_element("name", "username").send_keys("to_tham_dinh_2")
    form.find_element("name", "full_name").send_keys("Tổ thẩm định số 2")
    from selenium.webdriver.support.ui import Select

    Select(form.find_element("name", "role")).select_by_value(Profile.APPRAISER)
    _click(browser, _by(browser, "#create-account"))
    assert _by(browser, "#shown-user").text == "to_tham_dinh_2"
    first = _by(browser, "#shown-password").text
    assert len(first) >= 12
    browser.refresh()  # shown once: a new answer of the page does not show it again
    assert not browser.find_elements("css selector", "#shown-password")

    def signs_in(password) -> bool:
        browser.delete_all_cookies()
        browser.get(url + "/dang-nhap/")
        _by(browser, "#id_username").send_keys("to_tham_dinh_2")
        _by(browser, "#id_password").send_keys(password)
        _click(browser, _by(browser, "main form button[type=submit]"))
        return "/dang-nhap/" not in browser.current_url

    assert signs_in(first)
    assert browser.current_url == url + "/tham-dinh/"  # an appraiser lands on the council's queue
    assert "Tổ thẩm định số 2" in _by(browser, "header").text

    def act_on_the_row(label):
        _login(browser, url, "office_web")
        browser.get(url + "/tai-khoan/")
        row = next(r for r in browser.find_elements("css selector", "table tr") if "to_tham_dinh_2" in r.text)
        _click(browser, next(b for b in row.find_elements("css selector", "button") if b.text == label))

    act_on_the_row("Đặt lại mật khẩu")
    second = _by(browser, "#shown-password").text
    assert second != first
    assert not signs_in(first) and signs_in(second)
    act_on_the_row("Khóa")
    assert "Đã khóa tài khoản to_tham_dinh_2" in _messages(browser)
    assert not signs_in(second)
