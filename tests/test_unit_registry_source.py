"""Tests of the units registry generator (scorer/unit_registry_source.py) and its committed output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from slugify import slugify

from scorer.core.text import collation_key
from scorer.generators import registry as source
from scorer.reading.paths import DataRoot
from scorer.reading.registry import check_registry

REPO = Path(__file__).resolve().parent.parent
FILES = ("so.yaml", "huyen.yaml", "xa.yaml", "roles.yaml")
LOGIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9]))*$")  # GitHub: no double or trailing hyphen

CENTRAL_AGENCIES_DIEU_2 = [
    "Bộ Chỉ huy Quân sự tỉnh",
    "Công an tỉnh",
    "Kho bạc Nhà nước tỉnh",
    "Cục Thuế tỉnh",
    "Bảo hiểm xã hội tỉnh",
    "Chi cục Hải quan Phú Thọ",
]


@pytest.fixture(scope="module")
def registry() -> dict[str, list[dict]]:
    return source.build_registry()


@pytest.fixture(scope="module")
def all_units(registry) -> list[dict]:
    return [unit for tier in source.TIERS for unit in registry[tier]]


def all_logins(registry) -> list[str]:
    roles = source.build_roles()
    return [
        login for tier in source.TIERS for unit in registry[tier]
        for login in (*unit["owners"], *unit["reviewers"])
    ] + roles["admins"] + roles["province_reviewers"]


def test_slugify_folds_vietnamese_letters():
    # The ids rely on python-slugify turning đ into d and dropping every tone mark.
    assert slugify("Thị trấn Đoan Hùng") == "thi-tran-doan-hung"
    assert slugify("Xã Ấm Hạ") == "xa-am-ha"


def test_ids_are_unique_short_ascii(all_units):
    ids = [unit["id"] for unit in all_units]
    assert len(ids) == len(set(ids))
    for unit_id in ids:
        assert re.fullmatch(r"[a-z0-9-]+", unit_id), unit_id
        assert len(unit_id) <= 40, unit_id


def test_tier_counts(registry):
    # 18 provincial agencies + the board + 6 central agencies; 207 communes is the
    # latest pre-2025 list that vietnam-provinces 0.6.0 holds (225 in 2020-2021).
    assert [len(registry[tier]) for tier in source.TIERS] == [25, 13, 207]


def test_thirteen_districts_with_official_codes(registry):
    districts = registry["huyen"]
    assert [d["code"] for d in districts] == [str(code) for code in range(227, 241) if code != 229]
    by_id = {d["id"]: d for d in districts}
    assert by_id["tp-viet-tri"]["name"] == "Thành phố Việt Trì"
    assert by_id["tp-viet-tri"]["kind"] == "city"
    assert by_id["tx-phu-tho"]["name"] == "Thị xã Phú Thọ"
    assert by_id["tx-phu-tho"]["kind"] == "town"
    assert by_id["huyen-doan-hung"]["name"] == "Huyện Đoan Hùng"
    assert by_id["huyen-doan-hung"]["kind"] == "district"
    for district in districts:
        assert district["reviewers"] == [f"cqdt-demo-{district['id']}-tham-dinh"]


def test_every_commune_belongs_to_a_listed_district(registry):
    district_ids = {d["id"] for d in registry["huyen"]}
    communes = registry["xa"]
    assert {c["district"] for c in communes} == district_ids  # none missing, none unknown
    for commune in communes:
        assert re.fullmatch(r"\d{5}", commune["code"]), commune
        assert commune["kind"] in {"commune", "ward", "township"}
        assert commune["reviewers"] == []


def test_commune_examples(registry):
    by_id = {c["id"]: c for c in registry["xa"]}
    assert by_id["xa-bang-luan"]["name"] == "Xã Bằng Luân"
    assert by_id["phuong-tien-cat"]["kind"] == "ward"
    assert by_id["thi-tran-doan-hung"]["kind"] == "township"
    assert by_id["thi-tran-doan-hung"]["district"] == "huyen-doan-hung"


def test_colliding_commune_slugs_both_get_their_district(registry):
    by_id = {c["id"]: c for c in registry["xa"]}
    assert "xa-hung-long" not in by_id
    assert by_id["xa-hung-long-doan-hung"]["name"] == "Xã Hùng Long"
    assert by_id["xa-hung-long-yen-lap"]["name"] == "Xã Hưng Long"


def test_commune_ids_suffix_every_member_of_a_collision():
    ids = source.commune_ids([
        ("Xã Hưng Long", "Huyện Yên Lập"),
        ("Xã Bằng Luân", "Huyện Đoan Hùng"),
        ("Xã Hùng Long", "Huyện Đoan Hùng"),
    ])
    assert ids == ["xa-hung-long-yen-lap", "xa-bang-luan", "xa-hung-long-doan-hung"]


def test_commune_ids_refuse_a_collision_inside_one_district():
    with pytest.raises(ValueError):
        source.commune_ids([("Xã Hùng Long", "Huyện Đoan Hùng"), ("Xã Hưng Long", "Huyện Đoan Hùng")])


def test_units_are_sorted(registry):
    communes = registry["xa"]
    district_code = {d["id"]: d["code"] for d in registry["huyen"]}
    keys = [(district_code[c["district"]], c["code"]) for c in communes]
    assert keys == sorted(keys)
    so = registry["so"]
    assert so[0]["id"] == "vp-ubnd"
    kinds = [unit["kind"] for unit in so]
    assert kinds == ["department"] * 18 + ["board"] + ["central"] * 6
    departments = [unit["name"] for unit in so[1:18]]
    assert departments == sorted(departments, key=collation_key)


def test_central_agencies_of_dieu_2(registry):
    central = [unit["name"] for unit in registry["so"] if unit["kind"] == "central"]
    assert central == CENTRAL_AGENCIES_DIEU_2


def test_so_names_spelled_as_in_2021_results(registry):
    names = {unit["name"] for unit in registry["so"]}
    for name in (
        "Văn phòng UBND tỉnh",
        "Sở Thông tin và Truyền thông",
        "Sở Lao động, Thương binh và Xã hội",
        "Sở Nông nghiệp và Phát triển Nông thôn",
        "Sở Kế hoạch và Đầu tư",
        "Sở Công Thương",
        "Ban Quản lý các Khu công nghiệp",
    ):
        assert name in names
    by_id = {unit["id"]: unit for unit in registry["so"]}
    assert by_id["so-tttt"]["short_name"] == "Sở TT&TT"
    assert by_id["bql-kcn"]["kind"] == "board"
    assert all(unit["code"] is None and unit["reviewers"] == [] for unit in registry["so"])


def test_logins_fit_github_and_are_unique(registry):
    logins = all_logins(registry)
    assert len(logins) == len(set(logins))
    for login in logins:
        assert len(login) <= 39, login
        assert LOGIN_RE.match(login), login
    assert registry["so"][0]["owners"] == ["cqdt-demo-vp-ubnd"]


def test_demo_login_truncates_deterministically():
    long_a = "xa-" + "a" * 40 + "-one"
    long_b = "xa-" + "a" * 40 + "-two"
    login_a = source.demo_login(long_a)
    assert len(login_a) <= 39
    assert LOGIN_RE.match(login_a)
    assert login_a == source.demo_login(long_a)
    assert login_a != source.demo_login(long_b)
    assert source.demo_login("xa-bang-luan") == "cqdt-demo-xa-bang-luan"


def test_check_refuses_duplicate_logins(registry):
    twin = dict(registry["xa"][1], owners=list(registry["xa"][0]["owners"]))
    broken = {**registry, "xa": [registry["xa"][0], twin]}
    with pytest.raises(ValueError, match="logins used twice"):
        source.check_ids_and_logins(broken, source.build_roles())


def test_roles():
    assert source.build_roles() == {
        "admins": ["cqdt-demo-admin"],
        "province_reviewers": ["cqdt-demo-so-tttt-tham-dinh"],
    }


def test_write_registry_is_byte_stable_and_matches_the_committed_files(tmp_path):
    first = source.write_registry(tmp_path / "a")
    second = source.write_registry(tmp_path / "b")
    assert [p.name for p in first] == list(FILES)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    # Writing over existing files must not change them, nor leave temporary files.
    source.write_registry(tmp_path / "a")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(FILES)
    for path in first:
        committed = REPO / "units" / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"units/{path.name} is stale: run `cqdt units generate` and commit the result"
        )


def test_written_yaml_shape(tmp_path):
    source.write_registry(tmp_path)
    text = (tmp_path / "so.yaml").read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "\n  - id: so-tttt\n    name: Sở Thông tin và Truyền thông\n    short_name: Sở TT&TT\n" in text
    assert "    owners: [cqdt-demo-so-tttt]\n    reviewers: []\n" in text
    assert "    code: null\n" in text
    data = YAML(typ="safe").load(text)
    assert data["tier"] == "so"
    assert data["units"] == source.build_registry()["so"]
    roles = (tmp_path / "roles.yaml").read_text(encoding="utf-8")
    assert "\nadmins: [cqdt-demo-admin]" in roles


def test_written_files_pass_the_registry_loader(tmp_path):
    source.write_registry(tmp_path / "units")
    loaded, problems = check_registry(DataRoot(tmp_path))
    assert problems == []
    assert loaded is not None
    assert len(loaded.communes_of("huyen-doan-hung")) == 14
    assert loaded.province_reviewers == ("cqdt-demo-so-tttt-tham-dinh",)
