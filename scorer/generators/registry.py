"""Build the units registry (units/*.yaml) of Phú Thọ for Quyết định 1609/QĐ-UBND 2018.

Three tiers are evaluated (Điều 2): cấp sở (specialised agencies of the provincial
People's Committee, the industrial-zones board and six central agencies), cấp huyện
(the 13 district-level units) and cấp xã (every xã, phường and thị trấn).

The sở list is kept here as data: no package holds it. The district and commune
lists come from `vietnam-provinces` 0.x, which holds the pre-2025 three-level map
with official codes (its 2025.x releases hold the two-level map after the 2025
reform, which this decision predates).

Names are written in one tone-mark spelling (README.md, "Tone marks"): in the open
syllables oa, oe, uy the mark sits on the first vowel (Hạ Hòa, Thanh Thủy).

`build_registry` is pure; `write_registry` writes units/so.yaml, huyen.yaml, xa.yaml
and roles.yaml, byte-identical on every run so that a stale committed registry shows
up as a diff. The CLI command `cqdt units generate` calls `write_registry`.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

# Imported at module level on purpose: the CLI turns an ImportError here into a
# message asking for the optional 'units' extra.
import vietnam_provinces
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from slugify import slugify
from vietnam_provinces.enums import DistrictEnum, ProvinceEnum
from vietnam_provinces.enums.wards import WardEnum

from ..core.text import collation_key, tone_marks_on_first_vowel
from ..reading.paths import write_atomic

PROVINCE_CODE = 25
PROVINCE_NAME = "Tỉnh Phú Thọ"

TIERS = ("so", "huyen", "xa")
ID_RE = re.compile(r"^[a-z0-9-]+$")
MAX_ID_LENGTH = 40
# GitHub logins: at most 39 characters, letters, digits and single inner hyphens.
MAX_LOGIN_LENGTH = 39
DEMO_LOGIN_PREFIX = "cqdt-demo"

# ---------------------------------------------------------------------------
# The sở tier (Điều 2). Names of units ranked in the 2021 results (Quyết định
# 519/QĐ-UBND, 08/3/2022) use the spelling of that decision; the six central
# agencies use the spelling of Điều 2 exactly. Each entry: (id, name, short_name).
# ---------------------------------------------------------------------------

PROVINCIAL_OFFICE: tuple[str, str, str | None] = ("vp-ubnd", "Văn phòng UBND tỉnh", "VP UBND tỉnh")

# Specialised agencies (cơ quan chuyên môn) as they stood around 2018-2024; the
# output sorts them by Vietnamese alphabetical order, so the order here is free.
DEPARTMENTS: tuple[tuple[str, str, str | None], ...] = (
    ("so-noi-vu", "Sở Nội vụ", None),
    ("so-tu-phap", "Sở Tư pháp", None),
    ("so-khdt", "Sở Kế hoạch và Đầu tư", "Sở KH&ĐT"),
    ("so-tai-chinh", "Sở Tài chính", None),
    ("so-cong-thuong", "Sở Công Thương", None),
    ("so-nnptnt", "Sở Nông nghiệp và Phát triển Nông thôn", "Sở NN&PTNT"),
    ("so-gtvt", "Sở Giao thông vận tải", "Sở GTVT"),
    ("so-xay-dung", "Sở Xây dựng", None),
    ("so-tnmt", "Sở Tài nguyên và Môi trường", "Sở TN&MT"),
    ("so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT"),
    ("so-ldtbxh", "Sở Lao động, Thương binh và Xã hội", "Sở LĐ-TB&XH"),
    ("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Sở VH-TT&DL"),
    ("so-khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN"),
    ("so-gddt", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT"),
    ("so-y-te", "Sở Y tế", None),
    ("thanh-tra-tinh", "Thanh tra tỉnh", None),
    ("ban-dan-toc", "Ban Dân tộc", None),
)

BOARDS: tuple[tuple[str, str, str | None], ...] = (
    ("bql-kcn", "Ban Quản lý các Khu công nghiệp", "BQL các KCN"),
)

# The six vertically organised central agencies, in the order Điều 2 lists them.
CENTRAL_AGENCIES: tuple[tuple[str, str, str | None], ...] = (
    ("bchqs", "Bộ Chỉ huy Quân sự tỉnh", "Bộ CHQS tỉnh"),
    ("cong-an", "Công an tỉnh", None),
    ("kbnn", "Kho bạc Nhà nước tỉnh", "KBNN tỉnh"),
    ("cuc-thue", "Cục Thuế tỉnh", None),
    ("bhxh", "Bảo hiểm xã hội tỉnh", "BHXH tỉnh"),
    ("hai-quan", "Chi cục Hải quan Phú Thọ", None),
)

# Name prefix -> (kind, id prefix). The package's own division_type is "huyện" or
# "xã" for every unit of these levels, so the kind is read from the name instead.
DISTRICT_PREFIXES: dict[str, tuple[str, str]] = {
    "Thành phố": ("city", "tp"),
    "Thị xã": ("town", "tx"),
    "Huyện": ("district", "huyen"),
}
COMMUNE_KINDS: dict[str, str] = {
    "Xã": "commune",
    "Phường": "ward",
    "Thị trấn": "township",
}

ADMINS = ("admin",)
PROVINCE_REVIEWERS = ("so-tttt-tham-dinh",)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def demo_login(*parts: str) -> str:
    """A placeholder GitHub login `cqdt-demo-<parts>`, at most 39 characters.

    A login that would be too long keeps its head and ends with 6 hex digits of a
    hash of the full name, so truncation is deterministic and two long names that
    share a head still get different logins.
    """
    login = "-".join((DEMO_LOGIN_PREFIX, *parts))
    if len(login) <= MAX_LOGIN_LENGTH:
        return login
    digest = hashlib.sha256(login.encode("utf-8")).hexdigest()[:6]
    head = login[: MAX_LOGIN_LENGTH - len(digest) - 1].rstrip("-")
    return f"{head}-{digest}"


def _split_prefix(name: str, prefixes: Iterable[str]) -> tuple[str, str]:
    """(prefix, rest) of an administrative name such as "Huyện Đoan Hùng"."""
    for prefix in sorted(prefixes, key=len, reverse=True):  # "Thị trấn" before "Thị"
        if name.startswith(prefix + " "):
            return prefix, name[len(prefix) + 1:]
    raise ValueError(f"unexpected administrative name {name!r}: no known prefix")


# ---------------------------------------------------------------------------
# Reading vietnam-provinces
# ---------------------------------------------------------------------------

def source_version() -> str:
    """Version of vietnam-provinces in use; only 0.x holds the pre-2025 map."""
    version = vietnam_provinces.__version__
    if not version.startswith("0."):
        raise RuntimeError(
            f"vietnam-provinces {version} holds the post-2025 map; install vietnam-provinces<1"
        )
    return version


def _province():
    """Phú Thọ from the package, checked by name so a renumbering cannot slip by."""
    province = next(p.value for p in ProvinceEnum if p.value.code == PROVINCE_CODE)
    if province.name != PROVINCE_NAME:
        raise RuntimeError(f"province code {PROVINCE_CODE} is {province.name!r}, expected {PROVINCE_NAME!r}")
    return province


def _districts() -> list:
    """The province's district-level units, by code."""
    code = _province().code
    return sorted((d.value for d in DistrictEnum if d.value.province_code == code), key=lambda d: d.code)


