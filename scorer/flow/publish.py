"""Publishing a year (Điều 5.2.e) and keeping it frozen afterwards.

`publish` writes submissions/<year>/results.json, the official results: the
decision that published them, the results as `cqdt score --format json` gives
them, and the SHA-256 of every submission and review file they were computed
from. It also records the decision in the cycle file (state: published).

The amendment rule: once published, a year's submission and review files must
keep the bytes results.json records. To change them, Sở TT&TT first adds the
amending decision to `amendments` in cycle.yaml; while an amendment listed
there has not been applied, the year's files may change. Running
`cqdt publish --year <year> --decision <amending decision> --date <its date>`
applies it: results.json is rewritten with the new results and hashes, the
decision is listed among its applied amendments, and the year is frozen again.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from ..core.model import Cycle, Publication
from ..core.problems import Problem
from ..reading.paths import DataRoot, write_atomic
from ..reading.submissions import sha256_hex, year_files

RESULTS_FORMAT = 1


class PublishError(Exception):
    """The year cannot be published as asked; the message says why, in Vietnamese."""


def file_hashes(root: DataRoot, year: int) -> dict[str, str]:
    """SHA-256 of every submission and review file of a year, by path."""
    return {root.relative(p): sha256_hex(p.read_bytes()) for p in year_files(root, year)}


def _decision(publication: Publication) -> dict[str, str]:
    return {"decision": publication.decision, "date": publication.date.isoformat()}


def publish_cycle(cycle: Cycle, decision: str, day: date) -> Cycle:
    """The cycle after publishing (first time) or amending (a new decision) its results."""
    new = Publication(decision, day)
    if cycle.state != "published" or cycle.publication is None:
        return replace(cycle, state="published", publication=new, amendments=())
    if decision == cycle.publication.decision:
        if day != cycle.publication.date:
            raise PublishError(f"quyết định {decision} đã ghi ngày {cycle.publication.date:%d/%m/%Y}, không phải {day:%d/%m/%Y}")
        return cycle
    listed = {a.decision: a for a in cycle.amendments}
    if decision in listed:
        if listed[decision].date != day:
            raise PublishError(f"quyết định sửa đổi {decision} đã ghi ngày {listed[decision].date:%d/%m/%Y}, không phải {day:%d/%m/%Y}")
        return cycle
    latest = max([cycle.publication.date, *(a.date for a in cycle.amendments)])
    if day < latest:
        raise PublishError(f"quyết định sửa đổi phải có ngày từ {latest:%d/%m/%Y} trở đi")
    return replace(cycle, amendments=(*cycle.amendments, new))


def _cycle_text(path: Path, cycle: Cycle) -> str:
    """cycle.yaml with state, publication and amendments updated; comments kept."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from ..forms.scaffold import dump_round_trip

    document = YAML(typ="rt").load(io.StringIO(path.read_text(encoding="utf-8-sig")))

    def flow(entry: Publication) -> CommentedMap:
        mapping = CommentedMap(_decision(entry))
        mapping.fa.set_flow_style()
        return mapping

    document["state"] = cycle.state
    if cycle.publication is not None:
        document["publication"] = flow(cycle.publication)
    if cycle.amendments:
        document["amendments"] = CommentedSeq(flow(a) for a in cycle.amendments)
    return dump_round_trip(document)


def official_results(root: DataRoot, year: int, cycle: Cycle) -> str:
    """The text of results.json for a year scored under the given (published) cycle."""
    from ..core.evaluate import score
    from ..export.results import results_to_dict
    from ..shell.year import read_year, require_valid

    inputs = read_year(root, year)
    inputs.cycle = cycle
    results = score(require_valid(inputs))
    assert cycle.publication is not None
    document: dict[str, Any] = {
        "format": RESULTS_FORMAT,
        "year": year,
        "decision": _decision(cycle.publication),
        "amendments": [_decision(a) for a in cycle.amendments],
        "files": dict(sorted(file_hashes(root, year).items())),
        "results": results_to_dict(results),
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def publish(root: DataRoot, year: int, decision: str, day: date) -> list[Path]:
    """Publish (or amend) a year: write results.json, then the cycle file; returns both paths.

    Raises InputError when the year's data has problems, PublishError when the
    decision does not fit the cycle.
    """
    from ..reading.cycle import load_cycle

    cycle = publish_cycle(load_cycle(root, year), decision.strip(), day)
    results_text = official_results(root, year, cycle)
    cycle_text = _cycle_text(root.cycle_path(year), cycle)
    write_atomic(root.results_path(year), results_text)
    write_atomic(root.cycle_path(year), cycle_text)
    return [root.results_path(year), root.cycle_path(year)]


def _amend_hint(year: int) -> str:
    return (f"muốn sửa, Sở TT&TT ghi quyết định sửa đổi vào 'amendments' trong submissions/{year}/cycle.yaml, "
            f"rồi chạy: cqdt publish --year {year} --decision <số quyết định> --date <YYYY-MM-DD>")


def frozen_problems(root: DataRoot, year: int, paths: set[str] | None = None) -> list[Problem]:
    """Files of a published year that differ from results.json, unless an amendment is pending.

    paths limits the check to those files (as shown in messages, relative to the root).
    """
    from ..reading.cycle import check_cycle

    cycle, _ = check_cycle(root, year)
    results_path = root.results_path(year)
    results_display = root.relative(results_path)
    cycle_display = root.relative(root.cycle_path(year))
    if cycle is None:
        return []
    if cycle.state != "published" or cycle.publication is None:
        if results_path.is_file() and (paths is None or cycle_display in paths):
            return [Problem(cycle_display, 1, 1, f"năm {year} đã có kết quả chính thức ({results_display}) nhưng state không còn là published; không được mở lại năm đã công bố")]
        return []
    published = f"quyết định {cycle.publication.decision} ngày {cycle.publication.date:%d/%m/%Y}"
    if not results_path.is_file():
        return [Problem(cycle_display, 1, 1, f"năm {year} đã công bố theo {published} nhưng chưa có tệp kết quả chính thức {results_display}; hãy chạy: cqdt publish --year {year} --decision \"{cycle.publication.decision}\" --date {cycle.publication.date.isoformat()}")]
    try:
        official = json.loads(results_path.read_bytes())
        recorded: dict[str, str] = official["files"]
        applied = {a["decision"] for a in official.get("amendments", [])}
    except (ValueError, KeyError, TypeError, RecursionError) as err:  # RecursionError: JSON nested too deep
        return [Problem(results_display, 1, 1, f"tệp kết quả chính thức không đọc được ({err}); hãy chạy lại cqdt publish")]
    if any(a.decision not in applied for a in cycle.amendments):
        return []
    current = file_hashes(root, year)
    problems = []
    for path in sorted(set(recorded) | set(current)):
        if paths is not None and path not in paths:
            continue
        if path not in recorded:
            what = "được thêm sau khi công bố kết quả"
        elif path not in current:
            what = "đã bị xóa sau khi công bố kết quả"
        elif recorded[path] != current[path]:
            what = "đã thay đổi sau khi công bố kết quả"
        else:
            continue
        problems.append(Problem(path, 1, 1, f"tệp {what} năm {year} ({published}); {_amend_hint(year)}"))
    return problems
