"""Submissions and review records: read, check their meaning, build the model."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
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
    Unit,
    VerifiedAnswer,
)
from ..core.plausible import QUANTITY_NAMES, OutOfRange, out_of_range
from ..core.problems import InputError, Problem
from ..core.rules import is_nonzero
from ..core.stages import holders_text, holds, required_stages, stage_named
from ..core.text import vn_number
from .documents import Document, try_read
from .messages import criterion_phrase, criterion_titles, schema_problems
from .paths import SUBMISSION_RE, DataRoot
from .schemas import compiled_check, generated_validator
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
    """What checking a year's files needs: registry, cycle and criteria, the schema checks of
    each tier (made when first needed); and today's date when review dates are to be checked
    against it (never in a check whose result is kept by content)."""

    def __init__(self, root: DataRoot, registry: Registry, cycle: Cycle, criteria_set: CriteriaSet,
                 bulk: bool = False, today: date | None = None):
        self.root = root
        self.registry = registry
        self.cycle = cycle
        self.criteria_set = criteria_set
        # Many files to check: compiling a fast yes/no schema check first pays for itself.
        self.bulk = bulk
        self.today = today
        # The repository files a check looked for as evidence, and whether each was there (see
        # evidence_problem); a list while someone wants to know.
        self.probed: list[tuple[str, bool]] | None = None
        self._checks: dict[tuple[str, str, bool], Any] = {}

    def schema_check(self, tier: str, kind: str, compiled: bool) -> Any:
        """The tier's schema check of `kind` ("submission", "review"): compiled (a yes/no
        function) or jsonschema's validator."""
        key = (tier, kind, compiled)
        if key not in self._checks:
            make = compiled_check if compiled else generated_validator
            self._checks[key] = make(self.criteria_set, tier, kind)
        return self._checks[key]

    def compile_checks(self, tiers_and_kinds: set[tuple[str, str]]) -> None:
        """Compile these checks now (before worker processes start: they share them)."""
        for tier, kind in sorted(tiers_and_kinds):
            if tier in self.criteria_set.tiers:
                self.schema_check(tier, kind, True)


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
            doc.add((*where, "value", "numerator"),
                    f"{criterion_phrase(criterion.id, criterion.title)}: tử số ({numerator}) lớn hơn mẫu số ({denominator})")


def range_text(criterion: Any, found: OutOfRange) -> str:
    """'<quantity> là 5.000 Mbps/người, ngoài khoảng hợp lý (đến 1.000 Mbps/người)': a value outside its range, in words."""
    name = QUANTITY_NAMES.get(found.quantity) or criterion.quantity or criterion.counted or "số liệu"
    unit = f" {criterion.quantity_unit}" if criterion.quantity_unit else ""
    low, high = found.range.low, found.range.high
    bounds = (f"từ {vn_number(low)} đến {vn_number(high)}" if low is not None and high is not None
              else f"từ {vn_number(low)} trở lên" if low is not None else f"đến {vn_number(high)}")
    return f"{name} là {vn_number(found.value)}{unit}, ngoài khoảng hợp lý ({bounds}{unit})"


def check_plausible(doc: Document, where: tuple, criterion: Any, answer: dict, needs_note: bool = True) -> None:
    """Values outside the criterion's plausible ranges: an error when it says `outside: refuse`;
    with `outside: justify`, accepted only with a written justification in the note (a review's
    answer always has its reason)."""
    for found in out_of_range(criterion, answer.get("value")):
        field = (*where, "value") if found.quantity == "value" else (*where, "value", found.quantity)
        if criterion.outside == "refuse":
            doc.add(field, f"tiêu chí {criterion.id}: {range_text(criterion, found)} mà bộ tiêu chí quy định; "
                           "hãy kiểm tra lại số liệu (đơn vị tính, số chữ số)")
        elif needs_note and not str(answer.get("note") or "").strip():
            doc.add(field, f"tiêu chí {criterion.id}: {range_text(criterion, found)}; nếu số liệu đúng, hãy ghi "
                           "giải trình vào 'note' của tiêu chí này, kèm minh chứng; người thẩm định sẽ xem kỹ")


