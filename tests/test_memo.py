"""The memo: one store, keyed by everything an entry depends on; it only ever saves work."""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import REPO, copy_data

from scorer.core.model import Gap, Shortfall
from scorer.shell import memo as memo_module
from scorer.shell.memo import Memo


def test_what_a_run_put_is_read_back_by_the_next_one(tmp_path):
    first = Memo(tmp_path / "memo.sqlite3")
    key = first.key("thử", "a", "b")
    first.save(key, (Decimal("25.20"), Gap(2, (Shortfall(1, Decimal("1.5"), Decimal("3")),))))
    first.close()
    second = Memo(tmp_path / "memo.sqlite3")
    assert second.load(key) == (Decimal("25.20"), Gap(2, (Shortfall(1, Decimal("1.5"), Decimal("3")),)))
    assert second.load(second.key("thử", "ab", "")) is None  # parts are kept apart


def test_keys_cover_the_code_and_the_installed_packages(monkeypatch):
    base = Memo(keep=False).key("thử", "x")
    monkeypatch.setattr(memo_module, "code_version", lambda: "another code")
    assert Memo(keep=False).key("thử", "x") != base
    monkeypatch.undo()
    monkeypatch.setattr(memo_module, "installed_packages", lambda: ["jinja2-9.9.dist-info"])
    assert Memo(keep=False).key("thử", "x") != base


def test_an_entry_holding_other_classes_is_not_built(tmp_path):
    memo = Memo(tmp_path / "memo.sqlite3")
    key = memo.key("thử")
    memo.put(key, pickle.dumps(subprocess.Popen))  # would import and build anything
    assert memo.load(key) is None


def test_an_unreadable_store_only_costs_work(tmp_path):
    path = tmp_path / "memo.sqlite3"
    path.write_bytes(b"not a database" * 100)
    memo = Memo(path)
    key = memo.key("thử")
    memo.save(key, 1)
    memo.commit()
    assert memo.load(key) == 1  # kept in memory for this run
    assert path.read_bytes() == b"not a database" * 100


