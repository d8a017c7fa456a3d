"""Submissions and review records: read, check their meaning, build the model."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..core.model import (
    Answer,
    CriteriaSet,
    Cycle,
    Registry,
    Review,
    ReviewRecord,
    Submission,
    TierCriteria,
    VerifiedAnswer,
)
from ..core.problems import InputError, Problem
from ..core.rules import is_nonzero
from .documents import Document, try_read
from .messages import schema_problems
from .paths import SUBMISSION_RE, DataRoot
from .schemas import fast_is_valid, generated_validator
from .yaml import read_bytes

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_SPACE = re.compile(r"\s")
# http(s), a host, no spaces: what the full check below accepts, in one regex.
_PLAIN_WEB_LINK = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://[^/?#\s\[\]]+[^\s]*\Z")


def canonical_value(value: Any) -> Any:
    """A ratio's two numbers in one order, however the file wrote them."""
    if isinstance(value, dict):
        return {"numerator": value["numerator"], "denominator": value["denominator"]}
    return value


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def year_files(root: DataRoot, year: int) -> list[Path]:
    """Submission and review files of a year, in a stable order."""
    folder = root.year_dir(year)
    return [folder / tier / name for tier, name in year_file_names(root, year)]


def year_file_names(root: DataRoot, year: int) -> list[tuple[str, str]]:
    """(tier folder, file name) of each submission and review file of a year, sorted."""
    folder = root.year_dir(year)
    if not folder.is_dir():
        return []
    found = []  # scandir knows file kinds without a stat call per file: years hold thousands
    with os.scandir(folder) as tiers:
        for tier in tiers:
            if tier.is_dir() and not tier.name.startswith("."):  # as glob("*/*.yaml"): no hidden names
                with os.scandir(tier.path) as files:
                    found.extend((tier.name, f.name) for f in files
                                 if f.name.endswith(".yaml") and not f.name.startswith(".") and f.is_file())
    return sorted(found)


class YearContext:
    """What checking a year's files needs: registry, cycle and criteria."""

    def __init__(self, root: DataRoot, registry: Registry, cycle: Cycle, criteria_set: CriteriaSet,
                 bulk: bool = False):
        self.root = root
        self.registry = registry
        self.cycle = cycle
        self.criteria_set = criteria_set
        # Many files to check: compiling a fast yes/no schema check first pays for itself.
        self.bulk = bulk


def _place(ctx: YearContext, path: Path) -> tuple[re.Match | None, str]:
    display = ctx.root.relative(path)
    return SUBMISSION_RE.match(display), display


def _check_header(ctx: YearContext, doc: Document, match: re.Match) -> None:
    data = doc.data
    unit = ctx.registry.by_id.get(data["unit"])
    if data["unit"] != match["unit"]:
        doc.add(("unit",), f"mã đơn vị '{data['unit']}' khác tên tệp '{match['unit']}.yaml'; tên tệp phải là mã đơn vị")
    if unit is None:
        doc.add(("unit",), f"không có đơn vị '{data['unit']}' trong danh sách đơn vị (units/)")
    elif unit.tier != match["tier"]:
        doc.add(("unit",), f"đơn vị '{unit.id}' thuộc cấp '{unit.tier}', nhưng tệp nằm trong thư mục cấp '{match['tier']}'; hãy chuyển tệp sang submissions/{match['year']}/{unit.tier}/")
    if data["year"] != int(match["year"]):
        doc.add(("year",), f"năm {data['year']} khác với thư mục năm {match['year']}")


def check_value(doc: Document, where: tuple, criterion: Any, value: Any) -> None:
    """Meaning checks of one answer beyond its schema (numerator ≤ denominator)."""
    if criterion.kind == "ratio" and isinstance(value, dict):
        numerator, denominator = value["numerator"], value["denominator"]
        if numerator > denominator:
            doc.add((*where, "value", "numerator"), f"tiêu chí {criterion.id}: tử số ({numerator}) lớn hơn mẫu số ({denominator})")


