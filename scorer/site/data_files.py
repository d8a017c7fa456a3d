"""Open data files of each year (/du-lieu/<year>/) and the JSON Schemas (/schema/)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import export
from ..cache import JournaledStore
from ..export import KeptRowsOf, RowMaker, kept_rows, made_fresh
from ..export_xlsx import to_xlsx
from ..model import Results
from ..paths import DataRoot
from ..text import TIER_LABELS
from .manifest import manifest_path
from .output import StreamedFile, write_if_changed

FORMATS = {"csv": "CSV", "json": "JSON", "xlsx": "Excel (XLSX)"}


@dataclass(frozen=True)
class DataFile:
    """One downloadable file: where it goes, what it holds, and how to make it from a RowMaker
    (None: the year's JSON files, written together in one pass by write_json_files)."""

    path: str  # relative to the output root, forward slashes
    label: str
    fmt: str
    make: Callable[[RowMaker], bytes | str] | None
    tier: str | None = None  # the one tier it holds, if so


def json_path(year: int, tier: str) -> str:
    """A year's JSON file of one tier."""
    return f"du-lieu/{year}/ket-qua-{tier}.json"


def year_files(results: Results) -> list[DataFile]:
    """The files of a year: each tier as CSV, JSON and XLSX.

    No file of all tiers: it would only repeat the tiers' files, and at nationwide size it
    is 145 MB more to publish (GitHub Pages takes at most 1 GB) and to write again after
    every change; `cqdt score --format json` gives it to anyone who wants it."""
    year = results.year
    files = []
    for tier in results.criteria_set.tiers:
        one = (tier,)
        makers = {
            "csv": lambda rows, one=one: export.to_csv(results, one, rows),
            "json": None,
            "xlsx": lambda rows, one=one: to_xlsx(results, one, rows),
        }
        files.extend(DataFile(json_path(year, tier) if ext == "json" else f"du-lieu/{year}/ket-qua-{tier}.{ext}",
                              TIER_LABELS[tier], FORMATS[ext], make, tier)
                     for ext, make in makers.items())
    return files


# A JSON file's layout, kept with the table rows (see KeptRows.layout): unit id → (its state and
# position, the length of its piece: separator and line); HEAD → (the head's bytes, their length).
HEAD = ""


def write_json_files(output: Path, results: Results, tiers: set[str], digests: Mapping[str, Any] | None = None,
                     kept: KeptRows | None = None, untouched: Callable[[str], bool] = lambda name: False,
                     old_files: list[str] | None = None) -> None:
    """The results of each tier in `tiers` as JSON (schema/results.schema.json), each byte for
    byte what `cqdt score --format json --tier T` writes. Each unit's line comes from the results
    cache when it holds it (else is encoded here) and is streamed to its file, so no file is ever
    whole in memory.

    With `digests` (unit id → state of its result, rank included) and `kept`, a file whose last
    layout is kept and that is `untouched` since is made from its old self: the units at its start
    and at its end whose states and places are unchanged are copied by the kernel (a one-unit
    change moves a few ranks; the commune file is 114 MB), only those between are written.
    `old_files`: see StreamedFile."""
    for tier in sorted(tiers):
        name = json_path(results.year, tier)
        old = kept.layout(name) if kept is not None and digests is not None and untouched(name) else {}
        made = _write_json(output / name, results, tier, digests, old, old_files)
        if kept is not None and digests is not None:
            kept.note_layout(name, made)


def _write_json(path: Path, results: Results, tier: str, digests: Mapping[str, Any] | None,
                old: Mapping[str, tuple], old_files: list[str] | None) -> dict[str, tuple]:
    """Write one tier's JSON file (see write_json_files); its new layout."""
    cs = results.criteria_set
    units = [r for r in export.ordered_units(results) if r.unit.tier == tier]
    head = export.json_head(results, (tier,)).encode("utf-8")
    tail = export.JSON_TAIL.encode("utf-8")
    keys = [(digests[r.unit.id], place) for place, r in enumerate(units)] if digests is not None else []
    start, end = _unchanged_ends(old, head, units, keys, path)
    # The new layout: the old one with the units between the ends noted again, when those units
    # are the ones that were between them (no unit came or went); else made whole.
    reuse = ((start or end < len(units)) and len(old) - 1 == len(units)
             and all(units[place].unit.id in old for place in range(start, end)))
    made: dict[str, tuple] = dict(old) if reuse else {HEAD: (head, len(head))}
    stream = StreamedFile(path, old_files)
    try:
        size = path.stat().st_size if start or end < len(units) else 0
        if start:
            copied = len(head) + sum(old[r.unit.id][1] for r in units[:start])
            stream.copy_from(path, 0, copied)
        else:
            stream.write(head)
        for place in range(start, end):
            result = units[place]
            line = results.lines.get(result.unit.id)
            line = (export.unit_line(result, cs).encode("utf-8") if line is None
                    else export.ranked_line(line, result.rank))
            piece = (b",\n" if place else b"\n") + line
            stream.write(piece)
            if keys:
                made[result.unit.id] = (keys[place], len(piece))
        if end < len(units):
            left = sum(old[r.unit.id][1] for r in units[end:]) + len(tail)
            stream.copy_from(path, size - left, left)
        else:
            stream.write(tail)
        if not reuse:
            for place in (*range(start), *range(end, len(units))):
                made[units[place].unit.id] = (keys[place], old[units[place].unit.id][1])
        stream.close()
    finally:
        stream.discard()
    return made


def _unchanged_ends(old: Mapping[str, tuple], head: bytes, units: list, keys: list, path: Path) -> tuple[int, int]:
    """How many units at the start, and from which one at the end, are as the old file (laid out
    as `old`) has them: the same state at the same place, counted from its start or its end.
    (0, len(units)) when the old file cannot be used."""
    count = len(units)
    if not keys or old.get(HEAD) != (head, len(head)):
        return 0, count
    shift = len(old) - 1 - count  # the old file's units minus the new one's
    try:
        size = path.stat().st_size
    except OSError:
        return 0, count
    if size != len(head) + sum(entry[1] for key, entry in old.items() if key != HEAD) + len(export.JSON_TAIL.encode()):
        return 0, count  # not the file this layout describes
    start = 0
    while start < count and old.get(units[start].unit.id, (None,))[0] == keys[start]:
        start += 1
    end = count
    while end > start:
        place = end - 1
        found = old.get(units[place].unit.id)
        # The same bytes: same state, and first in both files or in neither (its separator).
        if found is None or found[0] != (keys[place][0], place + shift) or (place == 0) != (place + shift == 0):
            break
        end = place
    return start, end


def schema_files(root: DataRoot) -> list[DataFile]:
    """Every JSON Schema of the repository, published as is."""
    if not root.schema_dir.is_dir():
        return []
    return [DataFile(f"schema/{p.name}", p.name, "JSON Schema", lambda _rows, p=p: p.read_bytes())
            for p in sorted(root.schema_dir.glob("*.json"))]


def write_files(output: Path, files: list[DataFile], rows: RowMaker = made_fresh) -> None:
    """Write each file that has its own maker, leaving unchanged ones untouched."""
    for item in files:
        if item.make is not None:
            write_if_changed(output / item.path, item.make(rows))


class KeptRows:
    """The rows of the CSV and XLSX files as the last build into an output folder made them,
    each with the key of its inputs (the unit's result digest, rank included, and where the
    row stands), so that a rebuild after one change makes only the rows that changed: a
    nationwide commune workbook took 0.4 s to make every row again. Kept in cqdt's cache
    folder beside the output's manifest; rows of another salt (code, templates) are not used."""

    def __init__(self, output: Path, salt: str) -> None:
        self.store = JournaledStore(manifest_path(output).with_suffix(".rows.pickle"), nested=("files",))
        self.salt = salt
        self.stored = self.store.load(lambda stored: stored.get("salt") == salt and isinstance(stored.get("files"), dict))
        self.known: dict[str, KeptRowsOf] = self.stored["files"] if self.stored is not None else {}
        self.made: dict[str, KeptRowsOf] = {}

    def maker(self, name: str, digests: Mapping[str, Any]) -> RowMaker:
        """The RowMaker of file `name`; `digests`: unit id → state of its result (pages.result_state)."""
        made = self.made[name] = {}
        return kept_rows(self.known.get(name, {}), made, digests)

    def layout(self, name: str) -> KeptRowsOf:
        """The layout of JSON file `name` as the last build wrote it (see write_json_files)."""
        return self.known.get(name, {})

    def note_layout(self, name: str, layout: KeptRowsOf) -> None:
        self.made[name] = layout

    def keep(self, name: str) -> None:
        """File `name` was not made again: its rows stay as they were."""
        if name in self.known:
            self.made[name] = self.known[name]

    def save(self) -> None:
        """Store the rows of this build's files (when any was made again)."""
        if self.made != self.known:  # its changed rows, journaled (see JournaledStore)
            self.store.save({"salt": self.salt, "files": self.made}, self.stored,
                            sum(len(rows) for rows in self.made.values()))