def test_a_files_digest_is_read_again_unless_its_stamp_was_recorded_long_after_it_changed(tmp_path, monkeypatch):
    """Git's "racy" rule: a file changed within the clock's granularity of being read could
    change again without changing its stamp, so its stamp is not trusted."""
    path = tmp_path / "a.yaml"
    path.write_bytes(b"one")
    read: list[str] = []
    real_open = open

    def spy(name, *args, **kwargs):
        read.append(str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    store = tmp_path / "memo.sqlite3"

    def sha() -> str:
        memo = Memo(store)
        found = memo.shas({"a": str(path)})["a"]
        memo.close()
        return found

    assert sha() == hashlib.sha256(b"one").hexdigest() and read == [str(path)]
    read.clear()
    assert sha() == hashlib.sha256(b"one").hexdigest() and read == [str(path)]  # just written: read again
    monkeypatch.setattr(memo_module, "SETTLED_NS", -10**15)  # as if it had been written long ago
    sha()
    read.clear()
    assert sha() == hashlib.sha256(b"one").hexdigest() and read == []  # known by its stamp
    info = path.stat()
    path.write_bytes(b"two")  # same size; the time put back: the change time still tells
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert sha() == hashlib.sha256(b"two").hexdigest() and read == [str(path)]


def test_entries_nobody_used_for_a_long_time_and_those_of_other_code_are_dropped(tmp_path, monkeypatch):
    path = tmp_path / "memo.sqlite3"
    monkeypatch.setattr(memo_module, "code_version", lambda: "another code")
    other = Memo(path)
    other.now -= memo_module.KEEP_SECONDS + 10
    other.save(other.key("khác"), 3)
    other.commit()
    monkeypatch.undo()
    old = Memo(path)
    old.now -= memo_module.KEEP_SECONDS + 1
    old.save(old.key("cũ"), 1)
    old.commit()
    recent = Memo(path)
    recent.now -= memo_module.USED_SECONDS + 1
    recent.save(recent.key("gần"), 2)
    recent.commit()
    memo = Memo(path)
    assert memo.load(memo.key("gần")) == 2  # read: kept, and noted as used now
    memo.save(memo.key("mới"), 4)
    memo.close()
    with sqlite3.connect(path) as db:
        used = dict(db.execute("SELECT key, used FROM memo"))
    assert sorted(used) == sorted([memo.key("gần"), memo.key("mới")])
    assert used[memo.key("gần")] == memo.now


def copy_of_cqdt(target: Path) -> Path:
    """A copy of the scorer package, run instead of this one with PYTHONPATH=target."""
    target.mkdir()
    subprocess.run(["cp", "-r", str(REPO / "scorer"), str(target)], check=True)
    return target / "scorer"


def run_copy(code: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(code.parent), "CQDT_CACHE_DIR": str(cache)}
    # Run from the copy's folder: the current folder comes first on Python's path.
    return subprocess.run([sys.executable, "-m", "scorer", *args], env=env, capture_output=True, cwd=code.parent)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, path
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_copy_of_the_package_is_what_runs(tmp_path):
    """PYTHONPATH makes a copy of the package the one that runs (the tests below rely on it)."""
    code = copy_of_cqdt(tmp_path / "code")
    done = subprocess.run([sys.executable, "-c", "import scorer; print(scorer.__file__)"],
                          env={**os.environ, "PYTHONPATH": str(code.parent)}, capture_output=True, text=True,
                          check=True, cwd=tmp_path)
    assert Path(done.stdout.strip()) == code / "__init__.py"


def test_a_change_to_cqdts_code_is_seen_warm_as_cold(tmp_path):
    """The memo is keyed by the whole package: after an edit of its code (here, how notes are
    read), a warm run gives what a cold run of the edited code gives."""
    data = copy_data(tmp_path / "data", years=(2024,))
    code = copy_of_cqdt(tmp_path / "code")
    args = ("--data", str(data), "score", "--year", "2024", "--format", "json")
    cold = run_copy(code, tmp_path / "cache", *args).stdout
    assert cold and run_copy(code, tmp_path / "cache", *args).stdout == cold  # warm
    edit(code / "reading" / "submissions.py", 'note=answer.get("note") or "",',
         'note=(answer.get("note") or "").upper(),')
    warm = run_copy(code, tmp_path / "cache", *args).stdout
    assert warm == run_copy(code, tmp_path / "empty-cache", *args).stdout != cold


@pytest.mark.parametrize("where", ["submissions", "fastyaml"])
def test_a_new_problem_or_a_changed_parser_is_reported_warm(tmp_path, where):
    """The regression of issue 18: a problem added to the checks was not reported warm, and a
    changed parser left the old results, because each cache listed the modules it depended on."""
    data = copy_data(tmp_path / "data", years=(2024,))
    code = copy_of_cqdt(tmp_path / "code")
    assert run_copy(code, tmp_path / "cache", "--data", str(data), "validate").returncode == 0
    if where == "submissions":
        edit(code / "reading" / "submissions.py", "    if doc.problems:\n        return None, sorted(doc.problems)\n"
             "    return Submission(", "    doc.add((\"unit\",), \"lỗi mới\")\n    if doc.problems:\n"
             "        return None, sorted(doc.problems)\n    return Submission(")
        expected = "lỗi mới"
    else:
        edit(code / "reading" / "fastyaml.py", "    return int(value)\n", "    return int(value) + (int(value) == 2024)\n")
        expected = "năm 2025 khác với thư mục submissions/2024"  # the cycle file's year, read by it too
    warm = run_copy(code, tmp_path / "cache", "--data", str(data), "validate")
    assert warm.returncode == 1 and expected in warm.stdout.decode() + warm.stderr.decode()
