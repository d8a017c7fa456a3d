"""Rebuilds make only the pages and files whose inputs changed, and still give exactly the
site a fresh build gives."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from regen_golden import DATA, fixed_environment
from site_fixtures import build, record_calls
from test_site_golden import compare_trees

from scorer.core.model import CriterionResult, Unit, UnitResult
from scorer.export import results as export
from scorer.reading.paths import DataRoot
from scorer.shell import parallel
from scorer.shell.memo import cache_dir
from scorer.shell.scoring import evaluate
from scorer.site import pages

REPO = Path(__file__).resolve().parent.parent
YEAR = 2024
CHANGED = "xa-chi-dam"  # a commune: its tier's pages may move, a sở's page may not
UNTOUCHED = "so-tttt"


def stamps(output: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every unit, history and district page: both change when a page is written."""
    return _stamps(output, ("*/don-vi/*/index.html", "don-vi/*/index.html", "*/huyen/*/index.html"))


def _stamps(output: Path, patterns: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    found = {}
    for pattern in patterns:
        for page in output.glob(pattern):
            stat = page.stat()
            found[page.relative_to(output).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return found


def lower_first_ratio(path: Path) -> None:
    """Lower the first non-zero numerator of a submission by one."""
    text = path.read_text(encoding="utf-8")
    match = next(m for m in re.finditer(r"value: \{numerator: (\d+), denominator: (\d+)\}", text)
                 if int(m[1]) > 0)
    path.write_text(text[:match.start(1)] + str(int(match[1]) - 1) + text[match.end(1):], encoding="utf-8")


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """Paths of the data pages rendered (their values worked out) in this process from now on."""
    names: list[str] = []
    listed = pages.Site.pages

    def spy(site):
        def noting(page):
            def values():
                names.append(page.path)
                return page.values()
            return page._replace(values=values)
        return [noting(page) for page in listed(site)]

    monkeypatch.setattr(pages.Site, "pages", spy)
    return names


@pytest.fixture
def encoded(monkeypatch) -> list[str]:
    """Ids of the units whose JSON entry was encoded (not read from the memo) from now on."""
    return record_calls(monkeypatch, export, "unit_to_dict", lambda result, _criteria_set: result.unit.id)


@pytest.fixture
def workbooks(monkeypatch) -> list[tuple[str, ...]]:
    """The tiers of each XLSX workbook made from now on."""
    return record_calls(monkeypatch, pages, "to_xlsx", lambda _results, tiers: tiers)


@pytest.fixture
def data(tmp_path: Path):
    """A copy of the golden data root, built with fixed settings and a cache of its own."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    with fixed_environment():
        yield target


def test_unchanged_inputs_leave_every_page_alone(data, tmp_path, rendered, encoded, workbooks):
    output = build(data, tmp_path / "site")
    before = stamps(output)
    files_before = _stamps(output, ("du-lieu/*/*", "*.html", "*.xml", "nop-phieu/*"))
    assert f"{YEAR}/don-vi/{CHANGED}/index.html" in before and f"don-vi/{UNTOUCHED}/index.html" in before
    assert set(rendered) >= set(before)
    assert CHANGED in encoded and ("xa",) in workbooks
    rendered.clear()
    encoded.clear()
    workbooks.clear()
    build(data, output)
    assert rendered == [] and encoded == [] and workbooks == []
    assert stamps(output) == before
    assert _stamps(output, ("du-lieu/*/*", "*.html", "*.xml", "nop-phieu/*")) == files_before


# One process; or two, each making half of what is stale (even for these few pages).
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_changed_submission_remakes_its_pages_only_and_matches_a_fresh_build(data, tmp_path, rendered, encoded,
                                                                               workbooks, jobs, monkeypatch):
    os.environ["CQDT_JOBS"] = str(jobs)  # fixed_environment puts the previous value back
    monkeypatch.setattr(parallel, "MEMORY_BUDGET_MB", 10**9)
    output = build(data, tmp_path / "site")
    before = stamps(output)
    page = output / f"{YEAR}/don-vi/{CHANGED}/index.html"
    old = page.read_bytes()
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    rendered.clear()
    encoded.clear()
    workbooks.clear()
    files_before = _stamps(output, ("du-lieu/*/*",))
    build(data, output)
    after = stamps(output)
    files_after = _stamps(output, ("du-lieu/*/*",))
    assert sorted(name for name in files_after if files_after[name] != files_before[name]) == [
        f"du-lieu/{YEAR}/ket-qua-xa.{ext}" for ext in ("csv", "json", "xlsx")]
    if jobs == 1:  # forked processes make half of what is stale, out of the spies' sight
        assert workbooks == [("xa",)]  # the changed commune's tier, in the changed year
        assert {f"{YEAR}/don-vi/{CHANGED}/index.html", f"don-vi/{CHANGED}/index.html"} <= set(rendered)
        assert CHANGED in encoded and UNTOUCHED not in encoded
    assert [name for name in rendered if UNTOUCHED in name] == []
    assert after[f"{YEAR}/don-vi/{CHANGED}/index.html"] != before[f"{YEAR}/don-vi/{CHANGED}/index.html"]
    assert page.read_bytes() != old
    untouched = [f"{YEAR}/don-vi/{UNTOUCHED}/index.html", f"{YEAR - 1}/don-vi/{UNTOUCHED}/index.html",
                 f"don-vi/{UNTOUCHED}/index.html"]
    assert [after[name] == before[name] for name in untouched] == [True] * len(untouched)
    fresh = build(data, tmp_path / "fresh")
    assert compare_trees(fresh, output) == ([], [], [])


def test_a_rebuild_renders_only_the_unit_pages_whose_results_changed(data, tmp_path, rendered):
    output = build(data, tmp_path / "site")
    rendered.clear()
    before = {r.unit.id: (r.digest, r.rank) for r in evaluate(DataRoot(data), YEAR).units}
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    build(data, output)
    after = {r.unit.id: (r.digest, r.rank) for r in evaluate(DataRoot(data), YEAR).units}
    moved = {u for u in after if after[u] != before[u]}
    assert CHANGED in moved and UNTOUCHED not in moved
    # Each moved unit's pages of every year (each shows its history) and its history page; no other.
    expected = [name for u in moved for name in (pages.unit_page(YEAR - 1, u), pages.unit_page(YEAR, u),
                                                 pages.history_page(u)) if (output / name).is_file()]
    shown = [name for name in rendered if "/don-vi/" in name or name.startswith("don-vi/")]
    assert len(expected) >= 3 and sorted(shown) == sorted(expected)


def test_a_district_renamed_rewrites_its_communes_pages(data, tmp_path):
    output = build(data, tmp_path / "site")
    units = data / "units" / "huyen.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("Huyện Đoan Hùng", "Huyện Đoan Hùng Mới"), encoding="utf-8")
    build(data, output)
    page = (output / pages.unit_page(YEAR, CHANGED)).read_text(encoding="utf-8")
    assert "Huyện Đoan Hùng Mới" in page
    assert compare_trees(build(data, tmp_path / "fresh"), output) == ([], [], [])


def test_a_new_receipt_rewrites_its_units_page_only(data, tmp_path, rendered):
    """A unit page shows when its counted version was received: its key covers the receipt."""
    output = build(data, tmp_path / "site")
    page = output / pages.unit_page(YEAR, CHANGED)
    assert "Chưa có biên nhận" in page.read_text(encoding="utf-8")
    rendered.clear()
    path = f"submissions/{YEAR}/xa/{CHANGED}.yaml"
    receipt = {"path": path, "sha256": hashlib.sha256((data / path).read_bytes()).hexdigest(),
               "received_at": f"{YEAR}-10-16T03:00:00Z", "pull_request": 5}
    (data / "submissions" / str(YEAR) / "receipts.jsonl").write_text(json.dumps(receipt) + "\n", encoding="utf-8")
    build(data, output)
    assert rendered == [pages.unit_page(YEAR, CHANGED)]
    assert "10:00 ngày 16/10/2024, <strong class=\"late\">nộp muộn</strong>" in page.read_text(encoding="utf-8")
    assert compare_trees(build(data, tmp_path / "fresh"), output) == ([], [], [])


def test_a_page_deleted_or_edited_by_hand_is_written_again(data, tmp_path):
    output = build(data, tmp_path / "site")
    deleted = output / f"don-vi/{UNTOUCHED}/index.html"
    edited = output / f"{YEAR}/don-vi/{UNTOUCHED}/index.html"
    data_file = output / f"du-lieu/{YEAR}/ket-qua-so.json"
    expected = deleted.read_bytes(), edited.read_bytes(), data_file.read_bytes()
    deleted.unlink()
    edited.write_bytes(b"<p>sai</p>")
    data_file.write_bytes(b"{}")
    build(data, output)
    assert (deleted.read_bytes(), edited.read_bytes(), data_file.read_bytes()) == expected


def test_removing_a_unit_removes_its_pages(data, tmp_path):
    """Its pages of years in progress; a published year's record keeps it, with its history page."""
    output = build(data, tmp_path / "site")
    assert (output / f"{YEAR}/don-vi/{CHANGED}/index.html").is_file()
    registry = data / "units" / "xa.yaml"
    text = registry.read_text(encoding="utf-8")
    entry = re.search(rf"(?ms)^  - id: {CHANGED}\n.*?(?=^  - id: |\Z)", text)
    assert entry is not None, "the unit's entry in the registry"
    registry.write_text(text[:entry.start()] + text[entry.end():], encoding="utf-8")
    for path in data.glob(f"submissions/*/xa/{CHANGED}.*"):
        path.unlink()
    build(data, output)
    assert not (output / f"{YEAR}/don-vi/{CHANGED}").exists()
    assert (output / f"{YEAR - 1}/don-vi/{CHANGED}/index.html").is_file() and (output / f"don-vi/{CHANGED}").exists()
    fresh = build(data, tmp_path / "fresh")
    assert compare_trees(fresh, output) == ([], [], [])


def test_into_a_folder_the_memo_does_not_know_every_other_file_of_the_sites_folders_is_removed(data, tmp_path,
                                                                                               monkeypatch):
    """As when an older cqdt, or a build whose memo was deleted since, left pages there."""
    output = build(data, tmp_path / "site")
    fresh = build(data, tmp_path / "fresh")
    planted = [output / f"{YEAR}/don-vi/{UNTOUCHED}/ghi-chu.html",  # beside a page
               output / f"{YEAR}/don-vi/don-vi-la/index.html",  # a folder of its own
               output / "don-vi" / f"{UNTOUCHED}" / "cu" / "a.html",  # deeper, under a page's folder
               output / "1999" / "index.html"]  # a year never built
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("cũ", encoding="utf-8")
    build(data, output)
    assert [path for path in planted if not path.exists()] == []  # not the site's: left alone
    monkeypatch.setenv("CQDT_CACHE_DIR", str(tmp_path / "another-memo"))
    build(data, output)
    assert [path for path in planted if path.exists()] == []
    assert not (output / "1999").exists() and not (output / f"{YEAR}/don-vi/don-vi-la").exists()
    assert compare_trees(fresh, output) == ([], [], [])


def test_what_a_build_stopped_half_way_made_is_known_to_the_next(data, tmp_path, monkeypatch):
    """Files are noted before they are made: the page of a new unit, made by a build that
    stopped before noting its keys, is still removed once the unit is gone."""
    from scorer.shell.memo import Memo

    registry = data / "units" / "xa.yaml"
    with_unit = registry.read_text(encoding="utf-8")
    entry = re.search(rf"(?ms)^  - id: {CHANGED}\n.*?(?=^  - id: |\Z)", with_unit)
    assert entry is not None
    files = {path: path.read_bytes() for path in data.glob(f"submissions/*/xa/{CHANGED}.*")}

    def remove_unit() -> None:
        registry.write_text(with_unit[:entry.start()] + with_unit[entry.end():], encoding="utf-8")
        for path in files:
            path.unlink()

    remove_unit()
    output = build(data, tmp_path / "site")
    registry.write_text(with_unit, encoding="utf-8")
    for path, content in files.items():
        path.write_bytes(content)
    noted: list[int] = []
    real = Memo.note_published

    def stop_before_the_last_note(memo, *args):
        noted.append(1)
        if len(noted) == 2:
            raise OSError("dừng giữa chừng")
        return real(memo, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Memo, "note_published", stop_before_the_last_note)
        with pytest.raises(OSError):
            build(data, output)
    assert (output / f"{YEAR}/don-vi/{CHANGED}/index.html").is_file()
    remove_unit()
    build(data, output)
    assert not (output / f"{YEAR}/don-vi/{CHANGED}").exists()
    assert compare_trees(build(data, tmp_path / "fresh"), output) == ([], [], [])


def test_deleting_the_memo_changes_no_output_byte(data, tmp_path):
    output = build(data, tmp_path / "site")
    planted = output / f"{YEAR}/don-vi/{UNTOUCHED}/ghi-chu.html"
    planted.write_text("cũ", encoding="utf-8")
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    shutil.rmtree(cache_dir())
    build(data, output)
    assert not planted.exists()
    assert compare_trees(build(data, tmp_path / "fresh"), output) == ([], [], [])


def test_a_template_change_rerenders_every_page(data, tmp_path, rendered):
    # The data root's own site settings and theme take precedence over the repository's.
    shutil.copytree(REPO / "site", data / "site", ignore=shutil.ignore_patterns("output"))
    shutil.copytree(REPO / "theme", data / "theme")
    output = build(data, tmp_path / "site")
    before = stamps(output)
    base = data / "theme" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "</footer>\n<!-- mẫu mới -->"),
                    encoding="utf-8")
    rendered.clear()
    build(data, output)
    after = stamps(output)
    assert set(rendered) >= set(before)
    assert before.keys() == after.keys()
    assert [name for name in before if after[name] == before[name]] == []
    assert all("<!-- mẫu mới -->" in (output / name).read_text(encoding="utf-8") for name in after)