def check_answer(root: DataRoot, doc: Document, where: tuple, criterion: Any, answer: dict,
                 probed: list[tuple[str, bool]] | None = None) -> None:
    """Every meaning check of one answer of a submission: its value, its plausible range, its
    evidence (the same whether the answer came in a YAML file or a filled-in workbook)."""
    check_value(doc, where, criterion, answer.get("value"))
    check_plausible(doc, where, criterion, answer)
    check_evidence(root, doc, where, criterion, answer, probed)


def check_evidence(root: DataRoot, doc: Document, where: tuple, criterion: Any, answer: dict,
                   probed: list[tuple[str, bool]] | None = None) -> None:
    """Evidence for every non-zero answer; only http(s) links or repository files (each file
    looked for is noted in `probed` with whether it was there)."""
    evidence = answer.get("evidence") or []
    named = criterion_phrase(criterion.id, criterion.title)
    if is_nonzero(criterion, answer.get("value")) and not evidence:
        doc.add((*where, "value"), f"{named}: câu trả lời có điểm phải kèm minh chứng: đường dẫn https://... "
                                   "tới văn bản, hoặc tệp đã đưa vào kho dữ liệu của tỉnh (thư mục evidence/)")
    for index, item in enumerate(evidence):
        problem = evidence_problem(root, item, probed)
        if problem:
            doc.add((*where, "evidence", index), f"{named}: {problem}")


def evidence_problem(root: DataRoot, item: str, probed: list[tuple[str, bool]] | None = None) -> str | None:
    """Why an evidence entry is not acceptable, or None. A repository file looked for is noted
    in `probed` with whether it was there: the answer depends on it as well as on the text."""
    text = item.strip()
    if _PLAIN_WEB_LINK.match(text):  # the common case, decided without urlsplit
        return None
    if _SCHEME.match(text):
        try:
            parts = urlsplit(text)
        except ValueError:  # e.g. an unclosed [ in the host
            parts = None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return f"minh chứng '{text[:80]}' không hợp lệ: chỉ nhận đường dẫn bắt đầu bằng http:// hoặc https://"
        if _SPACE.search(text):
            return f"đường dẫn minh chứng '{text[:80]}' có dấu cách; hãy thay mỗi dấu cách bằng %20"
        return None
    path = Path(text)
    if path.is_absolute() or ".." in path.parts or text.startswith(("/", "\\")):
        return (f"đường dẫn tệp minh chứng '{text[:80]}' phải bắt đầu từ thư mục của kho dữ liệu của tỉnh, "
                "ví dụ evidence/2024/ten-don-vi/bien-ban.pdf, không có '..'")
    try:
        found = (root.root / path).is_file()
    except OSError:  # a name longer than the system allows, say
        found = False
    if probed is not None:
        probed.append((text, found))
    if not found:
        return (f"không tìm thấy tệp minh chứng '{text[:80]}' trong kho dữ liệu của tỉnh; hãy đưa tệp vào "
                "thư mục evidence/ hoặc ghi đường dẫn https://...")
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
    # Many files: the compiled check first (most files are valid). A few: jsonschema alone.
    if ctx.bulk and ctx.schema_check(tier, kind, True)(doc.data):
        return doc, []
    errors = list(ctx.schema_check(tier, kind, False).iter_errors(doc.data))
    return doc, schema_problems(errors, doc.positions, display, titles=criterion_titles(ctx.criteria_set, tier))


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
        check_answer(ctx.root, doc, where, criterion, answer, ctx.probed)
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
    entries = doc.data["reviews"]
    for index, entry in enumerate(entries):
        if unit is not None:
            _check_reviewer(ctx, doc, ("reviews", index), entry, unit)
            _check_stage_order(ctx, doc, index, entries, unit)
        _check_review_date(ctx, doc, ("reviews", index), entry)
        reviews.append(_review(doc, ("reviews", index), entry, tier_criteria))
    if doc.problems:
        return None, sorted(doc.problems)
    return ReviewRecord(doc.data["unit"], doc.data["year"], display, tuple(reviews)), []


