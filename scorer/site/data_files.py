"""Open data files of each year (/du-lieu/<year>/) and the JSON Schemas (/schema/)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import export
from ..export_xlsx import to_xlsx
from ..model import TIERS, Results
from ..paths import DataRoot
from ..text import TIER_LABELS
from .output import StreamedFile, write_if_changed

FORMATS = {"csv": "CSV", "json": "JSON", "xlsx": "Excel (XLSX)"}


@dataclass(frozen=True)
class DataFile:
    """One downloadable file: where it goes, what it holds, and how to make it (None: the year's
    JSON files, written together in one pass by write_json_files)."""

    path: str  # relative to the output root, forward slashes
    label: str
    fmt: str
    make: Callable[[], bytes | str] | None
    tier: str | None = None  # the one tier it holds, if so


def _compact(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def json_path(year: int, tier: str | None = None) -> str:
    """A year's JSON file: of one tier, or of all tiers (None)."""
    return f"du-lieu/{year}/ket-qua.json" if tier is None else f"du-lieu/{year}/ket-qua-{tier}.json"


def year_files(results: Results) -> list[DataFile]:
    """The files of a year: all tiers as JSON, then each tier as CSV, JSON and XLSX."""
    year = results.year
    files = [DataFile(json_path(year, None), "Tất cả các cấp", "JSON", None)]
    for tier in results.criteria_set.tiers:
        one = (tier,)
        makers = {
            "csv": lambda one=one: export.to_csv(results, one),
            "json": None,
            "xlsx": lambda one=one: to_xlsx(results, one),
        }
        files.extend(DataFile(json_path(year, tier) if ext == "json" else f"du-lieu/{year}/ket-qua-{tier}.{ext}",
                              TIER_LABELS[tier], FORMATS[ext], make, tier)
                     for ext, make in makers.items())
    return files


def write_json_files(output: Path, results: Results, digests: dict[str, str] | None = None,
                     reuse: dict[str, list] | None = None) -> dict[str, list]:
    """The results as compact JSON (schema/results.schema.json) with every object's keys sorted,
    for all tiers and for each tier, in one pass: each unit is encoded once and streamed to its
    files, so no file is ever whole in memory. Keys are sorted because answer values read from
    the submission cache come back with sorted keys, from YAML in written order, and the files
    must not depend on that; compact output keeps json's fast C encoder.

    `digests` (unit id → digest of its result) and `reuse` (the previous all-tiers file's index,
    unit id → [offset, length, digest], valid for the file now on disk) let a unit whose digest
    is unchanged be copied from that file instead of encoded again. Returns the new file's index."""
    year, tiers = results.year, tuple(results.criteria_set.tiers)
    digests = digests or {}
    streams: dict[str | None, tuple[StreamedFile, str]] = {}
    previous = open(output / json_path(year, None), "rb") if reuse else None  # noqa: SIM115 - closed below
    index: dict[str, list] = {}
    try:
        for key, selected in ((None, TIERS), *((tier, (tier,)) for tier in tiers)):
            head = _compact({**export.results_to_dict(results, selected, with_units=False), "units": []})
            before, after = head.split('"units":[]', 1)
            stream = StreamedFile(output / json_path(year, key))
            stream.write((before + '"units":[').encode("utf-8"))
            streams[key] = (stream, after)
        separators = {key: b"" for key in streams}
        for result in export.ordered_units(results):
            unit_id = result.unit.id
            digest = digests.get(unit_id)
            known = reuse.get(unit_id) if reuse and digest else None
            if previous is not None and known is not None and known[2] == digest:
                previous.seek(known[0])
                line = previous.read(known[1])
            else:
                line = _compact(export.unit_to_dict(result, results.criteria_set)).encode("utf-8")
            for key in (None, result.unit.tier):
                if key in streams:
                    stream = streams[key][0]
                    stream.write(separators[key])
                    if key is None and digest is not None:
                        index[unit_id] = [stream.size, len(line), digest]
                    stream.write(line)
                    separators[key] = b","
        for stream, after in streams.values():
            stream.write(("]" + after + "\n").encode("utf-8"))
            stream.close()
    finally:
        if previous is not None:
            previous.close()
        for stream, _ in streams.values():
            stream.discard()
    return index


def schema_files(root: DataRoot) -> list[DataFile]:
    """Every JSON Schema of the repository, published as is."""
    if not root.schema_dir.is_dir():
        return []
    return [DataFile(f"schema/{p.name}", p.name, "JSON Schema", p.read_bytes)
            for p in sorted(root.schema_dir.glob("*.json"))]


def write_files(output: Path, files: list[DataFile]) -> None:
    """Write each file that has its own maker, leaving unchanged ones untouched."""
    for item in files:
        if item.make is not None:
            write_if_changed(output / item.path, item.make())
