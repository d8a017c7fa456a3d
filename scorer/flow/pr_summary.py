"""The pull-request check as CI runs it: ownership, deadlines, validation, scores, one Markdown summary.

GitHub shows at most 10 error annotations per step, so only the first problems
become annotations; the job summary lists every one of them.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.inert import annotation, md
from ..core.model import Results, UnitResult
from ..core.problems import InputError, Problem
from ..core.stages import stage_name
from ..core.text import STATUS_LABELS, TIER_LABELS, vn_number
from ..reading.paths import CYCLE_RE, SUBMISSION_RE, DataRoot
from .ownership import Verdict, check_pull_request, parse_bytes
from .record_notes import best_notes, flag_notes, stale_note, value_text

MAX_ANNOTATIONS = 10
_DATA_FILE = ("criteria/", "units/", "submissions/")


@dataclass
class PullRequestCheck:
    """Everything CI found about one pull request."""

    verdict: Verdict
    problems: list[Problem]
    results: dict[int, Results] = field(default_factory=dict)
    unscored: dict[int, list[Problem]] = field(default_factory=dict)
    changed_units: list[tuple[int, str]] = field(default_factory=list)
    # (year, unit id) → the answers of its submission on the base branch (what reviewers saw).
    base_answers: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verdict.ok and not self.problems


def run_checks(root: DataRoot, base: str, actor: str, head: str = "HEAD", pusher: str | None = None) -> PullRequestCheck:
    """Ownership and deadlines from git, validation of the changed files, scores of the changed units.

    A pull request is judged by the schemas of the cqdt installed from its base commit (every
    file) and the base commit's criteria (its submissions and review records, checked and
    scored); criteria, registry and cycle files it changes are checked as they are in it.
    """
    from ..shell.scoring import evaluate
    from .gitread import data_prefix, export_folders
    from .ownership import resolve_base
    from .validate import validate_paths

    verdict = check_pull_request(root.root, base, actor, head, pusher=pusher)
    prefix = data_prefix(root.root) or ""
    changed = sorted({c.path[len(prefix):] for c in verdict.changes
                      if c.status != "D" and c.path.startswith(prefix) and c.path[len(prefix):].endswith((".yaml", ".jsonl"))
                      and c.path[len(prefix):].startswith(_DATA_FILE)})
    year_files = [p for p in changed if p.startswith("submissions/") and not CYCLE_RE.match(p)]
    with tempfile.TemporaryDirectory(prefix="cqdt-base-rules-") as folder:
        export_folders(root.root, resolve_base(root.root, base), [f"{prefix}criteria"], Path(folder))
        judged = DataRoot(root.root, criteria_root=Path(folder) / prefix)
        found = (validate_paths(root, [root.root / p for p in changed if p not in year_files]).problems
                 + validate_paths(judged, [root.root / p for p in year_files]).problems)
        check = PullRequestCheck(verdict, sorted(set(found)))
        for path in year_files:
            match = SUBMISSION_RE.match(path)
            if match and (int(match["year"]), match["unit"]) not in check.changed_units:
                check.changed_units.append((int(match["year"]), match["unit"]))
        check.base_answers = base_answers(root, base, [p for p in changed if SUBMISSION_RE.match(p)])
        for year in sorted({y for y, _ in check.changed_units}):
            try:  # what the change makes of the year, even a published one (an amendment's units)
                check.results[year] = evaluate(judged, year, recorded=False)
            except InputError as err:
                check.unscored[year] = err.problems
    return check


def base_answers(root: DataRoot, base: str, paths: list[str]) -> dict[tuple[int, str], dict[str, Any]]:
    """The answers of these submission files as the base branch has them (absent or unreadable: left out)."""
    from ..reading.yaml import SUBMITTED
    from .gitread import data_prefix, show_files
    from .ownership import resolve_base

    prefix = data_prefix(root.root) or ""
    wanted = [p for p in paths if not SUBMISSION_RE.match(p)["review"]]
    blobs = show_files(root.root, resolve_base(root.root, base), [prefix + p for p in wanted]) if wanted else {}
    found = {}
    for path in wanted:
        data = parse_bytes(blobs.get(prefix + path), path, SUBMITTED)
        answers = data.get("answers") if isinstance(data, dict) else None
        if isinstance(answers, dict):
            match = SUBMISSION_RE.match(path)
            found[int(match["year"]), match["unit"]] = {
                cid: _canonical(answer.get("value")) for cid, answer in answers.items() if isinstance(answer, dict)}
    return found


def _canonical(value: Any) -> Any:
    """A ratio's two numbers in one order, as the scorer keeps them (see submissions.canonical_value)."""
    if isinstance(value, dict) and {"numerator", "denominator"} <= value.keys():
        return {"numerator": value["numerator"], "denominator": value["denominator"]}
    return value


