"""Files put in place by a rename: the name always holds the old or the new bytes, and nothing
of either is left behind."""

from __future__ import annotations

import pytest

from scorer.reading import paths
from scorer.reading.paths import replace_file, write_atomic


@pytest.mark.parametrize("exchange", [True, False])
def test_a_file_replaces_another_and_leaves_nothing_behind(tmp_path, monkeypatch, exchange):
    if not exchange:  # a system without renameat2
        monkeypatch.setattr(paths, "_renameat2", lambda: None)
    elif paths._renameat2() is None:
        pytest.skip("no renameat2 here")
    (tmp_path / "cu").write_bytes(b"cu")
    (tmp_path / "moi").write_bytes(b"moi")
    replace_file(tmp_path / "moi", tmp_path / "cu")
    assert (tmp_path / "cu").read_bytes() == b"moi"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cu"]
    target = tmp_path / "chua-co"
    (tmp_path / "moi").write_bytes(b"2")
    replace_file(tmp_path / "moi", target)  # nothing there yet
    assert target.read_bytes() == b"2" and sorted(p.name for p in tmp_path.iterdir()) == ["chua-co", "cu"]


@pytest.mark.parametrize("exchange", [True, False])
def test_the_replaced_file_may_be_left_for_later(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(paths, "_renameat2", lambda: None)
    elif paths._renameat2() is None:
        pytest.skip("no renameat2 here")
    (tmp_path / "cu").write_bytes(b"cu")
    (tmp_path / "moi").write_bytes(b"moi")
    later: list[str] = []
    replace_file(tmp_path / "moi", tmp_path / "cu", later)
    assert (tmp_path / "cu").read_bytes() == b"moi"
    if exchange:  # the old bytes wait under the new file's former name
        assert later == [str(tmp_path / "moi")] and (tmp_path / "moi").read_bytes() == b"cu"
    else:  # os.replace dropped them
        assert later == [] and sorted(p.name for p in tmp_path.iterdir()) == ["cu"]


def test_a_folder_in_the_way_is_an_error_as_with_os_replace(tmp_path):
    (tmp_path / "thu-muc").mkdir()
    (tmp_path / "moi").write_bytes(b"moi")
    with pytest.raises(IsADirectoryError):
        replace_file(tmp_path / "moi", tmp_path / "thu-muc")
    assert (tmp_path / "thu-muc").is_dir() and (tmp_path / "moi").read_bytes() == b"moi"


def test_write_atomic_replaces_a_large_file_whole(tmp_path):
    target = tmp_path / "lon.json"
    write_atomic(target, b"a" * (3 << 20))
    write_atomic(target, ["b" * (2 << 20), "c"])
    assert target.read_bytes() == b"b" * (2 << 20) + b"c"
    assert [p.name for p in tmp_path.iterdir()] == ["lon.json"]
