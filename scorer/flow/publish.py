"""Publishing a year (Điều 5.2.e), its gates, amendments, and keeping it frozen afterwards.

`publish` writes submissions/<year>/results.json, the official record (see flow.record), and
records the decision in the cycle file (state: published). It refuses, listing every blocker,
unless: submissions are closed (the year is past `open`); the data validates; every submitted
unit is verified on its current version by every stage its tier requires, or the province's
decision about it is recorded in the cycle file (`unit_decisions`: excluded, or counted
unverified, with decision and reason); and the decision is dated after every submission
deadline and on or after every verification it relies on. A refused publication writes nothing.

The amendment rule: once published, a year's submission and review files keep the bytes the
record lists, and its recomputed results must equal the record. To change a unit's results,
Sở TT&TT adds the amending decision to `amendments` in cycle.yaml, naming the units and the
reason; while it is not applied, those units' files may change (no other's). Running
`cqdt publish --year <year> --decision <amending decision> --date <its date>` applies it: the
record is rewritten, with the amendment and its units' results before and after; it is refused
if any unit it does not name would change (other than in rank).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ..core.evaluate import current_reviews, score, unit_verification
from ..core.model import Amendment, Cycle, Publication
from ..core.problems import Problem
from ..reading.paths import SUBMISSION_RE, DataRoot, write_atomic
from ..reading.record import RECORD_FORMAT, load_record
from .record import (
    amendment_entry,
    decision_dict,
    differences,
    file_hashes,
    pending_units,
    record_text,
    unit_entries,
)
from .record_notes import stage_names


class PublishError(Exception):
    """The year cannot be published as asked; the message says why, in Vietnamese."""


class PublishRefused(PublishError):
    """Publication gates that do not hold; `blockers` lists every one, in Vietnamese."""

    def __init__(self, year: int, blockers: list[str]):
        self.blockers = blockers
        lines = "\n".join(f"- {b}" for b in blockers)
        super().__init__(f"chưa công bố được kết quả năm {year}: {len(blockers)} điều kiện chưa đạt (chưa ghi tệp nào)\n{lines}")


def publish_cycle(cycle: Cycle, decision: str, day: date, units: tuple[str, ...] = (), reason: str = "") -> Cycle:
    """The cycle after publishing (first time) or amending (a new decision, naming units and a
    reason) its results; the cycle itself when the decision is already recorded."""
    new = Publication(decision, day)
    if cycle.state != "published" or cycle.publication is None:
        if units:
            raise PublishError("--unit chỉ dùng cho quyết định sửa đổi kết quả đã công bố")
        return replace(cycle, state="published", publication=new, amendments=())
    if decision == cycle.publication.decision:
        if day != cycle.publication.date:
            raise PublishError(f"quyết định {decision} đã ghi ngày {cycle.publication.date:%d/%m/%Y}, không phải {day:%d/%m/%Y}")
        return cycle
    listed = {a.decision: a for a in cycle.amendments}
    if decision in listed:
        if listed[decision].date != day:
            raise PublishError(f"quyết định sửa đổi {decision} đã ghi ngày {listed[decision].date:%d/%m/%Y}, không phải {day:%d/%m/%Y}")
        if units and set(units) != set(listed[decision].units):
            raise PublishError(f"quyết định sửa đổi {decision} đã ghi các đơn vị {', '.join(listed[decision].units)} trong cycle.yaml")
        return cycle
    latest = max([cycle.publication.date, *(a.date for a in cycle.amendments)])
    if day < latest:
        raise PublishError(f"quyết định sửa đổi phải có ngày từ {latest:%d/%m/%Y} trở đi")
    if not units or not reason.strip():
        raise PublishError("quyết định sửa đổi phải nêu các đơn vị được sửa (--unit) và lý do (--reason); "
                           "hồ sơ của các đơn vị khác vẫn bị khóa")
    return replace(cycle, amendments=(*cycle.amendments, Amendment(decision, day, tuple(units), reason.strip())))


def _cycle_text(path: Path, cycle: Cycle) -> str:
    """cycle.yaml with state, publication, amendments and the relative-best rule written out; comments kept."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from ..forms.scaffold import dump_round_trip

    document = YAML(typ="rt").load(io.StringIO(path.read_text(encoding="utf-8-sig")))

    def flow(entry: Publication | Amendment) -> CommentedMap:
        mapping = CommentedMap(decision_dict(entry))
        mapping.fa.set_flow_style()
        return mapping

    document["state"] = cycle.state
    # Written out, so that a later cqdt with another default scores this year as it was published.
    document["relative_best"] = cycle.relative_best
    if cycle.publication is not None:
        document["publication"] = flow(cycle.publication)
    if cycle.amendments:
        document["amendments"] = CommentedSeq(flow(a) for a in cycle.amendments)
    return dump_round_trip(document)