def annotations(check: PullRequestCheck) -> list[str]:
    """GitHub workflow commands for the first problems (ownership first, then validation)."""
    lines = [annotation("error", v.path, f"{v.detail} (quy tắc: {v.rule})") for v in check.verdict.violations]
    lines += [annotation("error", p.path, p.message, p.line, p.col) for p in check.problems]
    return lines[:MAX_ANNOTATIONS]


def _record_lines(result: UnitResult, results: Results, before: dict[str, Any] | None) -> list[str]:
    """Waiting for verification again (and what changed since the base branch), values to look
    at closely, and what the tier's relative criteria are measured against."""
    lines = []
    stale = stale_note(result, results.criteria_set)
    if stale is not None:
        lines.append(f"- **⚠️ {md(stale.text)}**")
    if before is not None:
        changed = [(row.criterion_id, before.get(row.criterion_id), row.self_value) for row in result.criteria
                   if before.get(row.criterion_id) != row.self_value]
        if changed:
            lines.append("- **Số liệu sửa so với nhánh gốc:** " + "; ".join(
                f"{cid}: {md(value_text(old))} → {md(value_text(new))}" for cid, old, new in changed))
    flags = flag_notes(result, results.criteria_set, results.bests.get(result.unit.tier))
    if flags:
        lines.append("- **Số liệu cần người thẩm định xem kỹ:**")
        lines += [f"  - {md(note.text)}" + (f" “{md(note.quote)}”" if note.quote else "") for note in flags]
    lines += [f"- **Tiêu chí so sánh:** {md(note.text)}" for note in best_notes(results, result.unit.tier)]
    return lines


def _unit_section(result: UnitResult, results: Results, before: dict[str, Any] | None = None) -> list[str]:
    cs = results.criteria_set
    tier = cs.tiers[result.unit.tier]
    lines = [f"#### {md(result.unit.name)} ({md(result.unit.id)}), năm {results.year}", ""]
    if not result.submitted:
        return [*lines, "Chưa có bài nộp hợp lệ.", ""]
    lines += ["| Nhóm tiêu chí | Tối đa | Tự đánh giá | Được tính |", "|---|--:|--:|--:|"]
    for group in tier.groups:
        lines.append(f"| {group.id}. {md(group.name)} | {vn_number(group.max)} | "
                     f"{vn_number(result.self_group_scores[group.id])} | {vn_number(result.group_scores[group.id])} |")
    lines.append(f"| **Tổng** | **{vn_number(tier.max_total)}** | **{vn_number(result.self_total)}** | **{vn_number(result.total)}** |")
    lines += ["", f"- **Mức đạt được:** {cs.level_name(result.level)} · **Trạng thái:** {STATUS_LABELS[result.status]}"]
    if result.gap is not None:
        gaps = "; ".join(f"nhóm {s.group_id} còn thiếu {vn_number(s.missing)} điểm "
                         f"({vn_number(s.score)}/{vn_number(s.minimum)})" for s in result.gap.shortfalls)
        lines.append(f"- **Để đạt {cs.level_name(result.gap.level)}:** {gaps}")
    lines.append(f"- **Mã băm bài nộp** (ghi vào `submission_sha256` khi thẩm định): `{result.submission_sha256}`")
    if result.review_stages:
        lines.append("- **Đã thẩm định:** " + ", ".join(stage_name(cs.stages, s) for s in result.review_stages))
    lines += _record_lines(result, results, before)
    changed = [c for c in result.criteria if c.changed_by_review]
    if changed:
        lines += ["", "| Tiêu chí điều chỉnh khi thẩm định | Tự đánh giá | Được tính | Lý do |", "|---|--:|--:|---|"]
        lines += [f"| {md(c.criterion_id)} | {vn_number(c.self_points)} | {vn_number(c.counted_points)} | {md(c.reason or '')} |"
                  for c in changed]
    return [*lines, ""]


