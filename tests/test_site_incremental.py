"""Rebuilds render only the unit, history and district pages whose inputs changed, and still
give exactly the site a fresh build gives."""

from __future__ import annotations

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
from scorer.export import xlsx as export_xlsx
from scorer.reading.paths import DataRoot
from scorer.shell import cache, parallel
from scorer.shell.scoring import evaluate
from scorer.site import data_files, manifest, pages
from scorer.site import output as output_module
from scorer.site.manifest import manifest_path
from scorer.site.templates import relative_root

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
    """Names of the unit, history and district pages rendered (not only written) from now on."""
    names: list[str] = []

    def spy(name: str) -> str:
        names.append(name)
        return relative_root(name)

    monkeypatch.setattr(pages, "relative_root", spy)
    return names


@pytest.fixture
def encoded(monkeypatch) -> list[str]:
    """Ids of the units whose JSON entry was encoded (not read from the results cache) from now on."""
    return record_calls(monkeypatch, export, "unit_to_dict", lambda result, _criteria_set: result.unit.id)


@pytest.fixture
def workbooks(monkeypatch) -> list[tuple[str, ...]]:
    """The tiers of each XLSX workbook made from now on."""
    return record_calls(monkeypatch, data_files, "to_xlsx", lambda _results, tiers, _rows: tiers)


@pytest.fixture
def made_rows(monkeypatch) -> dict[str, list[str]]:
    """Ids of the units whose CSV line and XLSX row were made (not kept from the last build) from
    now on; and the titles of the workbooks openpyxl made."""
    made: dict[str, list[str]] = {"csv": [], "xlsx": []}
    def spying(original, kind):
        def spy(first, result):
            made[kind].append(result.unit.id)
            return original(first, result)
        return spy

    monkeypatch.setattr(export, "csv_line", spying(export.csv_line, "csv"))
    monkeypatch.setattr(export_xlsx, "_unit_cells", spying(export_xlsx._unit_cells, "xlsx"))
    made["workbook"] = []
    skeleton = export_xlsx._skeleton

    def spy_skeleton(title, *args):
        made["workbook"].append(title)
        return skeleton(title, *args)

    monkeypatch.setattr(export_xlsx, "_skeleton", spy_skeleton)
    return made


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
    assert f"{YEAR}/don-vi/{CHANGED}/index.html" in before and f"don-vi/{UNTOUCHED}/index.html" in before
    assert sorted(rendered) == sorted(before)
    assert manifest_path(output).is_file()
    assert CHANGED in encoded and ("xa",) in workbooks
    rendered.clear()
    encoded.clear()
    workbooks.clear()
    build(data, output)
    assert rendered == [] and encoded == [] and workbooks == []
    assert stamps(output) == before


# One process; or a second renderer and a data files process (even for these few pages).
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_changed_submission_rerenders_its_pages_only_and_matches_a_fresh_build(data, tmp_path, rendered, encoded,
                                                                                  workbooks, made_rows, jobs,
                                                                                  monkeypatch):
    os.environ["CQDT_JOBS"] = str(jobs)  # fixed_environment puts the previous value back
    monkeypatch.setattr(parallel, "MANY", 1)
    monkeypatch.setattr(parallel, "MEMORY_BUDGET_MB", 10**9)
    output = build(data, tmp_path / "site")
    before = stamps(output)
    page = output / f"{YEAR}/don-vi/{CHANGED}/index.html"
    old = page.read_bytes()
    ranks_before = {r.unit.id: r.rank for r in evaluate(DataRoot(data), YEAR).units}
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    rendered.clear()
    encoded.clear()
    workbooks.clear()
    for made in made_rows.values():
        made.clear()
    files_before = _stamps(output, ("du-lieu/*/*",))
    build(data, output)
    after = stamps(output)
    files_after = _stamps(output, ("du-lieu/*/*",))
    ranks_after = {r.unit.id: r.rank for r in evaluate(DataRoot(data), YEAR).units}
    assert sorted(name for name in files_after if files_after[name] != files_before[name]) == [
        f"du-lieu/{YEAR}/ket-qua-xa.{ext}" for ext in ("csv", "json", "xlsx")]
    if jobs == 1:  # forked processes make the data files and half of the pages, out of the spies' sight
        assert workbooks == [("xa",)]  # the changed commune's tier, in the changed year
        # Rows are made again only for the changed commune and the communes it moved past.
        moved = sorted(u for u in ranks_after if ranks_after[u] != ranks_before[u] or u == CHANGED)
        assert sorted(made_rows["csv"]) == sorted(made_rows["xlsx"]) == moved
        assert made_rows["workbook"] == []  # the workbook around the rows is kept too: openpyxl not needed
        assert len(moved) < len([u for u in ranks_after if u.startswith("xa-")])
        assert {f"{YEAR}/don-vi/{CHANGED}/index.html", f"don-vi/{CHANGED}/index.html"} <= set(rendered)
    assert [name for name in rendered if UNTOUCHED in name] == []
    assert CHANGED in encoded and UNTOUCHED not in encoded
    assert after[f"{YEAR}/don-vi/{CHANGED}/index.html"] != before[f"{YEAR}/don-vi/{CHANGED}/index.html"]
    assert page.read_bytes() != old
    untouched = [f"{YEAR}/don-vi/{UNTOUCHED}/index.html", f"{YEAR - 1}/don-vi/{UNTOUCHED}/index.html",
                 f"don-vi/{UNTOUCHED}/index.html"]
    assert [after[name] == before[name] for name in untouched] == [True] * len(untouched)
    fresh = build(data, tmp_path / "fresh")
    assert compare_trees(fresh, output) == ([], [], [])


