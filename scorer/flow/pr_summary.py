"""The pull-request check as CI runs it: ownership, deadlines, validation, scores, one Markdown summary.

GitHub shows at most 10 error annotations per step, so only the first problems
become annotations; the job summary lists every one of them.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.inert import annotation, md
from ..core.model import Results, UnitResult
from ..core.problems import InputError, Problem
from ..core.text import STAGE_LABELS, STATUS_LABELS, TIER_LABELS, vn_number
from ..reading.paths import CYCLE_RE, SUBMISSION_RE, DataRoot
from .ownership import Verdict, check_pull_request

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

    @property
    def ok(self) -> bool:
        return self.verdict.ok and not self.problems


def run_checks(root: DataRoot, base: str, actor: str, head: str = "HEAD", pusher: str | None = None) -> PullRequestCheck:
    """Ownership and deadlines from git, validation of the changed files, scores of the changed units.

    A pull request is judged by its base commit's schemas (every file) and criteria (its
    submissions and review records, checked and scored); criteria, registry and cycle files
    it changes are checked as they are in it, against the base's schemas.
    """
    from ..reading.validate import validate_paths
    from ..shell.scoring import evaluate
    from .gitread import data_prefix, export_folders
    from .ownership import resolve_base

    verdict = check_pull_request(root.root, base, actor, head, pusher)
    prefix = data_prefix(root.root) or ""
    changed = sorted({c.path[len(prefix):] for c in verdict.changes
                      if c.status != "D" and c.path.startswith(prefix) and c.path[len(prefix):].endswith(".yaml")
                      and c.path[len(prefix):].startswith(_DATA_FILE)})
    year_files = [p for p in changed if p.startswith("submissions/") and not CYCLE_RE.match(p)]
    with tempfile.TemporaryDirectory(prefix="cqdt-base-rules-") as folder:
        export_folders(root.root, resolve_base(root.root, base), [f"{prefix}criteria", f"{prefix}schema"], Path(folder))
        rules = Path(folder) / prefix
        as_changed = DataRoot(root.root, schema_root=rules)
        judged = DataRoot(root.root, schema_root=rules, criteria_root=rules)
        found = (validate_paths(as_changed, [root.root / p for p in changed if p not in year_files]).problems
                 + validate_paths(judged, [root.root / p for p in year_files]).problems)
        check = PullRequestCheck(verdict, sorted(set(found)))
        for path in year_files:
            match = SUBMISSION_RE.match(path)
            if match and (int(match["year"]), match["unit"]) not in check.changed_units:
                check.changed_units.append((int(match["year"]), match["unit"]))
        for year in sorted({y for y, _ in check.changed_units}):
            try:
                check.results[year] = evaluate(judged, year)
            except InputError as err:
                check.unscored[year] = err.problems
    return check


def annotations(check: PullRequestCheck) -> list[str]:
    """GitHub workflow commands for the first problems (ownership first, then validation)."""
    lines = [annotation("error", v.path, f"{v.detail} (quy tắc: {v.rule})") for v in check.verdict.violations]
    lines += [annotation("error", p.path, p.message, p.line, p.col) for p in check.problems]
    return lines[:MAX_ANNOTATIONS]


def _unit_section(result: UnitResult, results: Results) -> list[str]:
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
        lines.append("- **Đã thẩm định:** " + ", ".join(STAGE_LABELS[s] for s in result.review_stages))
    if result.needs_reverification:
        lines.append("- **Cần thẩm định lại:** bài nộp đã thay đổi sau lần thẩm định của "
                     + ", ".join(STAGE_LABELS[s] for s in result.stale_reviews)
                     + "; điểm được tính đang là điểm tự đánh giá.")
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
        lines.append("")
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
        lines += _unit_section(result, results)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_summary(path: Path, text: str) -> None:
    """Append to the job summary file, as every step of a job shares $GITHUB_STEP_SUMMARY."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
