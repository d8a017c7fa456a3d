"""Seeded generator of a synthetic nationwide data root for the benchmark.

    python bench/generate.py --out DIR [--units N] [--seed S] [--years Y] [--year LAST]

Units come from the whole vietnam-provinces 0.x tree (63 provinces, ~700
districts, ~10,000 communes) plus the sở-level agencies of every province; with
--units N the first N units in a fixed order are kept (each province's
agencies, then each district followed by its communes), so a smaller root is a
prefix of a larger one. Every unit submits every year; a share of units have
verification records naming the exact hash of their submission. Answers are
drawn per unit from a seed, so the same arguments give the same bytes. The
root is committed to a fresh Git repository so that `cqdt check-pr` can be
measured against it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scorer.core.model import TIERS, CriteriaSet, Criterion, Unit  # noqa: E402
from scorer.forms.scaffold import new_submission  # noqa: E402
from scorer.reading.catalogue import load_criteria_set  # noqa: E402
from scorer.reading.paths import DataRoot  # noqa: E402

CRITERIA_SET = "qd-1609-2018"
LAST_YEAR = 2024
# Fixed so that the generated Git history (and its hashes) is reproducible.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "cqdt bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "cqdt bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+0700", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+0700",
}

# (id slug, name, kind) of the sở-level units every province has.
AGENCIES = (
    ("van-phong-ubnd", "Văn phòng UBND", "department"),
    ("noi-vu", "Sở Nội vụ", "department"),
    ("tu-phap", "Sở Tư pháp", "department"),
    ("ke-hoach-dau-tu", "Sở Kế hoạch và Đầu tư", "department"),
    ("tai-chinh", "Sở Tài chính", "department"),
    ("cong-thuong", "Sở Công Thương", "department"),
    ("nong-nghiep", "Sở Nông nghiệp và Phát triển nông thôn", "department"),
    ("giao-thong-van-tai", "Sở Giao thông vận tải", "department"),
    ("xay-dung", "Sở Xây dựng", "department"),
    ("tai-nguyen-moi-truong", "Sở Tài nguyên và Môi trường", "department"),
    ("thong-tin-truyen-thong", "Sở Thông tin và Truyền thông", "department"),
    ("lao-dong", "Sở Lao động - Thương binh và Xã hội", "department"),
    ("van-hoa-the-thao-du-lich", "Sở Văn hóa, Thể thao và Du lịch", "department"),
    ("khoa-hoc-cong-nghe", "Sở Khoa học và Công nghệ", "department"),
    ("giao-duc-dao-tao", "Sở Giáo dục và Đào tạo", "department"),
    ("y-te", "Sở Y tế", "department"),
    ("thanh-tra", "Thanh tra tỉnh", "department"),
    ("ban-dan-toc", "Ban Dân tộc", "board"),
    ("ban-quan-ly-kcn", "Ban Quản lý các khu công nghiệp", "board"),
    ("bao-hiem-xa-hoi", "Bảo hiểm xã hội tỉnh", "central"),
    ("cuc-thue", "Cục Thuế tỉnh", "central"),
)
PROVINCE_REVIEWERS = tuple(f"tdtt-{n:02d}" for n in range(1, 13))
ADMINS = ("sotttt-quantri", "sotttt-kythuat")

NOTES = (
    "Số liệu tổng hợp đến hết ngày 30/9.",
    "Đã rà soát, đối chiếu với báo cáo tháng của văn phòng.",
    "Một số máy tính cũ đang chờ thay thế trong quý IV.",
    "Số liệu lấy từ hệ thống một cửa điện tử của tỉnh.",
    "Đơn vị đã triển khai từ tháng 3, số liệu tính cả năm.",
    "Theo báo cáo của bộ phận tiếp nhận và trả kết quả.",
    "Minh chứng đã đăng trên cổng thông tin điện tử của đơn vị.",
    "Chưa có đủ kinh phí để triển khai toàn bộ; dự kiến hoàn thành năm sau.",
)
REASONS = (
    "Minh chứng chưa thể hiện đủ số liệu kê khai; tính theo số liệu đã xác minh.",
    "Đối chiếu hệ thống một cửa điện tử, số hồ sơ thực tế thấp hơn số kê khai.",
    "Danh sách kèm theo không khớp với số lượng cán bộ, công chức.",
    "Đường dẫn minh chứng không truy cập được tại thời điểm thẩm định.",
    "Đơn vị bổ sung minh chứng sau thời hạn; giữ nguyên kết quả xác minh.",
    "Kiểm tra thực tế tại trụ sở cho kết quả khác với số liệu tự đánh giá.",
)


def slug(codename: str) -> str:
    """vietnam-provinces codenames are ASCII with underscores; ids use hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", codename.lower()).strip("-")