def check_evidence(root: DataRoot, doc: Document, where: tuple, criterion: Any, answer: dict) -> None:
    """Evidence for every non-zero answer; only http(s) links or repository files."""
    evidence = answer.get("evidence") or []
    if is_nonzero(criterion, answer.get("value")) and not evidence:
        doc.add((*where, "value"), f"tiêu chí {criterion.id}: câu trả lời có điểm phải kèm minh chứng (evidence): đường dẫn http(s) hoặc tệp trong kho")
    for index, item in enumerate(evidence):
        problem = evidence_problem(root, item)
        if problem:
            doc.add((*where, "evidence", index), f"tiêu chí {criterion.id}: {problem}")


def evidence_problem(root: DataRoot, item: str) -> str | None:
    """Why an evidence entry is not acceptable, or None."""
    text = item.strip()
    if _PLAIN_WEB_LINK.match(text):  # the common case, decided without urlsplit
        return None
    if _SCHEME.match(text):
        try:
            parts = urlsplit(text)
        except ValueError:  # e.g. an unclosed [ in the host
            parts = None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return f"minh chứng '{text[:80]}' không hợp lệ: chỉ chấp nhận đường dẫn http:// hoặc https://"
        if _SPACE.search(text):
            return f"đường dẫn minh chứng '{text[:80]}' có dấu cách; hãy thay bằng %20"
        return None
    path = Path(text)
    if path.is_absolute() or ".." in path.parts or text.startswith(("/", "\\")):
        return f"đường dẫn tệp minh chứng '{text[:80]}' phải là đường dẫn tương đối trong kho, không có '..'"
    try:
        found = (root.root / path).is_file()
    except OSError:  # a name longer than the system allows, say
        found = False
    if not found:
        return f"không tìm thấy tệp minh chứng '{text[:80]}' trong kho (hoặc hãy dùng đường dẫn http(s))"
    return None


def _read_checked(ctx: YearContext, path: Path, display: str, tier: str, kind: str,
                  raw: bytes | None = None) -> tuple[Document | None, list[Problem]]:
    """Parse, then check against the tier's schema; a unit filed under the wrong
    tier gets that one message instead of the other tier's schema errors."""
    doc, problems = try_read(path, display, None, raw)
    if doc is None:
        return None, problems
    unit_id = doc.data.get("unit") if isinstance(doc.data, dict) else None
    unit = ctx.registry.by_id.get(unit_id) if isinstance(unit_id, str) else None
    if unit is not None and unit.tier != tier:
        year = SUBMISSION_RE.match(display)["year"]
        doc.add(("unit",), f"đơn vị '{unit.id}' thuộc cấp '{unit.tier}', nhưng tệp nằm trong thư mục cấp '{tier}'; hãy chuyển tệp sang submissions/{year}/{unit.tier}/")
        return None, doc.problems
    # Many files: compile the quick check. A few: use it if an earlier run compiled it.
    is_valid = fast_is_valid(ctx.criteria_set, tier, kind, make=ctx.bulk)
    if is_valid is not None and is_valid(doc.data):
        return doc, []
    errors = list(generated_validator(ctx.criteria_set, tier, kind).iter_errors(doc.data))
    return doc, schema_problems(errors, doc.positions, display)


