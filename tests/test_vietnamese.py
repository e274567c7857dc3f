"""scoring.vietnamese: alphabetical order (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
tones second) and dates as official documents write them."""

import random
import unicodedata

import pytest

from scoring.vietnamese import format_date, sort_key, sorted_by_name

TU_MO_RONG = ["Măng Ri", "Văn Xuôi", "Đăk Hà", "Tu Mơ Rông", "Đăk Sao", "Đăk Rơ Ông", "Đăk Tờ Kan",
              "Tê Xăng", "Ngọc Lây", "Đăk Na", "Ngọc Yêu"]
TU_MO_RONG_SORTED = ["Đăk Hà", "Đăk Na", "Đăk Rơ Ông", "Đăk Sao", "Đăk Tờ Kan", "Măng Ri", "Ngọc Lây",
                     "Ngọc Yêu", "Tê Xăng", "Tu Mơ Rông", "Văn Xuôi"]


def test_the_eleven_communes_of_tu_mo_rong():
    assert sorted_by_name(TU_MO_RONG) == TU_MO_RONG_SORTED


def test_dak_ha_after_duc_and_before_dak_na():
    names = ["Zô", "Đăk Na", "Dục", "Đăk Hà", "Dương"]
    assert sorted_by_name(names) == ["Dục", "Dương", "Đăk Hà", "Đăk Na", "Zô"]
    # plain code-point order gets it wrong: Đ (U+0110) sorts after Z
    assert sorted(names)[-1] != "Zô"


@pytest.mark.parametrize("letters", [
    "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y",
])
def test_alphabet_order_of_single_letters(letters):
    alphabet = letters.split()
    shuffled = alphabet[:]
    random.Random(1).shuffle(shuffled)
    assert sorted_by_name(shuffled) == alphabet
    upper = [letter.upper() for letter in alphabet]
    assert sorted_by_name(list(reversed(upper))) == upper


@pytest.mark.parametrize("earlier, later", [
    ("Anh", "Ăn"), ("Ăn", "Ân"), ("Ân", "Ba"), ("Cư", "Dạ"), ("Dục", "Đa"), ("Đức", "Em"), ("Ê", "Gia"),
    ("Hồ", "Hơ"), ("Hơ", "Hu"), ("Tu", "Tư"), ("Tư", "Va"), ("Xuân", "Yên"),
    ("Oanh", "Ôn"), ("Ôn", "Ơn"), ("Ơn", "Pa"),
    ("Ngọc", "Nhà"),  # n-g before n-h letter by letter
    ("Tê Xăng", "Tu Mơ Rông"), ("Đăk Sao", "Đăk Tờ Kan"),
])
def test_pairs_in_alphabetical_order(earlier, later):
    assert sort_key(earlier) < sort_key(later)
    assert sorted_by_name([later, earlier]) == [earlier, later]


def test_tones_are_a_secondary_key():
    # the dictionary order of the tones: none, huyền, hỏi, ngã, sắc, nặng
    words = ["ma", "mà", "mả", "mã", "má", "mạ"]
    shuffled = words[:]
    random.Random(3).shuffle(shuffled)
    assert sorted_by_name(shuffled) == words
    # the tone only decides between otherwise equal letters: "mạ" < "mb" because a < b
    assert sorted_by_name(["mb", "mạ"]) == ["mạ", "mb"]
    # and a tone never beats a letter difference later on
    assert sorted_by_name(["Má Ba", "Ma Bê"]) == ["Má Ba", "Ma Bê"]


def test_letter_marks_with_tones_stay_distinct_letters():
    # ậ is â with nặng, ặ is ă with nặng, ự is ư with nặng
    assert sort_key("Ậu") > sort_key("Ău")
    assert sort_key("Ặc") > sort_key("Ac") and sort_key("Ặc") < sort_key("Âc")
    assert sorted_by_name(["Sự", "Su", "Sứ", "Sư", "Sa"]) == ["Sa", "Su", "Sư", "Sứ", "Sự"]


def test_case_and_normalisation_do_not_matter():
    assert sort_key("đăk hà")[:2] == sort_key("ĐĂK HÀ")[:2]
    composed = "Tu Mơ Rông"
    decomposed = unicodedata.normalize("NFD", composed)
    assert sort_key(composed)[:2] == sort_key(decomposed)[:2]
    assert sorted_by_name([decomposed + " B", composed + " A"]) == [composed + " A", decomposed + " B"]


def test_spaces_and_digits_sort_before_letters():
    assert sorted_by_name(["Đăk Rơ Ông", "Đăk Na", "Đăka"]) == ["Đăk Na", "Đăk Rơ Ông", "Đăka"]
    assert sorted_by_name(["Xã A", "Xã 2", "Xã 10"]) == ["Xã 10", "Xã 2", "Xã A"]


def test_foreign_letters_take_their_latin_places():
    assert sorted_by_name(["Zô", "Yên", "Wang", "Vân", "Jơ", "Fa", "Gia", "Ê"]) == ["Ê", "Fa", "Gia", "Jơ", "Vân", "Wang", "Yên", "Zô"]


def test_sorted_by_name_with_key_and_stable_ties():
    communes = [{"code": "23527", "name": "Văn Xuôi"}, {"code": "23503", "name": "Đăk Hà"}, {"code": "23524", "name": "Măng Ri"}]
    assert [c["code"] for c in sorted_by_name(communes, key=lambda c: c["name"])] == ["23503", "23524", "23527"]
    # identical names keep a deterministic order (the key ends with the text itself)
    assert sorted_by_name(["b", "B", "b"]) == sorted_by_name(["B", "b", "b"])


@pytest.mark.parametrize("iso, expected", [
    ("2023-02-05", "05/02/2023"),
    ("2024-01-31", "31/01/2024"),
    ("2023-12-09", "09/12/2023"),
    ("2023-11-20", "20/11/2023"),
])
def test_format_date(iso, expected):
    assert format_date(iso) == expected


@pytest.mark.parametrize("number, expected", [
    ("312/KH-UBND", "KH"),
    ("12/QĐ-UBND", "QĐ"),
    ("45/UBND-VP", "UBND"),
    ("123/TB-VP", "TB"),
    ("12/kh-ubnd", "KH"),
    ("05/BC-UBND", "BC"),
    ("05/2023/NQ-HĐND", "NQ"),  # legal documents carry their year (Decree 30)
    ("15/2023/QĐ-UBND", "QĐ"),
    ("7/2023/TT-BNV", "TT"),
])
def test_document_type_from_a_vietnamese_document_number(number, expected):
    from scoring.model import document_type
    assert document_type(number) == expected
