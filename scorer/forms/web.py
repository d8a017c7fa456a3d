"""The submission form page ("Nộp phiếu tự đánh giá") and its data, written with the data
pages (see site.generator).

The page is built from the same criteria sets and generated JSON Schemas the
scorer uses, with message templates produced by running the scorer's own
message code on sample answers, so the browser repeats `cqdt validate` rather
than a second hand-written copy. The data ships as a script file next to the
page so that the form also works opened from disk, offline.

Settings: CQDT_DATA_ROOT, CQDT_YEARS (optional), REPOSITORY_URL, REPOSITORY_BRANCH.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.model import CriteriaSet, Criterion, Registry, Results
from ..core.text import STATE_LABELS, name_order
from ..reading.catalogue import check_criteria_set, load_criteria_set
from ..reading.documents import Document
from ..reading.messages import criterion_phrase, criterion_titles, schema_problems
from ..reading.paths import DataRoot
from ..reading.registry import check_registry, load_registry
from ..reading.schemas import generated_validator, submission_schema, submission_schema_name
from ..reading.submissions import check_evidence, check_value
from ..reading.yaml import Positions
from ..shell.cache import cached_check, check_key, code_version, schema_files
from ..shell.scoring import evaluate
from ..site.manifest import Manifest
from ..site.output import write_if_changed
from ..site.pages import digest_of
from ..site.templates import PageRenderer

# Bumped when the form's data changes shape in a way its inputs' digest would not show.
FORM_FORMAT = 2
PAGE = "nop-phieu/index.html"
DATA_FILE = "nop-phieu/form-data.js"
EVIDENCE_DIR = "evidence"
SENTINEL = "§"


def _text(value: Decimal | int) -> str:
    return format(Decimal(value), "f")


def _criterion(criterion: Criterion) -> dict[str, Any]:
    return {
        "id": criterion.id, "group": criterion.group_id, "title": criterion.title, "kind": criterion.kind,
        "label": criterion_phrase(criterion.id, criterion.title),
        "max": _text(criterion.max), "how": criterion.how, "evidence_hint": criterion.evidence_hint,
        "numerator": criterion.numerator, "denominator": criterion.denominator,
        "full_at": _text(criterion.full_at), "per_item": _text(criterion.per_item), "counted": criterion.counted,
        "options": [{"id": o.id, "label": o.label, "points": _text(o.points)} for o in criterion.options],
        "quantity": criterion.quantity, "quantity_unit": criterion.quantity_unit,
    }


def criteria_set_data(criteria_set: CriteriaSet) -> dict[str, Any]:
    """A criteria set as the form reads it, with each answer's generated value schema."""
    tiers = {}
    for tier_id, tier in criteria_set.tiers.items():
        schema = json.loads(json.dumps(submission_schema(criteria_set, tier_id), default=_text))
        answers = schema["properties"]["answers"]["properties"]
        tiers[tier_id] = {
            "name": tier.name,
            "max_total": _text(tier.max_total),
            "schema_name": submission_schema_name(criteria_set.id, tier_id),
            "groups": [{"id": g.id, "name": g.name, "max": _text(g.max),
                        "minimums": {str(k): _text(v) for k, v in sorted(g.minimums.items())}} for g in tier.groups],
            "criteria": [_criterion(c) for c in tier.criteria],
            "value_schemas": {cid: answer["properties"]["value"] for cid, answer in answers.items()},
        }
    return {
        "id": criteria_set.id, "decision": criteria_set.decision, "decimals": criteria_set.decimals,
        "levels": [{"id": lv.id, "name": lv.name} for lv in criteria_set.levels],
        "unranked_name": criteria_set.unranked_name, "tiers": tiers,
    }


def relative_bests(results: Results) -> dict[str, dict[str, dict[str, str]]]:
    """Highest self-assessed and counted value of each relative criterion some unit answered, per tier."""
    bests: dict[str, dict[str, dict[str, str]]] = {}
    for tier_id in results.criteria_set.tiers:
        found = results.bests.get(tier_id)
        self_best, counted_best = (found.answered_self, found.answered_counted) if found else ({}, {})
        bests[tier_id] = {
            "self": {cid: _text(v) for cid, v in sorted(self_best.items())},
            "counted": {cid: _text(v) for cid, v in sorted(counted_best.items())},
        }
    return bests