def _wards(district_codes: set[int]) -> list:
    """Commune-level units of the given districts, by district code then code."""
    return sorted(
        (w.value for w in WardEnum if w.value.district_code in district_codes),
        key=lambda w: (w.district_code, w.code),
    )


# ---------------------------------------------------------------------------
# Building the tiers
# ---------------------------------------------------------------------------

def district_id(name: str) -> str:
    """"Thành phố Việt Trì" -> tp-viet-tri, "Huyện Đoan Hùng" -> huyen-doan-hung."""
    prefix, rest = _split_prefix(name, DISTRICT_PREFIXES)
    return f"{DISTRICT_PREFIXES[prefix][1]}-{slugify(rest)}"


def district_short_slug(name: str) -> str:
    """The district's slug without its tp-/tx-/huyen- prefix (for collision suffixes)."""
    return slugify(_split_prefix(name, DISTRICT_PREFIXES)[1])


def commune_ids(communes: list[tuple[str, str]]) -> list[str]:
    """Ids for (commune name, district name) pairs, in the same order.

    The id is the slug of the full name (xa-bang-luan). Slugs drop diacritics, so
    different names can meet (Xã Hùng Long, Xã Hưng Long): then every commune of
    that slug gets its district's short slug appended, so no id depends on which
    commune happened to be listed first.
    """
    bases = [slugify(name) for name, _ in communes]
    groups: dict[str, int] = defaultdict(int)
    for base in bases:
        groups[base] += 1
    ids = [
        f"{base}-{district_short_slug(district)}" if groups[base] > 1 else base
        for base, (_, district) in zip(bases, communes, strict=True)
    ]
    if len(set(ids)) != len(ids):
        raise ValueError("commune ids still collide after adding the district slug")
    return ids