def read_submission(ctx: YearContext, path: Path) -> tuple[Submission | None, list[Problem]]:
    """Read and fully check one submission file."""
    match, display = _place(ctx, path)
    if match is None or match["review"]:
        return None, [Problem(display, 1, 1, "tệp bài nộp phải nằm ở submissions/<năm>/<cấp>/<mã đơn vị>.yaml")]
    tier = match["tier"]
    if tier not in ctx.criteria_set.tiers:
        return None, [Problem(display, 1, 1, f"thư mục cấp '{tier}' không hợp lệ; chỉ có: {', '.join(ctx.criteria_set.tiers)}")]
    try:
        raw = read_bytes(path, display)
    except InputError as err:
        return None, err.problems
    doc, problems = _read_checked(ctx, path, display, tier, "submission", raw)
    if doc is None or problems:
        return None, problems
    _check_header(ctx, doc, match)
    tier_criteria = ctx.criteria_set.tiers[tier]
    answers = {}
    for criterion in tier_criteria.criteria:
        answer = doc.data["answers"][criterion.id]
        where = ("answers", criterion.id)
        check_value(doc, where, criterion, answer.get("value"))
        check_evidence(ctx.root, doc, where, criterion, answer)
        answers[criterion.id] = Answer(
            value=canonical_value(answer.get("value")),
            evidence=tuple(answer.get("evidence") or ()),
            note=answer.get("note") or "",
        )
    if doc.problems:
        return None, sorted(doc.problems)
    return Submission(doc.data["unit"], doc.data["year"], display, sha256_hex(raw), answers), []


def read_review(ctx: YearContext, path: Path) -> tuple[ReviewRecord | None, list[Problem]]:
    """Read and fully check one verification record."""
    match, display = _place(ctx, path)
    if match is None or not match["review"]:
        return None, [Problem(display, 1, 1, "hồ sơ thẩm định phải nằm ở submissions/<năm>/<cấp>/<mã đơn vị>.review.yaml")]
    tier = match["tier"]
    if tier not in ctx.criteria_set.tiers:
        return None, [Problem(display, 1, 1, f"thư mục cấp '{tier}' không hợp lệ")]
    doc, problems = _read_checked(ctx, path, display, tier, "review")
    if doc is None or problems:
        return None, problems
    _check_header(ctx, doc, match)
    tier_criteria = ctx.criteria_set.tiers[tier]
    unit = ctx.registry.by_id.get(doc.data["unit"])
    reviews = []
    for index, entry in enumerate(doc.data["reviews"]):
        _check_reviewer(ctx, doc, ("reviews", index), entry, unit)
        reviews.append(_review(doc, ("reviews", index), entry, tier_criteria))
    if doc.problems:
        return None, sorted(doc.problems)
    return ReviewRecord(doc.data["unit"], doc.data["year"], display, tuple(reviews)), []


def _check_reviewer(ctx: YearContext, doc: Document, where: tuple, entry: dict, unit: Any) -> None:
    if unit is None:
        return
    if entry["stage"] == "district":
        if unit.tier != "xa":
            doc.add((*where, "stage"), "chỉ đơn vị cấp xã có bước thẩm định của huyện (stage: district); hãy ghi stage: province")
            return
        district = ctx.registry.by_id.get(unit.district or "")
        allowed = district.reviewers if district else ()
        if entry["reviewer"] not in allowed:
            doc.add((*where, "reviewer"), f"'{entry['reviewer']}' không có tên trong danh sách người thẩm định của {district.name if district else 'huyện'}")
    elif entry["reviewer"] not in ctx.registry.province_reviewers:
        doc.add((*where, "reviewer"), f"'{entry['reviewer']}' không có tên trong tổ thẩm định của Sở TT&TT (units/roles.yaml)")


def _review(doc: Document, where: tuple, entry: dict, tier_criteria: TierCriteria) -> Review:
    answers = {}
    for cid, answer in entry["answers"].items():
        criterion = tier_criteria.criterion(cid)
        check_value(doc, (*where, "answers", cid), criterion, answer["value"])
        answers[cid] = VerifiedAnswer(canonical_value(answer["value"]), answer["reason"])
    return Review(
        stage=entry["stage"],
        reviewer=entry["reviewer"],
        date=date.fromisoformat(entry["date"]),
        submission_sha256=entry["submission_sha256"],
        answers=answers,
        note=entry.get("note") or "",
    )
