"""Large files made of one piece per unit, in order, between a head and a tail: the JSON and
CSV data files and the ranking pages. A rebuild makes such a file from the one it replaces: the pieces
at its start and at its end whose states and places are unchanged are copied from the old
file (by the kernel where it can: the commune JSON file is 114 MB, its ranking page 9 MB);
only the pieces between are made again, and the head and the tail are always written anew.

A file's layout, kept between builds, notes what each piece was made from, where it stood and
how long it is, and the file's size and modification time as written: a file changed since
(by hand, by another tool) is made whole."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .output import StreamedFile

# The layout's entry of the file as a whole: (head, tail, size, mtime_ns). Always its last entry,
# so that a journal of layouts cut short (see cache.JournaledStore) never pairs a new frame
# with pieces noted before it.
FRAME = ""
# Piece id → (state, place, length); FRAME → see above.
Layout = dict[str, tuple]


def write_spliced(path: Path, head: bytes, pieces: Sequence[tuple[str, Any]], make: Callable[[int], bytes],
                  tail: bytes, old: Mapping[str, tuple] | None = None, old_files: list[str] | None = None) -> Layout:
    """Write `head`, the piece at each place, then `tail` to `path` (atomically), taking what it
    can from the file there as `old` (its layout) describes it; the new file's layout.

    `pieces`: (id, state) at each place, equal states giving equal bytes (whatever shapes a
    piece: a separator before all but the first one, say); make(place): the bytes of the piece at
    that place. `old_files`: see StreamedFile. When the file would be the one there, it is left
    as it is."""
    old = old or {}
    count = len(pieces)
    start, end, size = unchanged_ends(path, pieces, old)
    frame = old.get(FRAME)
    if frame is not None and start == count and len(old) - 1 == count and frame[:2] == (head, tail):
        return dict(old)
    # The new layout: the old one with the pieces between the ends noted again, when those are
    # the ones that were between them (no piece came or went); else made whole.
    reuse = (start > 0 or end < count) and len(old) - 1 == count and all(pieces[p][0] in old for p in range(start, end))
    made: Layout = dict(old) if reuse else {}
    made.pop(FRAME, None)
    stream = StreamedFile(path, old_files)
    try:
        stream.write(head)
        if start:
            stream.copy_from(path, len(frame[0]), sum(old[pieces[p][0]][2] for p in range(start)))
        for place in range(start, end):
            data = make(place)
            stream.write(data)
            made[pieces[place][0]] = (pieces[place][1], place, len(data))
        if end < count:
            run = sum(old[pieces[p][0]][2] for p in range(end, count))
            stream.copy_from(path, size - len(frame[1]) - run, run)
        stream.write(tail)
        if not reuse:
            for place in (*range(start), *range(end, count)):
                piece_id, state = pieces[place]
                made[piece_id] = (state, place, old[piece_id][2])
        stream.close()
    finally:
        stream.discard()
    stat = os.stat(path)
    made[FRAME] = (head, tail, stat.st_size, stat.st_mtime_ns)
    return made


def unchanged_ends(path: Path, pieces: Sequence[tuple[str, Any]], old: Mapping[str, tuple]) -> tuple[int, int, int]:
    """How many pieces at the start, and from which one at the end, the file at `path` holds as
    `old` notes them: the same state at the same place, counted from the file's start or its
    end; and the file's size. (0, len(pieces), 0) when it cannot be used: no layout, or a file
    that is not the one the layout describes."""
    count = len(pieces)
    frame = old.get(FRAME)
    if frame is None:
        return 0, count, 0
    try:
        stat = os.stat(path)
    except OSError:
        return 0, count, 0
    if (stat.st_size, stat.st_mtime_ns) != frame[2:]:
        return 0, count, 0
    start = 0
    while start < count:
        piece_id, state = pieces[start]
        found = old.get(piece_id)
        if found is None or found[1] != start or found[0] != state:
            break
        start += 1
    shift = len(old) - 1 - count  # the old file's pieces minus the new one's
    end = count
    while end > start:
        piece_id, state = pieces[end - 1]
        found = old.get(piece_id)
        if found is None or found[1] != end - 1 + shift or found[0] != state:
            break
        end -= 1
    return start, end, stat.st_size


def joined(pieces: Sequence[Any], make: Callable[[int], bytes]) -> bytes:
    """Every piece's bytes, in order (no file to splice: a test, a benchmark)."""
    return b"".join(make(place) for place in range(len(pieces)))