def _unit(
    unit_id: str,
    name: str,
    kind: str,
    *,
    code: str | None,
    short_name: str | None = None,
    district: str | None = None,
    reviewers: tuple[str, ...] = (),
) -> dict:
    """One unit entry, keys in the order they are written; the name in the one tone-mark
    spelling of the project (core.text.tone_marks_on_first_vowel: Hòa, Thủy, as most of the
    official list writes them; the package mixes Hạ Hoà and Thanh Thủy)."""
    entry: dict = {"id": unit_id, "name": tone_marks_on_first_vowel(name)}
    if short_name:
        entry["short_name"] = short_name
    entry["kind"] = kind
    entry["code"] = code
    if district:
        entry["district"] = district
    entry["owners"] = [demo_login(unit_id)]
    entry["reviewers"] = list(reviewers)
    return entry


def build_so() -> list[dict]:
    """The sở tier: Văn phòng UBND tỉnh, departments A-Z, the board, the central agencies."""
    departments = sorted(DEPARTMENTS, key=lambda entry: collation_key(entry[1]))
    groups = (
        ([PROVINCIAL_OFFICE], "department"),
        (departments, "department"),
        (BOARDS, "board"),
        (CENTRAL_AGENCIES, "central"),
    )
    # Sở and huyện have no first-stage reviewers of their own: Sở TT&TT verifies them.
    return [
        _unit(unit_id, name, kind, code=None, short_name=short)
        for entries, kind in groups
        for unit_id, name, short in entries
    ]


def build_huyen(districts: list) -> list[dict]:
    """The huyện tier, by official code; each district's reviewers verify its communes."""
    units = []
    for district in districts:
        unit_id = district_id(district.name)
        kind = DISTRICT_PREFIXES[_split_prefix(district.name, DISTRICT_PREFIXES)[0]][0]
        units.append(_unit(
            unit_id, district.name, kind,
            code=f"{district.code:03d}",
            reviewers=(demo_login(unit_id, "tham-dinh"),),
        ))
    return units


def build_xa(districts: list) -> list[dict]:
    """The xã tier, by district code then commune code."""
    by_code = {d.code: d for d in districts}
    wards = _wards(set(by_code))
    ids = commune_ids([(w.name, by_code[w.district_code].name) for w in wards])
    return [
        _unit(
            unit_id, ward.name, COMMUNE_KINDS[_split_prefix(ward.name, COMMUNE_KINDS)[0]],
            code=f"{ward.code:05d}",
            district=district_id(by_code[ward.district_code].name),
        )
        for unit_id, ward in zip(ids, wards, strict=True)
    ]


def build_roles() -> dict[str, list[str]]:
    """Province-wide roles held by Sở TT&TT."""
    return {
        "admins": [demo_login(name) for name in ADMINS],
        "province_reviewers": [demo_login(name) for name in PROVINCE_REVIEWERS],
    }


def check_ids_and_logins(registry: dict[str, list[dict]], roles: dict[str, list[str]]) -> None:
    """Refuse to write a registry with bad or duplicate ids or logins."""
    seen_ids: set[str] = set()
    for units in registry.values():
        for unit in units:
            unit_id = unit["id"]
            if not ID_RE.match(unit_id) or len(unit_id) > MAX_ID_LENGTH:
                raise ValueError(f"bad unit id {unit_id!r}")
            if unit_id in seen_ids:
                raise ValueError(f"duplicate unit id {unit_id!r}")
            seen_ids.add(unit_id)
    logins = [
        login
        for units in registry.values() for unit in units
        for login in (*unit["owners"], *unit["reviewers"])
    ] + [login for names in roles.values() for login in names]
    for login in logins:
        if len(login) > MAX_LOGIN_LENGTH:
            raise ValueError(f"login {login!r} is longer than {MAX_LOGIN_LENGTH} characters")
    duplicates = sorted({login for login in logins if logins.count(login) > 1})
    if duplicates:
        raise ValueError(f"logins used twice: {', '.join(duplicates)}")