def _province_slug(codename: str) -> str:
    return slug(re.sub(r"^(tinh|thanh_pho)_", "", codename))


def _province_short(name: str) -> str:
    return re.sub(r"^(Tỉnh|Thành phố) ", "", name)


def _district_kind(name: str) -> str:
    if name.startswith("Thành phố"):
        return "city"
    if name.startswith("Thị xã"):
        return "town"
    return "district"


def _commune_kind(name: str) -> str:
    if name.startswith("Phường"):
        return "ward"
    if name.startswith("Thị trấn"):
        return "township"
    return "commune"


def _login(prefix: str, serial: int, ident: str) -> str:
    """A GitHub-style login: unique through the serial, at most 39 characters."""
    return f"{prefix}{serial:05d}-{ident}"[:39].rstrip("-")


def nationwide_units() -> Iterator[Unit]:
    """Every unit of the country, in a fixed order: districts before their communes."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    provinces = json.loads(Path(NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))
    serial = 0
    for province in sorted(provinces, key=lambda p: p["code"]):
        prov_slug = _province_slug(province["codename"])
        prov_name = _province_short(province["name"])
        for agency_slug, agency_name, kind in AGENCIES:
            serial += 1
            unit_id = f"so-{agency_slug}-{prov_slug}"
            yield Unit(id=unit_id, name=f"{agency_name} {prov_name}", tier="so", kind=kind,
                       owners=(_login("u", serial, unit_id),))
        for district in sorted(province["districts"], key=lambda d: d["code"]):
            serial += 1
            district_id = f"huyen-{slug(district['short_codename'])}-{district['code']:03d}"
            yield Unit(id=district_id, name=f"{district['name']}, {prov_name}", tier="huyen",
                       kind=_district_kind(district["name"]), code=f"{district['code']:03d}",
                       owners=(_login("u", serial, district_id),),
                       reviewers=(_login("td", serial, district_id),))
            for ward in sorted(district["wards"], key=lambda w: w["code"]):
                serial += 1
                ward_id = f"xa-{slug(ward['short_codename'])}-{ward['code']:05d}"
                yield Unit(id=ward_id, name=ward["name"], tier="xa", kind=_commune_kind(ward["name"]),
                           code=f"{ward['code']:05d}", district=district_id,
                           owners=(_login("u", serial, ward_id),))


def select_units(count: int | None) -> list[Unit]:
    """The first `count` units (all when None); fails if the country has fewer."""
    units = []
    for unit in nationwide_units():
        if count is not None and len(units) == count:
            break
        units.append(unit)
    if count is not None and len(units) < count:
        raise SystemExit(f"vietnam-provinces has only {len(units)} units; asked for {count}")
    return units


def _quote(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)


def registry_yaml(tier: str, units: list[Unit]) -> str:
    """units/<tier>.yaml in the registry format (schema/units.schema.json)."""
    lines = [f"tier: {tier}", "units:"]
    for unit in units:
        lines.append(f"  - id: {unit.id}")
        lines.append(f"    name: {_quote(unit.name)}")
        lines.append(f"    kind: {unit.kind}")
        if unit.code:
            lines.append(f'    code: "{unit.code}"')
        if unit.district:
            lines.append(f"    district: {unit.district}")
        lines.append(f"    owners: [{', '.join(unit.owners)}]")
        lines.append(f"    reviewers: [{', '.join(unit.reviewers)}]")
    return "\n".join(lines) + "\n"


def roles_yaml() -> str:
    return f"admins: [{', '.join(ADMINS)}]\nprovince_reviewers: [{', '.join(PROVINCE_REVIEWERS)}]\n"


def cycle_yaml(year: int, last_year: int) -> str:
    """The last year is open (units may still change it); past years wait for `publish`."""
    return "\n".join([
        f"year: {year}",
        f"criteria: {CRITERIA_SET}",
        "demo: true",
        f"deadlines: {{xa: {year}-10-15, huyen: {year}-10-31, so: {year}-10-31}}",
        "verification_working_days: 60",
        f"state: {'open' if year == last_year else 'verifying'}",
    ]) + "\n"


def publish(root: Path, year: int) -> None:
    """Publish a past year the way Sở TT&TT does: `cqdt publish` writes results.json."""
    command = [sys.executable, "-m", "scorer", "--data", str(root), "publish", "--year", str(year),
               "--decision", f"{100 + year % 100}/QĐ-UBND", "--date", f"{year + 1}-03-15"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"cqdt publish --year {year} failed:\n{done.stdout}{done.stderr}")


@dataclass(frozen=True)
class Template:
    """A tier's empty submission, as `cqdt new` writes it, cut around each answer."""

    head: str
    pieces: tuple[tuple[str, str], ...]  # (text before the answer, criterion id)
    tail: str


