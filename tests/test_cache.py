"""The content cache: reused for unchanged files, emptied when what they depend on changes."""

from __future__ import annotations

from conftest import copy_data

from scorer.reading.paths import DataRoot
from scorer.shell.year import read_year


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


def test_a_changed_units_schema_is_checked_again_despite_the_registry_cache(tmp_path):
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
    assert done.returncode == 1 and "phien_ban" in done.stdout + done.stderr


def test_the_cycle_check_is_reused_until_the_cycle_or_the_criteria_sets_change(tmp_path, monkeypatch):
    from scorer.reading import cycle
    from scorer.shell import cache

    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    checked: list[int] = []
    real = cycle._check_cycle

    def spy(data_root, year):
        checked.append(year)
        return real(data_root, year)

    monkeypatch.setattr(cycle, "_check_cycle", spy)
    first, problems = cycle.check_cycle(root, 2024)
    assert problems == [] and first.verification_working_days == 60 and checked == [2024]
    cache._CHECKED.clear()  # as a new process would: from the cache's file
    assert cycle.check_cycle(root, 2024) == (first, []) and checked == [2024]
    path = root.cycle_path(2024)
    path.write_text(path.read_text(encoding="utf-8").replace("verification_working_days: 60",
                                                             "verification_working_days: 59"), encoding="utf-8")
    assert cycle.check_cycle(root, 2024)[0].verification_working_days == 59 and checked == [2024, 2024]
    # The cycle's criteria set gone: the cached check must not hide it.
    (root.criteria_dir / first.criteria_set).rename(root.criteria_dir / "khac")
    gone, problems = cycle.check_cycle(root, 2024)
    assert gone is None and any("không có bộ tiêu chí" in p.message for p in problems)


def test_a_check_asked_again_in_one_process_reads_settled_files_only_once(tmp_path, monkeypatch):
    import os
    from pathlib import Path

    from scorer.shell import cache

    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    inputs = sorted(root.units_dir.glob("*.yaml"))
    read: list[str] = []
    real_read = Path.read_bytes

    def spy(path):
        read.append(path.name)
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", spy)
    cache._CHECKED.clear()
    for path in inputs:
        os.utime(path)  # written just now

    def ask() -> object:
        return cache.cached_check(root, "thu", inputs, lambda: ("giá trị", []))[0]

    assert ask() == "giá trị" and read  # known by content, files read
    read.clear()
    assert ask() == "giá trị" and read  # still just written: a same-size edit could keep its time
    old = 1_600_000_000
    for path in inputs:
        os.utime(path, (old, old))
    cache._CHECKED.clear()
    ask()
    read.clear()
    assert ask() == "giá trị" and read == []  # settled and untouched: its stamps suffice
    inputs[0].write_text(inputs[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    read.clear()
    ask()
    assert inputs[0].name in read


def test_a_few_changed_files_are_journaled_not_written_as_a_new_index(tmp_path):
    from scorer.shell import cache
    from scorer.shell.cache import FileCache, cache_path, read_pickles

    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    read_year(root, 2024, jobs=1)
    index = cache_path(root, 2024)
    written = index.read_bytes()
    path = root.submission_path(2024, "xa", "xa-bang-luan")
    for note in ("# một\n", "# hai\n"):
        path.write_text(path.read_text(encoding="utf-8") + note, encoding="utf-8")
        warm = read_year(root, 2024, jobs=1)
        assert warm.files_from_cache == warm.files_checked - 1 and not warm.problems
    assert index.read_bytes() == written  # the index was not written again
    journal = index.with_suffix(".journal")
    assert [record[1] for record in read_pickles(journal)] == ["submissions/2024/xa/xa-bang-luan.yaml"] * 2
    again = read_year(root, 2024, jobs=1)  # the journaled entry is read back: nothing checked again
    assert again.files_from_cache == again.files_checked
    assert again.submissions["xa-bang-luan"].sha256 == warm.submissions["xa-bang-luan"].sha256
    # A journal cut short: the file whose entry is lost is checked again, with the same result.
    journal.write_bytes(journal.read_bytes()[:-5])
    cut = read_year(root, 2024, jobs=1)
    assert cut.files_from_cache == cut.files_checked - 1
    assert cut.submissions["xa-bang-luan"].sha256 == warm.submissions["xa-bang-luan"].sha256
    assert FileCache(root, 2024, cut.context).journal.count >= 1
    assert cache.journal_limit(15_000) == 1_500


def test_a_journaled_store_reads_back_what_was_saved(tmp_path, monkeypatch):
    """Sections of every kind, through the journal and through a whole write, read back equal;
    a record cut short ends the replay; a store written over ignores the old journal."""
    from scorer.shell import cache
    from scorer.shell.cache import JournaledStore

    def fits(stored: dict) -> bool:
        return stored.get("format") == 1

    path = tmp_path / "store.pickle"
    first = {"format": 1, "pages": {"a": (1, 2), "b": (3, 4)}, "rows": {"p": {"u": b"1", "v": b"2"}},
             "written": frozenset({"a", "b"})}
    store = JournaledStore(path, nested=("rows",))
    assert store.load(fits) is None
    store.save(first, None, 10_000)
    whole = path.read_bytes()
    loaded = JournaledStore(path, nested=("rows",)).load(fits)
    assert loaded == {**first, "written": {"a", "b"}, "generation": loaded["generation"]}

    second = {"format": 1, "pages": {"a": (1, 2), "c": (5, 6)}, "rows": {"p": {"u": b"9"}, "q": {"w": b"3"}},
              "written": frozenset({"a", "c"})}
    again = JournaledStore(path, nested=("rows",))
    again.save(second, again.load(fits), 10_000)
    assert path.read_bytes() == whole and again.journal.stat().st_size > 0
    read_back = JournaledStore(path, nested=("rows",)).load(fits)
    assert {k: v for k, v in read_back.items() if k != "generation"} == {**second, "written": {"a", "c"}}

    # Cut short: the records before the cut stand, the rest are gone.
    again.journal.write_bytes(again.journal.read_bytes()[:-3])
    cut = JournaledStore(path, nested=("rows",)).load(fits)
    assert cut["pages"] == second["pages"] and cut != read_back

    # Too many changes for the journal: written whole, the journal dropped.
    monkeypatch.setattr(cache, "journal_limit", lambda entries: 1)
    many = JournaledStore(path, nested=("rows",))
    many.save(first, many.load(fits), 10_000)
    assert path.read_bytes() != whole and not many.journal.exists()
    assert {k: v for k, v in JournaledStore(path, nested=("rows",)).load(fits).items() if k != "generation"} == \
        {**first, "written": {"a", "b"}}
