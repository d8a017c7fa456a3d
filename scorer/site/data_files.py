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
from .output import write_if_changed

FORMATS = {"csv": "CSV", "json": "JSON", "xlsx": "Excel (XLSX)"}


@dataclass(frozen=True)
class DataFile:
    """One downloadable file: where it goes, what it holds, and how to make it."""

    path: str  # relative to the output root, forward slashes
    label: str
    fmt: str
    make: Callable[[], bytes | str]


def stable_json(results: Results, tiers: tuple[str, ...] = TIERS) -> str:
    """The results as compact JSON (schema/results.schema.json) with every object's keys sorted:
    answer values read from the submission cache come back with sorted keys, from YAML in written
    order, and the file must not depend on that. Compact output keeps json's fast C encoder."""
    data = export.results_to_dict(results, tiers)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def year_files(results: Results) -> list[DataFile]:
    """The files of a year: all tiers as JSON, then each tier as CSV, JSON and XLSX."""
    base = f"du-lieu/{results.year}"
    files = [DataFile(f"{base}/ket-qua.json", "Tất cả các cấp", "JSON", lambda: stable_json(results))]
    for tier in results.criteria_set.tiers:
        one = (tier,)
        makers = {
            "csv": lambda one=one: export.to_csv(results, one),
            "json": lambda one=one: stable_json(results, one),
            "xlsx": lambda one=one: to_xlsx(results, one),
        }
        files.extend(DataFile(f"{base}/ket-qua-{tier}.{ext}", TIER_LABELS[tier], FORMATS[ext], make)
                     for ext, make in makers.items())
    return files


def schema_files(root: DataRoot) -> list[DataFile]:
    """Every JSON Schema of the repository, published as is."""
    if not root.schema_dir.is_dir():
        return []
    return [DataFile(f"schema/{p.name}", p.name, "JSON Schema", p.read_bytes)
            for p in sorted(root.schema_dir.glob("*.json"))]


def write_files(output: Path, files: list[DataFile]) -> None:
    """Write each file, leaving unchanged ones untouched."""
    for item in files:
        write_if_changed(output / item.path, item.make())
