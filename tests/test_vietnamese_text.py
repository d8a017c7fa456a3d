"""Vietnamese alphabetical order, search folding and the one tone-mark spelling (core.text),
and the listings that follow them: exports, the terminal table, the form's unit list."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from scorer.core.text import collation_key, tone_marks_on_first_vowel
from scorer.reading.paths import DataRoot
from scorer.reading.registry import load_registry

REPO = Path(__file__).resolve().parent.parent

# The district-level units of Phú Thọ in Vietnamese alphabetical order. Code-point order would
# put Đoan Hùng last and Thanh Thủy before Tân Sơn.
HUYEN_IN_ORDER = [
    "Huyện Cẩm Khê", "Huyện Đoan Hùng", "Huyện Hạ Hòa", "Huyện Lâm Thao", "Huyện Phù Ninh",
    "Huyện Tam Nông", "Huyện Tân Sơn", "Huyện Thanh Ba", "Huyện Thanh Sơn", "Huyện Thanh Thủy",
    "Huyện Yên Lập", "Thành phố Việt Trì", "Thị xã Phú Thọ",
]


def test_collation_follows_the_vietnamese_alphabet():
    # ă and â are letters after a, đ after d; tones only break ties between equal letters.
    words = ["Đông", "Dân", "Ân", "Ăn", "Án", "An", "Xê", "Dun"]
    assert sorted(words, key=collation_key) == ["An", "Án", "Ăn", "Ân", "Dân", "Dun", "Đông", "Xê"]
    tones = ["Bạ", "Bá", "Bã", "Bả", "Bà", "Ba"]  # dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng
    assert sorted(tones, key=collation_key) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    # Letters first, over the whole name: "Cả" is shortest; "Ca Đình" and "Cà Mau" differ at
    # đ < m, so the tone of "Cà" does not count.
    assert sorted(["Cà Mau", "Ca Đình", "Cả"], key=collation_key) == ["Cả", "Ca Đình", "Cà Mau"]


def test_real_names_sort_in_vietnamese_order_not_by_code_point():
    names = ["Xã Thanh Thủy", "Xã Tân Sơn", "Xã Đoan Hùng", "Xã Ấm Hạ", "Xã Yên Lập"]
    assert sorted(names, key=collation_key) == ["Xã Ấm Hạ", "Xã Đoan Hùng", "Xã Tân Sơn", "Xã Thanh Thủy", "Xã Yên Lập"]
    assert sorted(names) != sorted(names, key=collation_key)  # what the issue found
    huyen = [u.name for u in load_registry(DataRoot(REPO)).in_tier("huyen")]
    assert sorted(huyen, key=collation_key) == HUYEN_IN_ORDER


def test_composed_and_decomposed_names_sort_alike():
    for name in HUYEN_IN_ORDER:
        assert collation_key(unicodedata.normalize("NFD", name)) == collation_key(name)


@pytest.mark.parametrize(("written", "spelled"), [
    ("Huyện Hạ Hoà", "Huyện Hạ Hòa"),
    ("Huyện Thanh Thuỷ", "Huyện Thanh Thủy"),
    ("Thị trấn Hưng Hoá", "Thị trấn Hưng Hóa"),
    ("Xã Thuỵ Vân", "Xã Thụy Vân"),
    ("sức khoẻ", "sức khỏe"),
    ("HOÀ BÌNH", "HÒA BÌNH"),
    (unicodedata.normalize("NFD", "Thanh Thuỷ"), "Thanh Thủy"),
    # One spelling only: closed syllables, qu- and uyê are left alone.
    ("Xã Hoàng Xá", "Xã Hoàng Xá"),
    ("Xã Thạch Khoán", "Xã Thạch Khoán"),
    ("Huỳnh", "Huỳnh"),
    ("Quý, quỳ, quà", "Quý, quỳ, quà"),
    ("thuyền", "thuyền"),
    ("Hoài", "Hoài"),
])
def test_tone_marks_go_on_the_first_vowel_of_open_oa_oe_uy(written, spelled):
    assert tone_marks_on_first_vowel(written) == spelled


def test_every_registry_name_follows_the_tone_mark_rule():
    """units/*.yaml as committed (what `cqdt units generate` writes) hold one spelling."""
    yaml = YAML(typ="safe")
    names = []
    for tier in ("so", "huyen", "xa"):
        names += [u["name"] for u in yaml.load((REPO / "units" / f"{tier}.yaml").read_text(encoding="utf-8"))["units"]]
    assert len(names) > 200
    wrong = [n for n in names if tone_marks_on_first_vowel(n) != n or unicodedata.normalize("NFC", n) != n]
    assert wrong == []
    assert "Huyện Thanh Thủy" in names and "Thị trấn Thanh Thủy" in names


def test_generated_registry_follows_the_tone_mark_rule():
    """The source package mixes Hạ Hoà and Thanh Thủy; the generator writes one spelling."""
    source = pytest.importorskip("scorer.generators.registry")
    built = source.build_registry()
    names = [u["name"] for tier in source.TIERS for u in built[tier]]
    assert "Huyện Hạ Hòa" in names and "Huyện Hạ Hoà" not in names
    assert all(tone_marks_on_first_vowel(n) == n for n in names)


def _without_huyen_submissions(root: Path, year: int) -> None:
    for path in (root / "submissions" / str(year) / "huyen").glob("*.yaml"):
        path.unlink()


def test_unsubmitted_units_are_listed_in_vietnamese_order(data_copy, cqdt):
    """Every district unsubmitted: CSV, XLSX and the terminal table list them A to Y."""
    from openpyxl import load_workbook

    year = 2024
    _without_huyen_submissions(data_copy, year)
    result = cqdt("--data", data_copy, "score", "--year", year, "--format", "csv", "--tier", "huyen")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["unit_name"] for r in rows] == HUYEN_IN_ORDER
    assert {r["status"] for r in rows} == {"not_submitted"}

    table = cqdt("--data", data_copy, "score", "--year", year, "--tier", "huyen").output
    positions = [table.index(name) for name in HUYEN_IN_ORDER]
    assert positions == sorted(positions)

    from scorer.export.xlsx import to_xlsx
    from scorer.shell.scoring import evaluate

    book = load_workbook(io.BytesIO(to_xlsx(evaluate(DataRoot(data_copy), year), ("huyen",))), read_only=True)
    sheet = book.worksheets[0]
    assert [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)] == HUYEN_IN_ORDER


def test_ties_share_a_rank_and_are_listed_by_name():
    from scorer.core.model import TIERS
    from scorer.export.results import listing_key

    keys = [("xa", 3, "Xã Thanh Thủy", "b"), ("xa", 3, "Xã Đoan Hùng", "a"), ("xa", 3, "Xã Ấm Hạ", "c"),
            ("xa", None, "Xã Tân Sơn", "d"), ("xa", 1, "Xã Yên Lập", "e"), ("huyen", None, "Huyện Đoan Hùng", "f")]
    ordered = sorted(keys, key=lambda k: listing_key(*k))
    assert [k[2] for k in ordered] == ["Huyện Đoan Hùng", "Xã Yên Lập", "Xã Ấm Hạ", "Xã Đoan Hùng",
                                       "Xã Thanh Thủy", "Xã Tân Sơn"]
    assert TIERS.index("huyen") < TIERS.index("xa")


def test_form_unit_list_is_in_vietnamese_order():
    from scorer.forms.web import form_units

    units = form_units(load_registry(DataRoot(REPO)))
    assert [u["name"] for u in units if u["tier"] == "huyen"] == HUYEN_IN_ORDER
    for tier in ("so", "xa"):
        names = [u["name"] for u in units if u["tier"] == tier]
        assert names == sorted(names, key=collation_key)