@dataclass
class Plan:
    """What a run of `cqdt publish` does: first publication, an amendment, or writing an
    already recorded decision again."""

    kind: str  # "publish", "amend" or "again"
    cycle: Cycle  # the cycle as it will be written
    amendment: Amendment | None = None


def _plan(before: Cycle, after: Cycle, decision: str, record: dict[str, Any] | None) -> Plan:
    if before.state != "published":
        return Plan("publish", after)
    applied = {a["decision"] for a in record["amendments"]} if record else set()
    if decision == after.publication.decision or decision in applied:  # type: ignore[union-attr]
        return Plan("again", after)
    return Plan("amend", after, next(a for a in after.amendments if a.decision == decision))


def _unit_blockers(root: DataRoot, inputs: Any, cycle: Cycle, day: date, only: set[str] | None) -> list[str]:
    """Submitted units (of `only`, if given) not verified on their current version by every
    required stage and not decided on; and verifications dated after the decision."""
    blockers = []
    for tier in inputs.criteria_set.tiers:
        for unit in inputs.registry.in_tier(tier):
            submission = inputs.submissions.get(unit.id)
            if submission is None or (only is not None and unit.id not in only):
                continue
            decision = cycle.decision_for(unit.id)
            current, stale = current_reviews(submission, inputs.reviews.get(unit.id))
            state = unit_verification(inputs.criteria_set, tier, current, stale)
            if decision is None and state != "verified":
                blockers.append(f"{unit.id} ({submission.path}): {_verification_gap(inputs, tier, current, stale, state)}; "
                                "hãy thẩm định, hoặc ghi quyết định về đơn vị này vào 'unit_decisions' của cycle.yaml "
                                "(exclude: không đánh giá; count_unverified: tính điểm khi chưa thẩm định đủ), kèm lý do")
            if decision is None or decision.action != "exclude":
                late = [r for r in current if r.date > day]
                blockers += [f"{unit.id}: {stage_names(inputs.criteria_set, [r.stage])} thẩm định ngày {r.date:%d/%m/%Y}, sau ngày quyết định "
                             f"{day:%d/%m/%Y}; quyết định phải ký sau khi có kết quả thẩm định" for r in late]
    return blockers


def _verification_gap(inputs: Any, tier: str, current: list, stale: list, state: str) -> str:
    from ..core.stages import required_stages

    verified = {r.stage for r in current}
    missing = [s for s in required_stages(inputs.criteria_set, tier) if s not in verified]
    names = stage_names(inputs.criteria_set, missing)
    if state == "needs_reverification":
        again = stage_names(inputs.criteria_set, dict.fromkeys(r.stage for r in stale if r.stage not in verified))
        return f"chờ thẩm định lại: bài nộp đã sửa sau khi {again} thẩm định; còn thiếu thẩm định của {names} trên bản hiện tại"
    return f"chưa được {names} thẩm định"


def _date_blockers(cycle: Cycle, day: date) -> list[str]:
    names = {"xa": "hạn nộp của cấp xã", "huyen": "hạn nộp của cấp huyện (và hạn UBND huyện thẩm định cấp xã)",
             "so": "hạn nộp của cấp sở"}
    return [f"ngày quyết định {day:%d/%m/%Y} phải sau {names.get(tier, tier)} ({deadline:%d/%m/%Y})"
            for tier, deadline in sorted(cycle.deadlines.items(), key=lambda item: item[1]) if day <= deadline]


def publication_blockers(root: DataRoot, year: int, before: Cycle, plan: Plan, day: date) -> tuple[list[str], Any]:
    """Every gate that does not hold for this publication (empty: it may go ahead), and the
    year's inputs read under the cycle as it will be."""
    from ..shell.year import read_year

    inputs = read_year(root, year)
    blockers = [str(p) for p in inputs.problems]
    if inputs.registry is None or inputs.criteria_set is None:
        return blockers, inputs
    inputs.cycle = plan.cycle
    if plan.kind == "publish":
        if before.state == "open":
            blockers.insert(0, f"năm {year} vẫn đang nhận phiếu (state: open trong submissions/{year}/cycle.yaml); "
                               "hãy đóng nhận phiếu (state: verifying) và thẩm định trước khi công bố")
        blockers += _date_blockers(plan.cycle, day)
        blockers += _unit_blockers(root, inputs, plan.cycle, day, None)
    else:  # the year is published: only the units this amendment names may have changed
        named = set(plan.amendment.units) if plan.amendment else set()
        blockers += [str(p) for p in frozen_problems(root, year, before)
                     if (match := SUBMISSION_RE.match(p.path)) is None or match["unit"] not in named]
        if named:
            blockers += _unit_blockers(root, inputs, plan.cycle, day, named)
    return blockers, inputs