def _check_reviewer(ctx: YearContext, doc: Document, where: tuple, entry: dict, unit: Unit) -> None:
    """The entry's reviewer holds its stage for this unit in the registry."""
    stage = stage_named(ctx.criteria_set.stages, entry["stage"])
    if stage is None or unit.tier not in stage.tiers:  # the tier's schema names its stages
        return
    if not holds(stage, unit, ctx.registry, entry["reviewer"]):
        doc.add((*where, "reviewer"), f"'{entry['reviewer']}' không được thẩm định đơn vị {unit.id} ở bước {stage.name} "
                                      f"({stage.id}): không có tên trong {holders_text(stage, unit, ctx.registry)}")


def _check_stage_order(ctx: YearContext, doc: Document, index: int, entries: list[dict], unit: Unit) -> None:
    """A stage verifies a version only after every earlier stage has (district before province),
    and no earlier stage adds an entry for a version a later stage already verified."""
    required = required_stages(ctx.criteria_set, unit.tier)
    entry = entries[index]
    if entry["stage"] not in required:
        return
    position = required.index(entry["stage"])
    before = [(e["stage"], e["submission_sha256"]) for e in entries[:index]]
    name = stage_named(ctx.criteria_set.stages, entry["stage"]).name
    for earlier in required[:position]:
        if (earlier, entry["submission_sha256"]) not in before:
            earlier_name = stage_named(ctx.criteria_set.stages, earlier).name
            doc.add(("reviews", index, "stage"), f"bước {name} thẩm định phiên bản bài nộp này trước bước {earlier_name}: "
                                                 f"cần một mục 'stage: {earlier}' cùng submission_sha256 ở phía trên")
    for later in required[position + 1:]:
        if (later, entry["submission_sha256"]) in before:
            later_name = stage_named(ctx.criteria_set.stages, later).name
            doc.add(("reviews", index, "stage"), f"bước {name} ghi thẩm định sau khi bước {later_name} đã thẩm định "
                                                 "cùng phiên bản bài nộp; các bước phải theo thứ tự")
            break


def _check_review_date(ctx: YearContext, doc: Document, where: tuple, entry: dict) -> None:
    """Dated within the evaluation (not before its year) and, when today is known, not in the future."""
    day = date.fromisoformat(entry["date"])
    if day.year < ctx.cycle.year:
        doc.add((*where, "date"), f"ngày thẩm định {day:%d/%m/%Y} trước năm đánh giá {ctx.cycle.year}")
    if ctx.today is not None and day > ctx.today:
        doc.add((*where, "date"), f"ngày thẩm định {day:%d/%m/%Y} ở tương lai")


def future_review_problems(ctx: YearContext, records: Iterable[ReviewRecord]) -> list[Problem]:
    """Review entries dated after ctx.today, located: the records' files are read again only when
    one of their dates is in the future (their cached check could not know today)."""
    assert ctx.today is not None
    problems = []
    for record in records:
        if any(review.date > ctx.today for review in record.reviews):
            problems.extend(read_review(ctx, ctx.root.root / record.path)[1])
    return problems


def _review(doc: Document, where: tuple, entry: dict, tier_criteria: TierCriteria) -> Review:
    answers = {}
    for cid, answer in entry["answers"].items():
        criterion = tier_criteria.criterion(cid)
        check_value(doc, (*where, "answers", cid), criterion, answer["value"])
        check_plausible(doc, (*where, "answers", cid), criterion, answer, needs_note=False)
        answers[cid] = VerifiedAnswer(canonical_value(answer["value"]), answer["reason"])
    return Review(
        stage=entry["stage"],
        reviewer=entry["reviewer"],
        date=date.fromisoformat(entry["date"]),
        submission_sha256=entry["submission_sha256"],
        answers=answers,
        note=entry.get("note") or "",
    )