@pytest.fixture
def looked_at(monkeypatch) -> list[str]:
    """Names of the unit and history pages whose values were worked out (their coarse key changed) from now on."""
    names: list[str] = []
    def spying(original, page):
        def spy(self, *args):
            names.append(page(*args))
            return original(self, *args)
        return spy

    monkeypatch.setattr(pages.PageWriter, "unit", spying(
        pages.PageWriter.unit, lambda view, result, *_: pages.unit_page(view.year, result.unit.id)))
    monkeypatch.setattr(pages.PageWriter, "history", spying(
        pages.PageWriter.history, lambda unit_id, *_: pages.history_page(unit_id)))
    return names


def test_a_rebuild_works_out_only_the_pages_whose_results_changed(data, tmp_path, looked_at):
    output = build(data, tmp_path / "site")
    assert len(looked_at) == len(stamps(output)) - len(list(output.glob("*/huyen/*/index.html")))
    looked_at.clear()
    build(data, output)
    assert looked_at == []
    ranks_before = {r.unit.id: r.rank for r in evaluate(DataRoot(data), YEAR).units}
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    build(data, output)
    ranks_after = {r.unit.id: r.rank for r in evaluate(DataRoot(data), YEAR).units}
    moved = {u for u in ranks_after if ranks_after[u] != ranks_before[u]} | {CHANGED}
    # Each moved unit's pages of every year (each shows its history) and its history page; no other.
    expected = [name for u in moved for name in (pages.unit_page(YEAR - 1, u), pages.unit_page(YEAR, u),
                                                 pages.history_page(u)) if (output / name).is_file()]
    assert len(expected) >= 3 and sorted(looked_at) == sorted(expected)


def test_a_district_renamed_rewrites_its_communes_pages(data, tmp_path):
    output = build(data, tmp_path / "site")
    units = data / "units" / "huyen.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("Huyện Đoan Hùng", "Huyện Đoan Hùng Mới"), encoding="utf-8")
    build(data, output)
    page = (output / pages.unit_page(YEAR, CHANGED)).read_text(encoding="utf-8")
    assert "Huyện Đoan Hùng Mới" in page
    assert compare_trees(build(data, tmp_path / "fresh"), output) == ([], [], [])


def test_a_page_deleted_or_edited_by_hand_is_written_again(data, tmp_path):
    output = build(data, tmp_path / "site")
    deleted = output / f"don-vi/{UNTOUCHED}/index.html"
    edited = output / f"{YEAR}/don-vi/{UNTOUCHED}/index.html"
    expected = deleted.read_bytes(), edited.read_bytes()
    deleted.unlink()
    edited.write_bytes(b"<p>sai</p>")
    build(data, output)
    assert (deleted.read_bytes(), edited.read_bytes()) == expected


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


def test_files_put_into_the_output_by_hand_are_removed_and_nothing_else(data, tmp_path):
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
    assert [path for path in planted if path.exists()] == []
    assert not (output / "1999").exists() and not (output / f"{YEAR}/don-vi/don-vi-la").exists()
    assert compare_trees(fresh, output) == ([], [], [])


