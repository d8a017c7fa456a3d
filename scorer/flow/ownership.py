"""Who may change which path in a pull request (DESIGN.md, "Who may change what").

Permissions come from the base branch: its registry (units/) and its cycle
files, read with git. Nothing in the pull request itself can widen them, so a
pull request that adds its author to the registry gains nothing.

Who is judged: every change must be one the pull request's author may make. When
the commits were pushed by someone else (GitHub's `github.actor`), every change
must also be one that pusher may make, unless the pusher is an admin: an admin may
push fixes to anyone's pull request, but only within what its author may change.

- a unit's owners: add or change their own unit's submission, and files under
  evidence/<year>/<unit>/, while that year's cycle is open (late is allowed but
  marked);
- reviewers: the review records of the units they verify, append-only: existing
  entries stay exactly as they are, in place; each new entry is signed with the
  reviewer's own login at a stage the base branch's criteria set and registry
  give them for that unit (e.g. district reviewers for the communes of their
  district, Sở TT&TT reviewers for every unit); a published year only while an
  amendment decision is pending;
- the receipt ledgers (submissions/<year>/receipts.jsonl): the merge workflow
  writes them on main; in a pull request, admins only;
- admins (Sở TT&TT): criteria, units, cycles, schemas, site, code, review
  records (to correct them) and every other file;
- nobody: deletes a submission or a review record, stores a symlink, submodule
  or executable among the data, uses a path with `..` or a control character,
  or changes more than one unit's data in one pull request.

Paths are matched with the one ASCII grammar of reading.paths.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from ..core.dates import province_today
from ..core.model import TIERS, Registry, Stage, Unit
from ..core.problems import InputError
from ..core.stages import held_stages, stage_name
from ..reading.paths import EVIDENCE_RE, LEDGER_RE, SUBMISSION_RE
from ..reading.yaml import ADMIN, SUBMITTED, Limits, parse
from .gitread import (
    GITLINK_MODE,
    REGULAR_MODE,
    SYMLINK_MODE,
    Change,
    GitError,
    blob_sizes,
    changes,
    data_prefix,
    git,
    show_files,
)

RULE_PATH = "đường dẫn không được chứa '..', '.', '.git', '\\', ký tự điều khiển hay thành phần rỗng"
RULE_REGULAR = "dữ liệu phải là tệp thường: không liên kết tượng trưng (symlink), submodule hay tệp thực thi"
RULE_OWN_SUBMISSION = "chủ đơn vị chỉ được thêm hoặc sửa bài nộp (và minh chứng) của chính đơn vị mình"
RULE_OPEN_CYCLE = "bài nộp chỉ được thêm hoặc sửa khi năm đánh giá đang mở (state: open)"
RULE_NO_DELETE = "không ai được xóa bài nộp hoặc hồ sơ thẩm định"
RULE_REVIEW = "chỉ người được phân công thẩm định đơn vị mới được ghi hồ sơ thẩm định của đơn vị đó"
RULE_REVIEW_ENTRY = "mỗi người thẩm định chỉ thêm mục thẩm định ghi đúng tên đăng nhập của mình, ở bước mình được giao cho đơn vị đó"
RULE_REVIEW_APPEND = "hồ sơ thẩm định chỉ được ghi thêm vào cuối: không sửa, xóa, chép lặp hay đổi chỗ mục đã có"
RULE_LEDGER = "sổ biên nhận (receipts.jsonl) do quy trình tự động ghi khi nhánh main thay đổi; chỉ quản trị viên được sửa"
RULE_FROZEN = "năm đã công bố chỉ được sửa ở đơn vị mà một quyết định sửa đổi (amendments) chưa áp dụng nêu tên"
RULE_ADMIN = "chỉ quản trị viên Sở TT&TT được sửa tiêu chí, danh sách đơn vị, chu kỳ, trang web và mã nguồn"
RULE_ONE_UNIT = "mỗi yêu cầu hợp nhất (pull request) chỉ thay đổi dữ liệu của một đơn vị"
RULE_SIZE = f"tệp bài nộp và hồ sơ thẩm định không lớn hơn {SUBMITTED.max_bytes // 1024 // 1024} MB"

_CONTROL = re.compile("[\x00-\x1f\x7f]")
_DATA_FOLDERS = ("submissions/", "evidence/", "units/", "criteria/", "schema/")


@dataclass(frozen=True, order=True)
class Violation:
    """A path the actor may not change, the rule that says so, and why."""

    path: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail} (quy tắc: {self.rule})"


@dataclass
class Permissions:
    """The base branch's registry, cycles and verification stages: what decides who may do what."""

    units: dict[str, Unit]
    admins: frozenset[str]
    province_reviewers: frozenset[str]
    cycles: dict[int, dict[str, Any]] = field(default_factory=dict)
    applied_amendments: dict[int, set[str]] = field(default_factory=dict)
    stages: dict[int, tuple[Stage, ...]] = field(default_factory=dict)  # of each year's criteria set

    @cached_property
    def registry(self) -> Registry:
        return Registry(tuple(self.units.values()), tuple(self.admins), tuple(self.province_reviewers))

    def is_admin(self, login: str) -> bool:
        return login.casefold() in self.admins

    def is_province_reviewer(self, login: str) -> bool:
        return login.casefold() in self.province_reviewers

    def owns(self, login: str, unit: Unit) -> bool:
        return login.casefold() in {o.casefold() for o in unit.owners}

    def stages_for(self, login: str, unit: Unit, year: int) -> tuple[str, ...]:
        """The review stages login may record for this unit in that year, in order."""
        return held_stages(self.stages.get(year, ()), unit, self.registry, login)

    def stage_name(self, year: int, stage_id: str) -> str:
        return stage_name(self.stages.get(year, ()), stage_id)

    def pending_amendment(self, year: int, unit_id: str) -> bool:
        """True when the cycle lists an amendment decision naming this unit that results.json
        has not applied: it unfreezes only the units it names."""
        applied = self.applied_amendments.get(year, set())
        return any(isinstance(a, dict) and a.get("decision") not in applied and unit_id in (a.get("units") or ())
                   for a in self.cycles.get(year, {}).get("amendments") or [])

    def roles(self, login: str) -> list[str]:
        """The actor's roles, described for people."""
        found = []
        if self.is_admin(login):
            found.append("quản trị viên Sở TT&TT")
        if self.is_province_reviewer(login):
            found.append("tổ thẩm định Sở TT&TT")
        for unit in sorted(self.units.values(), key=lambda u: u.id):
            if self.owns(login, unit):
                found.append(f"chủ đơn vị {unit.id}")
            if login.casefold() in {r.casefold() for r in unit.reviewers}:
                found.append(f"thẩm định các xã của {unit.id}")
        return found


