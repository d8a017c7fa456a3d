"""Checked files in the memo: reused for unchanged files, checked again when what they depend on changes."""

from __future__ import annotations

import pytest
from conftest import copy_data

from scorer.reading.paths import DataRoot
from scorer.shell.year import read_year


@pytest.fixture(autouse=True)
def own_memo(tmp_path, monkeypatch):
    """A memo of each test's own: what another test checked (the same content) would be a hit."""
    monkeypatch.setenv("CQDT_CACHE_DIR", str(tmp_path / "cache"))


def test_unchanged_files_come_from_the_cache_and_a_changed_one_does_not(tmp_path):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    cold = read_year(root, 2024, jobs=1)
    assert cold.files_from_cache == 0 and not cold.problems
    path = root.submission_path(2024, "xa", "xa-bang-luan")
    path.write_text(path.read_text(encoding="utf-8") + "# sửa\n", encoding="utf-8")
    warm = read_year(root, 2024, jobs=1)
    assert warm.files_from_cache == warm.files_checked - 1
    assert warm.submissions["xa-bang-luan"].sha256 != cold.submissions["xa-bang-luan"].sha256


def test_a_changed_registry_empties_the_cache(tmp_path):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    read_year(root, 2024, jobs=1)
    units = root.units_dir / "so.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "# ghi chú\n", encoding="utf-8")
    assert read_year(root, 2024, jobs=1).files_from_cache == 0


def test_problems_are_cached_too_and_stay_reported(tmp_path):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    path = root.submission_path(2024, "xa", "xa-bang-luan")
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2024", "year: 2023"), encoding="utf-8")
    first = read_year(root, 2024, jobs=1)
    second = read_year(root, 2024, jobs=1)
    assert second.files_from_cache == second.files_checked
    assert first.problems == second.problems and first.problems


def test_a_deleted_evidence_file_is_noticed_despite_the_cache(tmp_path):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    evidence = root.root / "evidence" / "bien-ban.pdf"
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(b"%PDF-1.4\n")
    path = root.submission_path(2024, "xa", "xa-bang-luan")
    text = path.read_text(encoding="utf-8")
    marker = "https://example.org/cqdt-minh-hoa/2024/xa-bang-luan/ht1.pdf"
    assert marker in text
    path.write_text(text.replace(marker, "evidence/bien-ban.pdf", 1), encoding="utf-8")
    assert not read_year(root, 2024, jobs=1).problems
    evidence.unlink()
    problems = read_year(root, 2024, jobs=1).problems
    assert any("không tìm thấy tệp minh chứng 'evidence/bien-ban.pdf'" in p.message for p in problems)


def test_a_touched_but_unchanged_file_is_still_a_hit_and_an_edit_of_same_size_is_not(tmp_path):
    import os

    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    read_year(root, 2024, jobs=1)
    path = root.submission_path(2024, "xa", "xa-bang-luan")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    touched = read_year(root, 2024, jobs=1)
    assert touched.files_from_cache == touched.files_checked
    text = path.read_text(encoding="utf-8")
    assert "year: 2024" in text
    path.write_text(text.replace("year: 2024", "year: 2023"), encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    edited = read_year(root, 2024, jobs=1)
    assert edited.files_from_cache == edited.files_checked - 1
    assert any("năm 2023 khác với thư mục năm 2024" in p.message for p in edited.problems)


def test_the_data_roots_schema_copies_neither_loosen_nor_tighten_the_checks(tmp_path):
    """The checks hold files to cqdt's own schemas (the code relies on them); a data root's copy in
    schema/ that differs is reported as stale, whatever the memo holds."""
    import json
    import subprocess
    import sys

    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))

    def validate() -> subprocess.CompletedProcess:  # a process each: validators are built once per process
        return subprocess.run([sys.executable, "-m", "scorer", "--data", str(root.root), "validate"],
                              capture_output=True, text=True)

    assert validate().returncode == 0
    path = root.schema_dir / "units.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["required"] = [*schema["required"], "phien_ban"]
    path.write_text(json.dumps(schema), encoding="utf-8")
    done = validate()
    assert done.returncode == 1
    assert "schema/units.schema.json" in done.stdout + done.stderr and "cqdt schemas" in done.stdout + done.stderr
    assert "phien_ban" not in done.stdout + done.stderr  # units/*.yaml are still held to cqdt's schema


def test_the_cycle_check_is_reused_until_the_cycle_or_the_criteria_sets_change(tmp_path, monkeypatch):
    from scorer.shell import year as year_module
    from scorer.shell.memo import Memo

    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    checked: list[int] = []
    real = year_module.check_cycle

    def spy(data_root, year):
        checked.append(year)
        return real(data_root, year)

    monkeypatch.setattr(year_module, "check_cycle", spy)

    def cycle():
        memo = Memo()
        found = year_module.checked_cycle(memo, root, 2024)[:2]
        memo.close()
        return found

    first, problems = cycle()
    assert problems == [] and first.verification_working_days == 60 and checked == [2024]
    assert cycle() == (first, []) and checked == [2024]  # a new memo, read from the store
    path = root.cycle_path(2024)
    path.write_text(path.read_text(encoding="utf-8").replace("verification_working_days: 60",
                                                             "verification_working_days: 59"), encoding="utf-8")
    assert cycle()[0].verification_working_days == 59 and checked == [2024, 2024]
    # The cycle's criteria set gone: the memoized check must not hide it.
    (root.criteria_dir / first.criteria_set).rename(root.criteria_dir / "khac")
    gone, problems = cycle()
    assert gone is None and any("không có bộ tiêu chí" in p.message for p in problems)


def test_an_evidence_file_added_after_its_absence_was_reported_is_seen(tmp_path):
    """A check depends on the repository files it looked for, found or not."""
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    path = root.submission_path(2024, "xa", "xa-bang-luan")
    text = path.read_text(encoding="utf-8")
    marker = "https://example.org/cqdt-minh-hoa/2024/xa-bang-luan/ht1.pdf"
    path.write_text(text.replace(marker, "evidence/bien-ban.pdf", 1), encoding="utf-8")
    problems = read_year(root, 2024, jobs=1).problems
    assert any("không tìm thấy tệp minh chứng 'evidence/bien-ban.pdf'" in p.message for p in problems)
    evidence = root.root / "evidence" / "bien-ban.pdf"
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(b"%PDF-1.4\n")
    assert read_year(root, 2024, jobs=1).problems == []
