"""Files made from the file they replace (scorer.site.splice): the same bytes as made whole."""

from __future__ import annotations

import os
import random

import pytest
from site_fixtures import record_calls

from scorer.site import output as output_module
from scorer.site.splice import FRAME, joined, unchanged_ends, write_spliced


def piece_bytes(piece_id: str, state: int) -> bytes:
    return f"<{piece_id}:{state}>\n".encode() * (1 + state % 3)


def maker(pieces):
    return lambda place: piece_bytes(*pieces[place])


def fresh(head: bytes, pieces, tail: bytes) -> bytes:
    return head + joined(pieces, maker(pieces)) + tail


@pytest.fixture
def copies(monkeypatch) -> list[tuple[int, int]]:
    """(offset, bytes) of each stretch copied from an old file from now on."""
    return record_calls(monkeypatch, output_module.StreamedFile, "copy_from",
                        lambda _stream, _source, offset, count: (offset, count))


def test_only_pieces_at_their_old_places_are_copied(tmp_path, copies):
    path = tmp_path / "file"
    pieces = [(f"u{i}", i) for i in range(6)]
    layout = write_spliced(path, b"head\n", pieces, maker(pieces), b"tail\n")
    assert copies == [] and path.read_bytes() == fresh(b"head\n", pieces, b"tail\n")
    # u2 and u3 change places: the two before and the two after are copied.
    moved = [pieces[0], pieces[1], pieces[3], pieces[2], pieces[4], pieces[5]]
    assert unchanged_ends(path, moved, layout)[:2] == (2, 4)
    made = []
    layout = write_spliced(path, b"head\n", moved, lambda p: made.append(p) or maker(moved)(p), b"tail\n", layout)
    assert made == [2, 3]
    assert [count for _, count in copies] == [len(piece_bytes(*pieces[0])) + len(piece_bytes(*pieces[1])),
                                              len(piece_bytes(*pieces[4])) + len(piece_bytes(*pieces[5]))]
    assert path.read_bytes() == fresh(b"head\n", moved, b"tail\n")
    # u0 goes: the others keep their places counted from the end, none from the start.
    fewer = moved[1:]
    assert unchanged_ends(path, fewer, layout)[:2] == (0, 0)
    write_spliced(path, b"head\n", fewer, maker(fewer), b"tail\n", layout)
    assert path.read_bytes() == fresh(b"head\n", fewer, b"tail\n")


def test_a_new_head_and_tail_are_written_around_the_copied_pieces(tmp_path, copies):
    path = tmp_path / "file"
    pieces = [(f"u{i}", i) for i in range(4)]
    layout = write_spliced(path, b"<old head>", pieces, maker(pieces), b"</old>")
    changed = [*pieces[:2], ("u2", 7), pieces[3]]
    write_spliced(path, b"<a longer new head>", changed, maker(changed), b"</new tail>", layout)
    assert copies and path.read_bytes() == fresh(b"<a longer new head>", changed, b"</new tail>")


def test_an_unchanged_file_is_left_as_it_is(tmp_path):
    path = tmp_path / "file"
    pieces = [(f"u{i}", i) for i in range(3)]
    layout = write_spliced(path, b"h", pieces, maker(pieces), b"t")
    before = os.stat(path)
    again = write_spliced(path, b"h", pieces, lambda place: pytest.fail("made again"), b"t", layout)
    assert again == layout and os.stat(path).st_ino == before.st_ino
    # A new tail alone: the file is written again.
    write_spliced(path, b"h", pieces, maker(pieces), b"T", layout)
    assert path.read_bytes() == fresh(b"h", pieces, b"T")


@pytest.mark.parametrize("damage", ["edited", "same size", "gone"])
def test_a_file_not_as_its_layout_notes_it_is_made_whole(tmp_path, copies, damage):
    path = tmp_path / "file"
    pieces = [(f"u{i}", i) for i in range(5)]
    layout = write_spliced(path, b"h", pieces, maker(pieces), b"t")
    if damage == "gone":
        path.unlink()
    else:
        data = path.read_bytes()
        path.write_bytes(data.replace(b"u1", b"U1") if damage == "same size" else data + b" ")
        os.utime(path, ns=(0, layout[FRAME][3] + 1))
    assert unchanged_ends(path, pieces, layout) == (0, 5, 0)
    changed = [*pieces[:4], ("u4", 9)]
    write_spliced(path, b"h", changed, maker(changed), b"t", layout)
    assert copies == [] and path.read_bytes() == fresh(b"h", changed, b"t")


def test_any_series_of_changes_gives_the_bytes_made_whole(tmp_path):
    rng = random.Random(1609)
    path = tmp_path / "file"
    pieces = [(f"u{i}", rng.randrange(5)) for i in range(30)]
    layout = write_spliced(path, b"[", pieces, maker(pieces), b"]")
    for step in range(60):
        pieces = list(pieces)
        kind = rng.randrange(4)
        place = rng.randrange(len(pieces))
        if kind == 0:
            pieces[place] = (pieces[place][0], rng.randrange(5))
        elif kind == 1:
            pieces.insert(rng.randrange(len(pieces)), pieces.pop(place))
        elif kind == 2 and len(pieces) > 2:
            pieces.pop(place)
        else:
            pieces.insert(place, (f"n{step}", rng.randrange(5)))
        head = b"[" * rng.randrange(1, 3)
        layout = write_spliced(path, head, pieces, maker(pieces), b"]", layout)
        assert path.read_bytes() == fresh(head, pieces, b"]"), step
        assert list(layout)[-1] == FRAME  # journaled last (see splice.FRAME)
        assert sorted(layout) == sorted([FRAME, *(piece_id for piece_id, _ in pieces)])