def publish(root: DataRoot, year: int, decision: str, day: date, units: tuple[str, ...] = (),
            reason: str = "") -> list[Path]:
    """Publish, amend, or write again a year's record; returns the paths written (results.json,
    cycle.yaml). Raises PublishRefused listing every gate that does not hold, PublishError
    when the decision does not fit the cycle; nothing is written then."""
    from ..reading.cycle import load_cycle
    from ..shell.year import require_valid

    before = load_cycle(root, year)
    after = publish_cycle(before, decision.strip(), day, units, reason)
    record = load_record(root, year) if before.state == "published" else None
    plan = _plan(before, after, decision.strip(), record)
    blockers, inputs = publication_blockers(root, year, before, plan, day)
    if blockers:
        raise PublishRefused(year, blockers)
    results = score(require_valid(inputs))
    now = unit_entries(results)
    amendments = list(record["amendments"]) if record and record.get("format") == RECORD_FORMAT else [
        {**decision_dict(a), "changes": []} for a in after.amendments if a != plan.amendment]
    if record is not None:
        recorded = {entry["id"]: entry for entry in record["results"]["units"]}
        named = set(plan.amendment.units) if plan.amendment else set()
        refused = _changed_outside(recorded, now, named, plan, pending_units(after, record) - named)
        if refused:
            raise PublishRefused(year, refused)
        if plan.amendment is not None:
            amendments.append(amendment_entry(plan.amendment, recorded, now))
    text = record_text(root, results, amendments)
    cycle_text = _cycle_text(root.cycle_path(year), after)
    write_atomic(root.results_path(year), text)
    write_atomic(root.cycle_path(year), cycle_text)
    return [root.results_path(year), root.cycle_path(year)]


def _changed_outside(recorded: dict, now: dict, named: set[str], plan: Plan, waiting: set[str]) -> list[str]:
    """Units whose results would change though this decision does not name them."""
    found = []
    for unit_id in sorted(recorded.keys() | now.keys()):
        if unit_id in named:
            continue
        old, new = recorded.get(unit_id), now.get(unit_id)
        changes = ["có trong kết quả đã công bố nhưng không còn trong danh sách đơn vị"] if new is None else (
            ["không có trong kết quả đã công bố"] if old is None else
            differences(old, new, ("rank",) if plan.kind == "amend" else ()))
        if not changes:
            continue
        hint = (" (đơn vị này có trong một quyết định sửa đổi chưa áp dụng: hãy áp dụng quyết định đó)" if unit_id in waiting
                else "; quyết định sửa đổi phải nêu tên đơn vị này (--unit)" if plan.kind == "amend"
                else "; kết quả đã công bố chỉ thay đổi bằng một quyết định sửa đổi nêu tên đơn vị (--decision mới, --unit, --reason)")
        found.append(f"{unit_id}: kết quả sẽ thay đổi ({'; '.join(changes[:8])}){hint}")
    return found


def _amend_hint(year: int) -> str:
    return (f"muốn sửa, Sở TT&TT ghi quyết định sửa đổi (nêu tên đơn vị và lý do) vào 'amendments' trong "
            f"submissions/{year}/cycle.yaml, rồi chạy: cqdt publish --year {year} --decision <số quyết định> --date <YYYY-MM-DD>")


def frozen_problems(root: DataRoot, year: int, cycle: Cycle | None, paths: set[str] | None = None) -> list[Problem]:
    """Files of a published year that differ from the record, except those of units named by
    an amendment not yet applied. `cycle`: the year's cycle as checked (None: it has problems).

    paths limits the check to those files (as shown in messages, relative to the root).
    """
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
    from ..core.problems import InputError

    try:
        record = load_record(root, year)
    except InputError as err:
        return err.problems
    assert record is not None
    unfrozen = pending_units(cycle, record)
    recorded: dict[str, str] = record["files"]
    current = file_hashes(root, year)
    problems = []
    for path in sorted(set(recorded) | set(current)):
        if paths is not None and path not in paths:
            continue
        match = SUBMISSION_RE.match(path)
        if match is not None and match["unit"] in unfrozen:
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
