"""Hostile submissions and empty cases: what a submitter wrote stays inert text, and a unit,
tier or year without data gets a page that says so."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import copy_data
from ruamel.yaml import YAML
from site_fixtures import build

from scorer.reading.paths import DataRoot

NOTE = 'Xem <script>alert("ghi chú")</script> và javascript:alert(1) <img src=x onerror=alert(2)>'
EVIDENCE = 'https://example.org/a"><script>alert(3)</script>'


def latest_year(data: Path) -> int:
    return DataRoot(data).years()[-1]


def rewrite(path: Path, change) -> None:
    yaml = YAML()
    doc = yaml.load(path.read_text(encoding="utf-8"))
    change(doc)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(doc, handle)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, str, int]:
    """A data root whose first commune wrote markup in a note and an evidence link."""
    base = tmp_path_factory.mktemp("hostile")
    data = copy_data(base / "data")
    year = latest_year(data)
    submission = sorted((data / "submissions" / str(year) / "xa").glob("*[!w].yaml"))[0]

    def poison(doc):
        first = next(iter(doc["answers"].values()))
        first["note"] = NOTE
        first["evidence"] = [EVIDENCE, *list(first.get("evidence") or [])]

    rewrite(submission, poison)
    output = build(data, base / "output", "--year", str(year))
    return output, submission.stem, year


def test_markup_in_notes_and_evidence_reaches_the_page_as_text(hostile):
    output, unit_id, year = hostile
    page = (output / str(year) / "don-vi" / unit_id / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;ghi chú&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<script>alert" not in page and "<img" not in page
    assert not re.search(r'href="\s*javascript:', page, re.I)
    # The URL is a link, with its quote escaped so it cannot close the attribute.
    assert 'href="https://example.org/a&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;" rel="nofollow noopener"' in page
    # Unit pages load the site's one shared script, nothing else, and nothing inline.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="../../../theme/js/site.js" defer>']


def test_a_year_without_submissions_and_a_tier_without_units(tmp_path):
    data = copy_data(tmp_path / "data")
    year = latest_year(data)
    empty = year + 1
    target = data / "submissions" / str(empty)
    target.mkdir()
    (target / "cycle.yaml").write_text(
        f"year: {empty}\ncriteria: qd-1609-2018\ndemo: true\n"
        f"deadlines: {{xa: {empty}-10-15, huyen: {empty}-10-31, so: {empty}-10-31}}\n"
        "verification_working_days: 60\nstate: open\n", encoding="utf-8")
    (data / "units" / "so.yaml").write_text("tier: so\nunits: []\n", encoding="utf-8")
    for folder in (data / "submissions").glob("*/so"):
        shutil.rmtree(folder)
    output = build(data, tmp_path / "output", "--year", str(empty))
    ranking = (output / str(empty) / "xep-hang" / "xa" / "index.html").read_text(encoding="utf-8")
    assert f"Năm {empty} chưa có đơn vị cấp xã nào nộp phiếu" in ranking
    no_units = (output / str(empty) / "xep-hang" / "so" / "index.html").read_text(encoding="utf-8")
    assert "Cấp này chưa có đơn vị nào trong danh sách" in no_units
    assert "<table class=\"ranking\"" not in no_units
    unit_page = next((output / str(empty) / "don-vi").iterdir()) / "index.html"
    assert "chưa nộp phiếu tự đánh giá" in unit_page.read_text(encoding="utf-8")
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "Chưa có đơn vị nào nộp phiếu." in home
    assert "Đang diễn ra" in home


def test_no_year_at_all_still_builds_a_home_and_the_criteria(tmp_path):
    data = copy_data(tmp_path / "data", years=())
    output = build(data, tmp_path / "output")
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "Chưa có năm đánh giá nào" in home
    assert (output / "tieu-chi" / "qd-1609-2018" / "index.html").is_file()
    assert (output / "404.html").is_file()