def test_a_rebuild_lists_only_the_folders_changed_since_the_last_build(data, tmp_path, monkeypatch):
    output = build(data, tmp_path / "site")
    planted = output / f"{YEAR}/don-vi/{UNTOUCHED}/ghi-chu.html"
    planted.write_text("cũ", encoding="utf-8")
    listed: list[str] = []
    scandir = os.scandir

    def spy(path):
        if Path(path).is_relative_to(output):
            listed.append(Path(path).relative_to(output).as_posix())
        return scandir(path)

    def walk(*args):
        raise AssertionError("no folder is walked")

    monkeypatch.setattr(os, "scandir", spy)
    monkeypatch.setattr(output_module, "_walk_removing", walk)
    build(data, output)
    assert listed == [f"{YEAR}/don-vi/{UNTOUCHED}"]
    assert not planted.exists()


def test_without_its_manifest_a_rebuild_walks_the_output_and_removes_what_is_stale(data, tmp_path):
    output = build(data, tmp_path / "site")
    planted = output / f"{YEAR}/don-vi/{UNTOUCHED}/ghi-chu.html"
    planted.write_text("cũ", encoding="utf-8")
    manifest_path(output).unlink()
    build(data, output)
    assert not planted.exists()
    assert (output / f"{YEAR}/don-vi/{UNTOUCHED}/index.html").is_file()


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
    assert sorted(rendered) == sorted(before)
    assert before.keys() == after.keys()
    assert [name for name in before if after[name] == before[name]] == []
    assert all("<!-- mẫu mới -->" in (output / name).read_text(encoding="utf-8") for name in after)


def test_a_result_state_depends_on_values_not_on_how_they_are_held():
    criterion = CriterionResult("ht1", 1, {"numerator": 3, "denominator": 4}, Decimal("1.5"), None, None,
                                Decimal("1.5"), None, None, None, ("https://a.vn/x.pdf",), "")
    unit = Unit("xa-a", "Xã A", "xa", "commune", code="00001", district="huyen-b")
    zero = Decimal("0")
    result = UnitResult(unit, "submitted", "submissions/2024/xa/xa-a.yaml", "ab" * 32, {1: zero}, Decimal("1.5"),
                        {1: zero}, Decimal("1.5"), None, 1, None, (criterion,), (), ())
    reordered = criterion._replace(self_value={"denominator": 4, "numerator": 3})
    unshared = replace(result, group_scores={1: Decimal("0")}, criteria=(reordered,))
    assert pages.result_state(unshared) == pages.result_state(result)
    lowered = criterion._replace(self_value={"numerator": 2, "denominator": 4})
    assert pages.result_state(replace(result, criteria=(lowered,))) != pages.result_state(result)
    assert pages.result_state(replace(result, rank=2)) != pages.result_state(result)


def _without_bookkeeping(stored: dict) -> dict:
    return {k: v for k, v in stored.items() if k != "generation"}


def test_a_rebuild_journals_what_it_changed_and_reads_back_the_whole_manifest(data, tmp_path, monkeypatch):
    output = build(data, tmp_path / "site")
    whole = manifest_path(output).read_bytes()
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    build(data, output)
    assert manifest_path(output).read_bytes() == whole  # the changes went to the journal
    assert manifest.journal_path(output).stat().st_size > 0
    journaled = manifest.read_manifest(output)
    assert journaled is not None
    assert journaled["pages"][f"{YEAR}/don-vi/{CHANGED}/index.html"][1] == \
        (output / f"{YEAR}/don-vi/{CHANGED}/index.html").stat().st_size
    # Nothing changed since: written whole now, the manifest holds the same entries.
    monkeypatch.setattr(cache, "journal_limit", lambda entries: -1)
    build(data, output)
    assert not manifest.journal_path(output).exists()
    rewritten = manifest.read_manifest(output)
    assert rewritten is not None and rewritten["generation"] != journaled["generation"]
    assert _without_bookkeeping(rewritten) == _without_bookkeeping(journaled)


def test_a_journal_cut_short_costs_only_work(data, tmp_path):
    output = build(data, tmp_path / "site")
    submission = data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml"
    lower_first_ratio(submission)
    build(data, output)
    journal = manifest.journal_path(output)
    journal.write_bytes(journal.read_bytes()[:-7])
    build(data, output)
    assert compare_trees(build(data, tmp_path / "fresh-1"), output) == ([], [], [])
    lower_first_ratio(submission)
    build(data, output)
    assert compare_trees(build(data, tmp_path / "fresh-2"), output) == ([], [], [])