@dataclass
class Verdict:
    """The outcome of checking one pull request."""

    actor: str
    roles: list[str]
    changes: list[Change]
    violations: list[Violation]
    late: list[str]
    units: list[str]
    pusher: str | None = None  # who pushed the commits, when someone other than the author
    pusher_roles: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def parse_bytes(raw: bytes | None, display: str, limits: Limits = ADMIN) -> Any:
    """A file's data, or None when it is missing, unreadable or over the limits."""
    if raw is None:
        return None
    try:
        return parse(raw.decode("utf-8-sig"), display, limits)
    except (InputError, UnicodeDecodeError):
        return None


def _mapping(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}


def read_permissions(cwd: Path, ref: str, prefix: str, years: set[int]) -> Permissions:
    """Registry and the named years' cycles as they are at ref (base branch)."""
    unit_paths = [f"{prefix}units/{tier}.yaml" for tier in TIERS]
    roles_path = f"{prefix}units/roles.yaml"
    cycle_paths = {year: f"{prefix}submissions/{year}/cycle.yaml" for year in sorted(years)}
    results_paths = {year: f"{prefix}submissions/{year}/results.json" for year in sorted(years)}
    blobs = show_files(cwd, ref, [*unit_paths, roles_path, *cycle_paths.values(), *results_paths.values()])
    units: dict[str, Unit] = {}
    for tier, path in zip(TIERS, unit_paths, strict=True):
        for entry in _mapping(parse_bytes(blobs[path], path)).get("units") or []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                units[entry["id"]] = Unit(
                    id=entry["id"], name=str(entry.get("name", entry["id"])), tier=tier,
                    kind=str(entry.get("kind", "")), district=entry.get("district"),
                    owners=tuple(str(o) for o in entry.get("owners") or ()),
                    reviewers=tuple(str(r) for r in entry.get("reviewers") or ()),
                )
    roles = _mapping(parse_bytes(blobs[roles_path], roles_path))
    permissions = Permissions(
        units=units,
        admins=frozenset(str(a).casefold() for a in roles.get("admins") or ()),
        province_reviewers=frozenset(str(r).casefold() for r in roles.get("province_reviewers") or ()),
    )
    for year, path in cycle_paths.items():
        cycle = parse_bytes(blobs[path], path)
        if isinstance(cycle, dict):
            permissions.cycles[year] = cycle
        results = blobs[results_paths[year]]
        permissions.applied_amendments[year] = _applied_amendments(results)
    set_paths = {year: f"{prefix}criteria/{cycle.get('criteria')}/set.yaml" for year, cycle in permissions.cycles.items()
                 if isinstance(cycle.get("criteria"), str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", cycle["criteria"])}
    sets = show_files(cwd, ref, sorted(set(set_paths.values())))
    for year, path in set_paths.items():
        permissions.stages[year] = _stages(parse_bytes(sets[path], path))
    return permissions


def _stages(head: Any) -> tuple[Stage, ...]:
    """The verification stages of a base branch's set.yaml; none unless it is a valid criteria set
    (then only admins may write review records until one fixes it)."""
    from ..reading.catalogue import read_stages
    from ..reading.schemas import static_validator

    return read_stages(head) if static_validator("criteria-set").is_valid(head) else ()


def _applied_amendments(raw: bytes | None) -> set[str]:
    if raw is None:
        return set()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return set()
    return {a.get("decision") for a in _mapping(data).get("amendments") or [] if isinstance(a, dict)}


def _bad_path(path: str) -> bool:
    parts = path.split("/")
    return (path.startswith("/") or "\\" in path or _CONTROL.search(path) is not None
            or any(p in ("", ".", "..") or p.casefold() == ".git" for p in parts))


class Judge:
    """Applies the rules to each change of one pull request."""

    def __init__(self, permissions: Permissions, actor: str, prefix: str, today: date):
        self.permissions = permissions
        self.actor = actor
        self.prefix = prefix
        self.today = today
        self.violations: list[Violation] = []
        self.late: list[str] = []
        self.unit_paths: dict[str, list[str]] = {}
        self.review_writes: list[tuple[str, int, Unit]] = []

    def deny(self, path: str, rule: str, detail: str) -> None:
        self.violations.append(Violation(path, rule, detail))

    def data_path(self, path: str) -> str | None:
        """The path inside the data root, or None for files outside it."""
        return path[len(self.prefix):] if path.startswith(self.prefix) else None

    def judge(self, change: Change) -> None:
        paths = [p for p in (change.old_path, change.path) if p is not None]
        bad = [p for p in paths if _bad_path(p)]
        for path in bad:
            self.deny(path, RULE_PATH, "đường dẫn không hợp lệ")
        if bad:
            return
        if change.status == "D":
            self.removed(change.path, "xóa tệp")
        elif change.status == "R":
            self.removed(change.old_path, f"đổi tên thành {change.path} (tức là xóa tệp cũ)")
            self.written(change.path, change.new_mode, f"đổi tên từ {change.old_path}")
        else:
            self.written(change.path, change.new_mode, "thêm tệp" if change.status in "AC" else "sửa tệp")

    def removed(self, path: str, what: str) -> None:
        inner = self.data_path(path)
        if LEDGER_RE.match(inner or ""):
            self.ledger(path, what)
            return
        match = SUBMISSION_RE.match(inner or "")
        if match:
            self.touch(match["unit"], path)
            self.deny(path, RULE_NO_DELETE, f"@{self.actor} {what}")
            return
        evidence = EVIDENCE_RE.match(inner or "")
        if evidence and self.owner_may_write(path, int(evidence["year"]), evidence["unit"], None, what):
            return
        if not evidence:
            self.admin_only(path, what)

    def written(self, path: str, mode: str, what: str) -> None:
        inner = self.data_path(path)
        in_data = inner is not None and inner.startswith(_DATA_FOLDERS)
        if mode in (SYMLINK_MODE, GITLINK_MODE) and (in_data or not self.permissions.is_admin(self.actor)):
            kind = "liên kết tượng trưng (symlink)" if mode == SYMLINK_MODE else "submodule"
            self.deny(path, RULE_REGULAR, f"@{self.actor} {what}: tệp là {kind}")
            return
        if in_data and mode != REGULAR_MODE and mode not in (SYMLINK_MODE, GITLINK_MODE):
            self.deny(path, RULE_REGULAR, f"@{self.actor} {what}: tệp có quyền thực thi (chế độ {mode})")
        match = SUBMISSION_RE.match(inner or "")
        evidence = EVIDENCE_RE.match(inner or "")
        if LEDGER_RE.match(inner or ""):
            self.ledger(path, what)
        elif match and match["review"]:
            self.review(path, int(match["year"]), match["unit"], what)
        elif match:
            self.owner_may_write(path, int(match["year"]), match["unit"], match["tier"], what)
        elif evidence:
            self.owner_may_write(path, int(evidence["year"]), evidence["unit"], None, what)
        else:
            self.admin_only(path, what)

    def touch(self, unit_id: str, path: str) -> None:
        self.unit_paths.setdefault(unit_id, []).append(path)

    def ledger(self, path: str, what: str) -> None:
        if not self.permissions.is_admin(self.actor):
            self.deny(path, RULE_LEDGER, f"@{self.actor} {what}: sổ biên nhận chỉ do quy trình tự động ghi")

    def admin_only(self, path: str, what: str) -> None:
        if not self.permissions.is_admin(self.actor):
            self.deny(path, RULE_ADMIN, f"@{self.actor} {what} nhưng không phải quản trị viên")

    def owner_may_write(self, path: str, year: int, unit_id: str, tier: str | None, what: str) -> bool:
        self.touch(unit_id, path)
        unit = self.permissions.units.get(unit_id)
        if unit is None:
            self.deny(path, RULE_OWN_SUBMISSION, f"@{self.actor} {what}: không có đơn vị '{unit_id}' trong danh sách đơn vị của nhánh gốc")
            return False
        if not self.permissions.owns(self.actor, unit):
            self.deny(path, RULE_OWN_SUBMISSION, f"@{self.actor} {what} của đơn vị {unit_id}, nhưng không phải chủ của đơn vị này")
            return False
        if tier is not None and tier != unit.tier:
            self.deny(path, RULE_OWN_SUBMISSION, f"đơn vị {unit_id} thuộc cấp '{unit.tier}', không phải '{tier}'")
            return False
        cycle = self.permissions.cycles.get(year)
        state = cycle.get("state") if cycle else None
        if state != "open":
            reason = f"năm {year} chưa có chu kỳ đánh giá" if cycle is None else f"năm {year} đang ở trạng thái '{state}'"
            self.deny(path, RULE_OPEN_CYCLE, f"@{self.actor} {what}: {reason}")
            return False
        deadline = (cycle.get("deadlines") or {}).get(unit.tier)
        if tier is not None and deadline and self.today > date.fromisoformat(str(deadline)):
            self.late.append(f"{path}: nộp muộn (hạn {date.fromisoformat(str(deadline)):%d/%m/%Y}, ghi nhận {self.today:%d/%m/%Y})")
        return True

    def review(self, path: str, year: int, unit_id: str, what: str) -> None:
        self.touch(unit_id, path)
        unit = self.permissions.units.get(unit_id)
        if unit is None:
            self.deny(path, RULE_REVIEW, f"@{self.actor} {what}: không có đơn vị '{unit_id}' trong danh sách đơn vị của nhánh gốc")
            return
        if not self.permissions.is_admin(self.actor) and not self.permissions.stages_for(self.actor, unit, year):
            self.deny(path, RULE_REVIEW, f"@{self.actor} {what} nhưng không được phân công thẩm định đơn vị {unit_id} năm {year}")
            return
        cycle = self.permissions.cycles.get(year)
        if cycle is None:
            self.deny(path, RULE_REVIEW, f"năm {year} chưa có chu kỳ đánh giá")
            return
        if cycle.get("state") == "published" and not self.permissions.pending_amendment(year, unit_id):
            self.deny(path, RULE_FROZEN, f"@{self.actor} {what}: kết quả năm {year} đã công bố")
            return
        self.review_writes.append((path, year, unit))

    def review_entries(self, before: Any, after: Any, path: str, unit: Unit, year: int) -> None:
        """Append-only for everyone but admins: the entries before the pull request stay exactly
        as they were, in place; each new entry is the actor's own, at a stage the actor holds."""
        if self.permissions.is_admin(self.actor):
            return
        old, new = _entries(before), _entries(after)
        kept = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        if kept < len(old):
            entry = old[kept]
            self.deny(path, RULE_REVIEW_APPEND, f"@{self.actor} sửa, xóa hoặc đổi chỗ mục thẩm định thứ {kept + 1} đã có "
                                                f"(của '{entry.get('reviewer', '')}', bước {self.permissions.stage_name(year, str(entry.get('stage', '')))})")
        allowed = self.permissions.stages_for(self.actor, unit, year)
        for number, entry in enumerate(new[len(old):], start=len(old) + 1):
            reviewer = str(entry.get("reviewer", ""))
            stage = str(entry.get("stage", ""))
            if entry in new[:number - 1]:
                self.deny(path, RULE_REVIEW_APPEND, f"@{self.actor} thêm mục thẩm định thứ {number} trùng hệt một mục đã có")
            if reviewer.casefold() != self.actor.casefold():
                self.deny(path, RULE_REVIEW_ENTRY, f"@{self.actor} thêm mục thẩm định thứ {number} mang tên '{reviewer}' "
                                                   f"(bước {self.permissions.stage_name(year, stage)})")
            elif stage not in allowed:
                self.deny(path, RULE_REVIEW_ENTRY, f"@{self.actor} không được giao thẩm định ở bước '{stage}' cho đơn vị {unit.id}")

    def one_unit(self) -> None:
        if len(self.unit_paths) <= 1:
            return
        names = ", ".join(sorted(self.unit_paths))
        for unit_id in sorted(self.unit_paths)[1:]:
            for path in self.unit_paths[unit_id]:
                self.deny(path, RULE_ONE_UNIT, f"yêu cầu này thay đổi dữ liệu của {len(self.unit_paths)} đơn vị ({names})")


def _entries(data: Any) -> list[dict]:
    reviews = data.get("reviews") if isinstance(data, dict) else None
    return [e for e in reviews if isinstance(e, dict)] if isinstance(reviews, list) else []


def resolve_base(cwd: Path, base: str) -> str:
    """The commit a base name stands for: a ref, or origin/<branch> as Actions checks it out."""
    for candidate in (base, f"origin/{base}"):
        try:
            return git(cwd, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}").decode().strip()
        except GitError:
            continue
    raise GitError(f"không tìm thấy nhánh gốc '{base}' (đã thử '{base}' và 'origin/{base}'; cần git fetch?)")


def judged_logins(permissions: Permissions, author: str, pusher: str | None) -> list[str]:
    """Who must be allowed each change: the author, and the pusher when someone else who is not
    an admin (an admin may push fixes to anyone's pull request, within what its author may do)."""
    if pusher is None or pusher.casefold() == author.casefold() or permissions.is_admin(pusher):
        return [author]
    return [author, pusher]


def check_pull_request(root: Path, base: str, actor: str, head: str = "HEAD", today: date | None = None,
                       pusher: str | None = None) -> Verdict:
    """Judge every change between the merge base of base and head, against base's permissions,
    for the author (`actor`) and for who pushed the commits (see judged_logins).

    Lateness is judged by today's date (default: this machine's clock, in Vietnam), never by
    the commit's dates, which whoever made the commit sets."""
    prefix = data_prefix(root)
    if prefix is None:
        raise GitError(f"{root} không nằm trong một kho git")
    base_commit = resolve_base(root, base)
    merge_base = git(root, "merge-base", base_commit, head).decode().strip()
    found = changes(root, base_commit, head)
    years = set()
    data_files = []
    for change in found:
        for path in (change.path, change.old_path):
            match = SUBMISSION_RE.match(path[len(prefix):] if path and path.startswith(prefix) else "")
            if match:
                years.add(int(match["year"]))
                data_files.append(path)
    permissions = read_permissions(root, base_commit, prefix, years)
    oversized = {path for path, size in blob_sizes(root, head, sorted(set(data_files))).items()
                 if size is not None and size > SUBMITTED.max_bytes}
    today = today or province_today()
    judges = [Judge(permissions, login, prefix, today) for login in judged_logins(permissions, actor, pusher)]
    for judge in judges:
        for change in found:
            judge.judge(change)
        judge.one_unit()
        for path in sorted(oversized):
            judge.deny(path, RULE_SIZE, "tệp quá lớn; không đọc tệp này")
        writes = [(path, year, unit) for path, year, unit in judge.review_writes if path not in oversized]
        if writes:
            paths = [path for path, _, _ in writes]
            before = show_files(root, merge_base, paths)
            after = show_files(root, head, paths)
            for path, year, unit in writes:
                judge.review_entries(parse_bytes(before[path], path, SUBMITTED),
                                     parse_bytes(after[path], path, SUBMITTED), path, unit, year)
    author = judges[0]
    other = pusher if pusher is not None and pusher.casefold() != actor.casefold() else None
    return Verdict(
        actor=actor,
        roles=permissions.roles(actor),
        changes=found,
        violations=sorted({v for judge in judges for v in judge.violations}),
        late=sorted(author.late),
        units=sorted(author.unit_paths),
        pusher=other,
        pusher_roles=permissions.roles(other) if other is not None else [],
    )