def build_registry() -> dict[str, list[dict]]:
    """Tier -> units in output order: {"so": [...], "huyen": [...], "xa": [...]}."""
    source_version()
    districts = _districts()
    registry = {"so": build_so(), "huyen": build_huyen(districts), "xa": build_xa(districts)}
    check_ids_and_logins(registry, build_roles())
    return registry


# ---------------------------------------------------------------------------
# Writing YAML
# ---------------------------------------------------------------------------

_TIER_TITLES = {
    "so": "cấp sở (provincial agencies, the industrial-zones board, 6 central agencies)",
    "huyen": "cấp huyện (district People's Committees, named by locality)",
    "xa": "cấp xã (every xã, phường and thị trấn)",
}


def _header(tier: str | None) -> str:
    """English comment header saying what the file is and where it comes from."""
    data_version = getattr(vietnam_provinces, "__data_version__", "unknown")
    if tier:
        lines = [
            f"Units of Phú Thọ, {_TIER_TITLES[tier]}: Quyết định 1609/QĐ-UBND 2018, Điều 2.",
            f"Generated by `cqdt units generate` from vietnam-provinces {source_version()} (data of {data_version})",
            "and the Điều 2 list kept in scorer/unit_registry_source.py; regenerating overwrites hand edits.",
        ]
    else:
        lines = [
            "Province-wide roles of Sở TT&TT, which verifies and ranks every unit (Quyết định 1609/QĐ-UBND 2018, Điều 5).",
            "Generated by `cqdt units generate` (scorer/unit_registry_source.py); regenerating overwrites hand edits.",
        ]
    lines.append("GitHub logins (cqdt-demo-...) are demo placeholders, to be replaced by the province.")
    return "\n".join(lines)


def _flow(items: list[str]) -> CommentedSeq:
    """A list written on one line: owners: [x]."""
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _unit_node(unit: dict) -> CommentedMap:
    node = CommentedMap()
    for key, value in unit.items():
        node[key] = _flow(value) if isinstance(value, list) else value
    return node


def _represent_null(representer, _data):
    # The round-trip dumper writes None as an empty value; "null" is clearer to readers.
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _dump(doc: CommentedMap) -> str:
    yaml = YAML(typ="rt")
    yaml.width = 4096  # never wrap a long Vietnamese name
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    yaml.representer.add_representer(type(None), _represent_null)
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()


def render_tier(tier: str, units: list[dict]) -> str:
    """Text of units/<tier>.yaml."""
    doc = CommentedMap()
    doc["tier"] = tier
    doc["units"] = CommentedSeq(_unit_node(unit) for unit in units)
    doc.yaml_set_start_comment(_header(tier))
    return _dump(doc)


_ROLE_COMMENTS = {
    "admins": "Sở TT&TT administrators: criteria, units, cycles, site, code",
    "province_reviewers": "Sở TT&TT verification team: may write every review record",
}


def render_roles(roles: dict[str, list[str]]) -> str:
    """Text of units/roles.yaml, each role explained by an end-of-line comment."""
    doc = CommentedMap()
    for key, logins in roles.items():
        doc[key] = _flow(logins)
    doc.yaml_set_start_comment(_header(None))
    # One column for both comments, just past the longest line, so they line up.
    column = max(len(f"{key}: [{', '.join(logins)}]") for key, logins in roles.items()) + 2
    for key, comment in _ROLE_COMMENTS.items():
        doc.yaml_add_eol_comment(comment, key, column=column)
    return _dump(doc)


def write_registry(units_dir: Path) -> list[Path]:
    """Write so.yaml, huyen.yaml, xa.yaml and roles.yaml into units_dir; return their paths.

    Everything is built and checked before the first file is written, and each file
    is replaced atomically, so a failure never leaves a half-written registry file.
    """
    registry = build_registry()
    contents = {f"{tier}.yaml": render_tier(tier, registry[tier]) for tier in TIERS}
    contents["roles.yaml"] = render_roles(build_roles())
    paths = []
    for filename, text in contents.items():
        path = Path(units_dir) / filename
        write_atomic(path, text)
        paths.append(path)
    return paths