def _schema_message(criteria_set: CriteriaSet, tier: str, cid: str, value: Any) -> str:
    validator = generated_validator(criteria_set, tier, "submission")
    doc = {"unit": "x", "year": 2000, "answers": {cid: {"value": value}}}
    errors = [e for e in validator.iter_errors(doc) if tuple(e.absolute_path)[:2] == ("answers", cid)]
    problems = schema_problems(errors, Positions(""), "x", titles=criterion_titles(criteria_set, tier))
    return problems[0].message


def _meaning_message(root: DataRoot, check: str, criterion: Criterion, answer: dict) -> str:
    doc = Document(Path("x"), "x", "", {}, _positions=Positions(""))
    where = ("answers", criterion.id)
    if check == "value":
        check_value(doc, where, criterion, answer["value"])
    else:
        check_evidence(root, doc, where, criterion, answer)
    return doc.problems[0].message


def _template(message: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        if old not in message:
            raise ValueError(f"message template lost its '{old}': {message}")
        message = message.replace(old, new)
    return message


def message_templates(root: DataRoot, criteria_set: CriteriaSet) -> dict[str, str]:
    """The validator's messages the form can meet, made by the scorer's own code, with
    {placeholders}: {criterion} for how messages name a criterion (its id and title, the
    form data's `label`), and the typed text."""
    first: dict[str, tuple[str, Criterion]] = {}
    for tier_id, tier in criteria_set.tiers.items():
        for criterion in tier.criteria:
            first.setdefault(criterion.kind, (tier_id, criterion))
    (count_tier, count), (rel_tier, relative), (ratio_tier, ratio) = first["count"], first["relative"], first["ratio"]
    yes_no = first["yes_no"][1]

    def named(c: Criterion) -> tuple[str, str]:
        return criterion_phrase(c.id, c.title), "{criterion}"

    def schema(tier: str, c: Criterion, value: Any, extra: list[tuple[str, str]]) -> str:
        return _template(_schema_message(criteria_set, tier, c.id, value), [named(c), *extra])

    def meaning(check: str, c: Criterion, answer: dict, extra: list[tuple[str, str]]) -> str:
        return _template(_meaning_message(root, check, c, answer), [named(c), *extra])

    quoted = [(f'"{SENTINEL}"', "{shown}")]
    # What the ratio's two numbers count, as the criterion says (the form data's numerator, denominator).
    parts = [(f"({ratio.numerator})", "({numerator_label})"), (f"({ratio.denominator})", "({denominator_label})")]
    missing = f"{SENTINEL}/{SENTINEL}.pdf"
    templates = {
        "type_integer_or_null": schema(count_tier, count, SENTINEL, quoted),
        "type_number_or_null": schema(rel_tier, relative, SENTINEL, quoted),
        "integer": schema(count_tier, count, Decimal("2.5"), [("2.5", "{value}")]),
        "minimum": schema(count_tier, count, -7, [("-7", "{value}")]),
        "ratio_number": schema(ratio_tier, ratio, SENTINEL, [*parts, *quoted]),
        "ratio_over": meaning("value", ratio, {"value": {"numerator": 7, "denominator": 3}},
                              [("(7)", "({numerator})"), ("(3)", "({denominator})")]),
        "evidence_required": meaning("evidence", yes_no, {"value": True, "evidence": []}, []),
    }
    for part, other in (("numerator", "denominator"), ("denominator", "numerator")):
        templates[f"type_number_{part}"] = schema(ratio_tier, ratio, {part: SENTINEL, other: 1}, quoted)
        templates[f"minimum_{part}"] = schema(ratio_tier, ratio, {part: -7, other: 1}, [("-7", "{value}")])
        templates[f"required_{part}"] = schema(ratio_tier, ratio, {other: 1}, parts)
    samples = {"evidence_scheme": f"mailto:{SENTINEL}", "evidence_space": f"https://x.vn/{SENTINEL} {SENTINEL}",
               "evidence_relative": f"../{SENTINEL}", "evidence_missing": missing}
    for key, sample in samples.items():
        templates[key] = meaning("evidence", yes_no, {"value": None, "evidence": [sample]}, [(sample, "{text}")])
    return templates


def cached_messages(root: DataRoot, criteria_set: CriteriaSet) -> dict[str, str]:
    """message_templates, kept in the cache while the criteria set's files, the schemas and the
    code that words the messages stay the same (working them out runs the validator: 0.05 s)."""
    inputs = [*sorted(root.criteria_set_dir(criteria_set.id).glob("*.yaml")), *schema_files(root)]
    templates, _ = cached_check(root, f"form-messages-{criteria_set.id}", inputs,
                                lambda: (message_templates(root, criteria_set), []))
    return templates


def evidence_files(root: DataRoot) -> list[str]:
    """Repository files under evidence/, which an answer may cite by path."""
    folder = root.root / EVIDENCE_DIR
    if not folder.is_dir():
        return []
    return sorted(root.relative(p) for p in folder.rglob("*") if p.is_file())


def form_units(registry: Registry) -> list[dict[str, Any]]:
    """The units the form offers, by tier, each tier in Vietnamese alphabetical order."""
    return [{"id": u.id, "name": u.name, "tier": u.tier, "district": u.district}
            for u in sorted(registry.units, key=lambda u: (u.tier, *name_order(u.name, u.id)))]


def form_data(root: DataRoot, years: list[int], repository_url: str, branch: str,
              scored: dict[int, Results] | None = None) -> dict[str, Any]:
    """Everything the form page needs, as plain JSON-ready data.

    `scored` holds Results already computed (by the site's generator); other years are scored here.
    """
    registry = load_registry(root)
    year_data, sets = [], {}
    for year in sorted(years):
        results = (scored or {}).get(year) or evaluate(root, year)
        sets[results.criteria_set.id] = results.criteria_set
        year_data.append({
            "year": year, "state": results.cycle.state, "demo": results.cycle.demo,
            "criteria_set": results.criteria_set.id, "bests": relative_bests(results),
            "submitted": sorted(r.unit.id for r in results.units if r.submitted),
        })
    for set_id in root.criteria_set_ids():
        if set_id not in sets:
            sets[set_id] = load_criteria_set(root, set_id)
    return {
        "repository": {"url": repository_url.rstrip("/"), "branch": branch},
        "years": year_data,
        "criteria_sets": {set_id: criteria_set_data(cs) for set_id, cs in sorted(sets.items())},
        "messages": {set_id: cached_messages(root, cs) for set_id, cs in sorted(sets.items())},
        "units": form_units(registry),
        "evidence": evidence_files(root),
        "state_labels": STATE_LABELS,
    }


def data_script(data: dict[str, Any]) -> str:
    """The data as a script assigning one global (loads from file:// where fetch cannot)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # "</" would end the script element early if the file were ever inlined.
    return "window.CQDT_FORM_DATA = " + text.replace("</", "<\\/") + ";\n"


def form_key(root: DataRoot, scored: dict[int, Results], repository_url: str, branch: str) -> str:
    """A digest of everything form_data reads: the checks of the registry and of every criteria
    set (their files, the schemas, the checking code), the code that shapes the data, and what
    it takes from each year's results."""
    set_ids = sorted({*root.criteria_set_ids(), *(results.criteria_set.id for results in scored.values())})
    # Each check again (from this process's memo: these ran while the data was read), then its key.
    check_registry(root)
    checks = [check_key(root, "registry")]
    for set_id in set_ids:
        check_criteria_set(root, set_id)
        checks.append(check_key(root, f"criteria-{set_id}"))
    years = [(year, results.cycle.state, results.cycle.demo, results.criteria_set.id, relative_bests(results),
              [r.unit.id for r in results.units if r.submitted]) for year, results in sorted(scored.items())]
    return digest_of((FORM_FORMAT, code_version(), checks, years, evidence_files(root),
                      repository_url, branch))


def write_form(root: DataRoot, settings: dict[str, Any], results: dict[int, Results], pages: PageRenderer,
               manifest: Manifest | None = None) -> None:
    """Write the form page and its data script. `results`: the Results of the years built. With
    the site's manifest, the data script (1.5 MB nationwide) is made only when its inputs changed."""
    years = list(settings.get("CQDT_YEARS") or root.years())
    url, branch = settings.get("REPOSITORY_URL", "") or "", settings.get("REPOSITORY_BRANCH", "main")
    scored = {year: results.get(year) or evaluate(root, year) for year in sorted(years)}
    pages.write(PAGE, "submit")
    pages.written.add(DATA_FILE)
    key = form_key(root, scored, url, branch) if manifest is not None else None
    if manifest is None or manifest.file_digest(DATA_FILE) != key:
        write_if_changed(pages.output / DATA_FILE, data_script(form_data(root, years, url, branch, scored)))
    if manifest is not None:
        manifest.record_file(DATA_FILE, key)