def test_a_results_digest_depends_on_its_values_not_on_how_they_are_held():
    criterion = CriterionResult("ht1", 1, {"numerator": 3, "denominator": 4}, Decimal("1.5"), None, None,
                                Decimal("1.5"), None, None, None, ("https://a.vn/x.pdf",), "")
    unit = Unit("xa-a", "Xã A", "xa", "commune", code="00001", district="huyen-b")
    zero = Decimal("0")
    result = UnitResult(unit, "submitted", "submissions/2024/xa/xa-a.yaml", "ab" * 32, {1: zero}, Decimal("1.5"),
                        {1: zero}, Decimal("1.5"), None, 1, None, (criterion,), (), ())
    reordered = criterion._replace(self_value={"denominator": 4, "numerator": 3})
    unshared = UnitResult(unit, "submitted", "submissions/2024/xa/xa-a.yaml", "ab" * 32, {1: Decimal("0")},
                          Decimal("1.5"), {1: zero}, Decimal("1.5"), None, 1, None, [reordered], (), ())
    assert unshared.digest == result.digest
    lowered = criterion._replace(self_value={"numerator": 2, "denominator": 4})
    assert replace(result, criteria=(lowered,), digest="").digest != result.digest
    assert replace(result, rank=2).digest == result.digest  # pages key the rank apart