def summary_markdown(check: PullRequestCheck) -> str:
    """The job summary: every problem, in Vietnamese, and the changed units' scores."""
    verdict = check.verdict
    head = "✅ Hợp lệ" if check.ok else "❌ Chưa hợp lệ"
    no_role = "không có vai trò trong danh sách đơn vị"
    roles = md(", ".join(verdict.roles)) if verdict.roles else no_role
    lines = [f"## Kiểm tra yêu cầu hợp nhất: {head}", "",
             f"Người gửi: {md('@' + verdict.actor)} ({roles}); "
             f"{len(verdict.changes)} tệp thay đổi.", ""]
    if verdict.pusher is not None:
        pusher_roles = md(", ".join(verdict.pusher_roles)) if verdict.pusher_roles else no_role
        lines += [f"Người đẩy commit: {md('@' + verdict.pusher)} ({pusher_roles}); mọi thay đổi phải thuộc "
                  "quyền của cả người gửi và người đẩy commit (trừ khi người đẩy là quản trị viên).", ""]
    if verdict.ok:
        lines += ["### Quyền sửa đổi: ✅ mọi thay đổi đều thuộc quyền của người gửi", ""]
    else:
        lines += [f"### Quyền sửa đổi: ❌ {len(verdict.violations)} thay đổi vượt quyền", ""]
        lines += [f"- {md(v.path)}: {md(v.detail)} (quy tắc: {md(v.rule)})" for v in verdict.violations]
        lines.append("")
    if verdict.late:
        lines += ["### Hạn nộp", ""] + [f"- ⚠️ {md(note)} — bài nộp muộn vẫn được nhận và được ghi rõ là nộp muộn." for note in verdict.late]
        lines += ["", "_Theo đồng hồ của GitHub lúc kiểm tra, không theo ngày ghi trong commit; khi hợp nhất, "
                  "thời điểm GitHub kiểm tra phiên bản này lần đầu được ghi vào sổ biên nhận._", ""]
    if check.problems:
        lines += [f"### Kiểm tra dữ liệu: ❌ {len(check.problems)} lỗi", "", "| Tệp | Dòng | Cột | Lỗi |", "|---|--:|--:|---|"]
        lines += [f"| {md(p.path)} | {p.line} | {p.col} | {md(p.message)} |" for p in check.problems]
    else:
        lines += ["### Kiểm tra dữ liệu: ✅ không có lỗi"]
    lines.append("")
    if check.changed_units:
        lines += ["### Điểm của đơn vị thay đổi", ""]
    for year, unit_id in check.changed_units:
        if year in check.unscored:
            lines += [f"Chưa chấm được điểm năm {year}: dữ liệu năm này còn {len(check.unscored[year])} lỗi "
                      "(xem kết quả của lệnh cqdt validate).", ""]
            continue
        results = check.results[year]
        result = results.unit(unit_id)
        if result is None:
            lines += [f"Không có đơn vị {md(unit_id)} trong danh sách đơn vị năm {year}.", ""]
            continue
        lines += [f"_{TIER_LABELS[result.unit.tier]}, theo {md(results.criteria_set.decision)}_", ""]
        lines += _unit_section(result, results, check.base_answers.get((year, unit_id)))
    return "\n".join(lines).rstrip("\n") + "\n"


def write_summary(path: Path, text: str) -> None:
    """Append to the job summary file, as every step of a job shares $GITHUB_STEP_SUMMARY."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