_ID_PLACEHOLDER = "bench-unit-id"
_NAME_PLACEHOLDER = "BENCH_UNIT_NAME"


def make_template(criteria_set: CriteriaSet, tier: str, year: int) -> Template:
    """Cut the scaffold after each `  <criterion>:` line and drop its empty answer lines."""
    text = new_submission(criteria_set, Unit(_ID_PLACEHOLDER, _NAME_PLACEHOLDER, tier, "commune"), year)
    lines = text.splitlines(keepends=True)
    ids = {c.id for c in criteria_set.tiers[tier].criteria}
    pieces: list[tuple[str, str]] = []
    chunk: list[str] = []
    head = None
    skipping = False
    for line in lines:
        if skipping and line.startswith("    "):
            continue
        skipping = False
        key = line.strip().rstrip(":")
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":") and key in ids:
            chunk.append(line)
            if head is None:
                head, chunk = "".join(chunk[:-1]), chunk[-1:]
            pieces.append(("".join(chunk), key))
            chunk = []
            skipping = True
        else:
            chunk.append(line)
    if head is None or {cid for _, cid in pieces} != ids:
        raise SystemExit("the submission scaffold (scorer/scaffold.py) changed shape; update bench/generate.py")
    return Template(head, tuple(pieces), "".join(chunk))


def draw_value(criterion: Criterion, rng: random.Random, maturity: float) -> object:
    """A plausible answer of the criterion's kind for a unit of the given maturity (0..1)."""
    kind = criterion.kind
    if kind == "yes_no":
        return rng.random() < 0.35 + 0.65 * maturity
    if kind == "ratio":
        denominator = rng.randint(6, 160)
        share = min(1.0, max(0.0, maturity + rng.gauss(0, 0.12)))
        return {"numerator": round(denominator * share), "denominator": denominator}
    if kind == "count":
        full = int(criterion.max / criterion.per_item) if criterion.per_item else 10
        return max(0, round(full * maturity * rng.uniform(0.5, 1.4)))
    if kind == "choice":
        ranked = sorted(criterion.options, key=lambda o: (-o.points, o.id))
        position = min(len(ranked) - 1, int((1 - maturity) * len(ranked) * rng.uniform(0, 1.6)))
        return ranked[position].id
    if kind == "relative":
        return Decimal(f"{rng.lognormvariate(2.3, 0.45) * (0.4 + maturity):.2f}")
    raise ValueError(f"unknown criterion kind {kind}")


def _is_nonzero(value: object) -> bool:
    if isinstance(value, dict):
        return bool(value["numerator"])
    return value is not None and value is not False and value != 0


def render_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return f"{{numerator: {value['numerator']}, denominator: {value['denominator']}}}"
    if isinstance(value, str):
        return value
    return str(value)


def _host(unit: Unit) -> str:
    return f"{unit.id}.gov.vn"


def render_submission(template: Template, criteria: dict[str, Criterion], unit: Unit, year: int,
                      rng: random.Random) -> str:
    """A filled submission: scaffold comments kept, every criterion answered (a few left null)."""
    maturity = rng.uniform(0.35, 1.0)
    parts = [template.head.replace(_NAME_PLACEHOLDER, unit.name).replace(
        f"unit: {_ID_PLACEHOLDER}\n", f"unit: {unit.id}\n")]
    for before, cid in template.pieces:
        criterion = criteria[cid]
        value = None if rng.random() < 0.02 else draw_value(criterion, rng, maturity)
        evidence = []
        if _is_nonzero(value):
            evidence = [_quote(f"https://{_host(unit)}/minh-chung/{year}/{cid}-{n}.pdf")
                        for n in range(1, rng.randint(1, 2) + 1)]
        note = rng.choice(NOTES) if rng.random() < 0.3 else ""
        parts.append(before)
        parts.append(f"    value: {render_value(value)}\n    evidence: [{', '.join(evidence)}]\n"
                     f"    note: {_quote(note)}\n")
    parts.append(template.tail)
    return "".join(parts)


