"""Open data files of each year (/du-lieu/<year>/) and the JSON Schemas (/schema/)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.model import Results, UnitResult
from ..core.text import TIER_LABELS
from ..export import results as export
from ..export.results import KeptRowsOf, RowMaker, kept_rows, made_fresh
from ..export.xlsx import to_xlsx
from ..reading.paths import DataRoot
from ..shell.cache import JournaledStore
from .manifest import manifest_path
from .output import write_if_changed
from .splice import Layout, write_spliced

FORMATS = {"csv": "CSV", "json": "JSON", "xlsx": "Excel (XLSX)"}


@dataclass(frozen=True)
class DataFile:
    """One downloadable file: where it goes, what it holds, and how to make it from a RowMaker
    (None: a tier's JSON and CSV files, made from the file they replace by write_spliced_files)."""

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
            "csv": None,
            "json": None,
            "xlsx": lambda rows, one=one: to_xlsx(results, one, rows),
        }
        files.extend(DataFile(json_path(year, tier) if ext == "json" else f"du-lieu/{year}/ket-qua-{tier}.{ext}",
                              TIER_LABELS[tier], FORMATS[ext], make, tier)
                     for ext, make in makers.items())
    return files


def write_spliced_files(output: Path, results: Results, files: list[DataFile],
                        digests: Mapping[str, Any] | None = None, kept: KeptRows | None = None,
                        untouched: Callable[[str], bool] = lambda name: False,
                        old_files: list[str] | None = None) -> None:
    """Each of `files` (a tier's JSON or CSV file), byte for byte what `cqdt score --format json
    (or csv) --tier T` writes. Each unit's piece is streamed to its file, so no file is ever
    whole in memory; its JSON line comes from the results cache when it holds it.

    With `digests` (unit id → state of its result, rank included) and `kept`, a file whose last
    layout is kept and that is `untouched` since is made from its old self (see splice): a
    one-unit change moves a few ranks, only the units between are made. `old_files`: see
    StreamedFile."""
    tiers: dict[str | None, list[UnitResult]] = {}  # each tier's units in order: its JSON and CSV files list the same
    for item in files:
        old = kept.layout(item.path) if kept is not None and digests is not None and untouched(item.path) else {}
        units = tiers.get(item.tier)
        if units is None:
            units = tiers[item.tier] = [r for r in export.ordered_units(results) if r.unit.tier == item.tier]
        parts = _json_parts if item.path.endswith(".json") else _csv_parts
        head, pieces, make, tail = parts(results, item.tier, units, digests)
        made = write_spliced(output / item.path, head, pieces, make, tail, old, old_files)
        if kept is not None and digests is not None:
            kept.note_layout(item.path, made)


Parts = tuple[bytes, list[tuple[str, Any]], Callable[[int], bytes], bytes]


def _json_parts(results: Results, tier: str, units: list[UnitResult], digests: Mapping[str, Any] | None) -> Parts:
    """A JSON file's head, pieces (each unit's line, after the separator of all but the first), tail."""
    cs, lines = results.criteria_set, results.lines
    pieces = ([(r.unit.id, (digests[r.unit.id], place == 0)) for place, r in enumerate(units)] if digests is not None
              else [(r.unit.id, None) for r in units])

    def piece(place: int) -> bytes:
        result = units[place]
        line = lines.get(result.unit.id)
        line = export.unit_line(result, cs).encode("utf-8") if line is None else export.ranked_line(line, result.rank)
        return (b",\n" if place else b"\n") + line

    return (export.json_head(results, (tier,)).encode("utf-8"), pieces, piece, export.JSON_TAIL.encode("utf-8"))


def _csv_parts(results: Results, tier: str, units: list[UnitResult], digests: Mapping[str, Any] | None) -> Parts:
    """A CSV file's head (the column names), pieces (each unit's line) and tail (none)."""
    year = results.year
    pieces = [(r.unit.id, None if digests is None else digests[r.unit.id]) for r in units]
    return (export.CSV_HEAD.encode("utf-8"), pieces,
            lambda place: export.csv_line(year, units[place]).encode("utf-8"), b"")


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
    """The rows of the XLSX files as the last build into an output folder made them, each with
    the key of its inputs (the unit's result digest, rank included, and where the row stands),
    so that a rebuild after one change makes only the rows that changed: a nationwide commune
    workbook took 0.4 s to make every row again; and the layouts of the JSON and CSV files (see
    splice). Kept in cqdt's cache folder beside the output's manifest; rows of another salt
    (code, templates) are not used."""

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

    def layout(self, name: str) -> Layout:
        """The layout of file `name` as the last build wrote it (see write_spliced_files)."""
        return self.known.get(name, {})

    def note_layout(self, name: str, layout: Layout) -> None:
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