@pytest.fixture
def json_copies(monkeypatch) -> list[tuple[str, int]]:
    """(folder/file name, bytes) of each stretch of an old file (a JSON file, a ranking page)
    copied into its new one from now on."""
    return record_calls(monkeypatch, output_module.StreamedFile, "copy_from",
                        lambda _stream, source, _offset, count: ("/".join(source.parts[-2:]), count))


@pytest.mark.parametrize("copy_file_range", [True, False])
def test_a_rebuild_copies_the_unchanged_ends_of_the_large_files(data, tmp_path, json_copies, copy_file_range,
                                                                monkeypatch):
    if not copy_file_range:  # where the kernel cannot copy: the same bytes, read and written
        monkeypatch.delattr(os, "copy_file_range")
    output = build(data, tmp_path / "site")
    assert json_copies == []  # nothing to copy from in a new folder
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    build(data, output)
    copied = {name: sum(count for copy, count in json_copies if copy == name) for name, _ in json_copies}
    # The commune tier's JSON and CSV files and its ranking page; the other tiers' are untouched.
    spliced = {f"{YEAR}/ket-qua-xa.json": f"du-lieu/{YEAR}/ket-qua-xa.json",
               f"{YEAR}/ket-qua-xa.csv": f"du-lieu/{YEAR}/ket-qua-xa.csv", "xa/index.html": f"{YEAR}/xep-hang/xa/index.html"}
    assert set(copied) == set(spliced)
    for name, path in spliced.items():
        assert 0 < copied[name] < (output / path).stat().st_size, name
    assert compare_trees(build(data, tmp_path / "fresh"), output) == ([], [], [])
    # Again, from the layout this rebuild noted.
    json_copies.clear()
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    build(data, output)
    assert json_copies and compare_trees(build(data, tmp_path / "fresh-2"), output) == ([], [], [])


@pytest.mark.parametrize("damage", ["edited", "layout lost"])
@pytest.mark.parametrize("spliced", [f"du-lieu/{YEAR}/ket-qua-xa.json", f"du-lieu/{YEAR}/ket-qua-xa.csv",
                                     f"{YEAR}/xep-hang/xa/index.html"])
def test_a_file_not_as_the_last_build_left_it_is_written_whole(data, tmp_path, json_copies, damage, spliced):
    output = build(data, tmp_path / "site")
    target = output / spliced
    if damage == "edited":
        target.write_bytes(target.read_bytes().replace(b"xa", b"XA", 1))
    elif spliced.startswith("du-lieu"):
        (manifest_path(output).with_suffix(".rows.pickle")).unlink()
    else:
        manifest_path(output).unlink()
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    build(data, output)
    assert "/".join(target.parts[-2:]) not in {name for name, _ in json_copies}
    assert compare_trees(build(data, tmp_path / "fresh"), output) == ([], [], [])


def test_a_rebuild_in_three_processes_matches_a_fresh_build(data, tmp_path, monkeypatch):
    """As on a nationwide site: one process looks at the last build's files while the data is
    read, another makes the data files (the JSON from the old one), the build's process the pages."""
    from scorer.site import generator

    os.environ["CQDT_JOBS"] = "2"  # fixed_environment puts the previous value back
    monkeypatch.setattr(parallel, "MANY", 1)
    monkeypatch.setattr(parallel, "MEMORY_BUDGET_MB", 10**9)
    monkeypatch.setattr(generator, "CHECK_APART_BYTES", 1)  # any stored manifest
    checks: list[bool] = []  # for each build: whether another process looked at the output
    start_check = generator.DataPages._start_check

    def spy(pages, output):
        checker = start_check(pages, output)
        checks.append(checker is not None)
        return checker

    monkeypatch.setattr(generator.DataPages, "_start_check", spy)
    output = build(data, tmp_path / "site")
    submission = data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml"
    for step in range(2):
        lower_first_ratio(submission)
        build(data, output)
        assert compare_trees(build(data, tmp_path / f"fresh-{step}"), output) == ([], [], [])
    # The first build into each folder has nothing to look at; every rebuild did, from another process.
    assert checks == [False, True, False, True, False]
    assert not [p.name for p in (output / "du-lieu" / str(YEAR)).iterdir() if p.name.startswith(".")]