def render_review(unit: Unit, year: int, sha256: str, criteria: list[Criterion],
                  district_reviewer: str | None, rng: random.Random, complete: bool = False) -> str:
    """A verification record: the district stage for communes, then (for communes, when drawn or
    when `complete`) the province."""
    stages = []
    if district_reviewer is not None:
        stages.append(("district", district_reviewer, f"{year}-10-25"))
    if district_reviewer is None or complete or rng.random() < 0.5:
        stages.append(("province", rng.choice(PROVINCE_REVIEWERS), f"{year}-11-20"))
    lines = [f"unit: {unit.id}", f"year: {year}", "reviews:"]
    for stage, reviewer, day in stages:
        lines += [f"  - stage: {stage}", f"    reviewer: {reviewer}", f"    date: {day}",
                  f"    submission_sha256: {sha256}", "    answers:"]
        for criterion in sorted(rng.sample(criteria, rng.randint(1, 3)), key=lambda c: c.id):
            value = draw_value(criterion, rng, rng.uniform(0.2, 0.6))
            lines += [f"      {criterion.id}:", f"        value: {render_value(value)}",
                      f"        reason: {_quote(rng.choice(REASONS))}"]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> bytes:
    raw = text.encode("utf-8")
    path.write_bytes(raw)
    return raw


def generate(out: Path, count: int | None, seed: int, years: int, last_year: int = LAST_YEAR,
             review_share: float = 0.3) -> list[Unit]:
    """Write a complete data root into the empty folder `out`; returns its units."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; choose a new folder")
    units = select_units(count)
    out.mkdir(parents=True, exist_ok=True)
    for folder in ("criteria", "schema"):
        shutil.copytree(REPO / folder, out / folder)
    root = DataRoot(out)
    criteria_set = load_criteria_set(root, CRITERIA_SET)
    (out / "units").mkdir()
    for tier in TIERS:
        _write(out / "units" / f"{tier}.yaml", registry_yaml(tier, [u for u in units if u.tier == tier]))
    _write(out / "units" / "roles.yaml", roles_yaml())
    by_id = {u.id: u for u in units}
    for year in range(last_year - years + 1, last_year + 1):
        root.year_dir(year).mkdir(parents=True)
        _write(root.cycle_path(year), cycle_yaml(year, last_year))
        templates = {tier: make_template(criteria_set, tier, year) for tier in TIERS}
        criteria = {tier: {c.id: c for c in criteria_set.tiers[tier].criteria} for tier in TIERS}
        for tier in TIERS:
            root.year_dir(year).joinpath(tier).mkdir()
        for unit in units:
            rng = random.Random(f"{seed}:{year}:{unit.id}")
            raw = _write(root.submission_path(year, unit.tier, unit.id),
                         render_submission(templates[unit.tier], criteria[unit.tier], unit, year, rng))
            # A year Sở TT&TT publishes has every unit verified by every stage (the publication gates).
            published = year < last_year
            if published or rng.random() < review_share:
                # A commune's district verifies it before the province may (the stages' order).
                district = by_id[unit.district].reviewers[0] if unit.district else None
                _write(root.review_path(year, unit.tier, unit.id),
                       render_review(unit, year, hashlib.sha256(raw).hexdigest(),
                                     list(criteria[unit.tier].values()), district, rng, complete=published))
    for year in range(last_year - years + 1, last_year):
        publish(out, year)
    commit_all(out, "Synthetic nationwide data root for the benchmark")
    return units


def git(root: Path, *args: str) -> str:
    """Run git in the generated repository with a fixed identity and date."""
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout


def commit_all(root: Path, message: str) -> None:
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-gpg-sign", "-m", message)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="new or empty folder for the data root")
    parser.add_argument("--units", type=int, default=None, help="number of units (default: the whole country)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=1, help="how many years of submissions")
    parser.add_argument("--year", type=int, default=LAST_YEAR, help="the last (open) year")
    args = parser.parse_args(argv)
    units = generate(args.out, args.units, args.seed, args.years, args.year)
    print(f"{args.out}: {len(units)} units × {args.years} year(s)")


if __name__ == "__main__":
    main()
