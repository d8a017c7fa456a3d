"""The built site against the scorer: every unit's page shows its Results, rankings are complete,
builds are deterministic, and unchanged files are left alone."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from site_fixtures import PUBLIC_URL, build, demo_site, run_cqdt, scores

from scorer.core.text import vn_number
from scorer.reading.paths import DataRoot


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    return demo_site(tmp_path_factory)


def text_of(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found, f"pattern {pattern!r} not on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def score_json(data: Path, year: int, tier: str | None = None) -> str:
    """`cqdt score --format json` of a year (of one tier), as written."""
    return run_cqdt("--data", data, "score", "--year", str(year), "--format", "json",
                    *(("--tier", tier) if tier else ())).output


def years_of(data: Path) -> list[int]:
    return DataRoot(data).years()


def test_demo_years_are_built(site):
    data, output = site
    years = years_of(data)
    assert years, "the repository has no demo year"
    for year in years:
        assert (output / str(year) / "index.html").is_file()
    home = (output / "index.html").read_text(encoding="utf-8")
    assert f"Tiến độ năm {years[-1]}" in home
    assert "Dữ liệu minh họa" in home


def test_every_unit_page_shows_the_scored_numbers(site):
    data, output = site
    for year in years_of(data):
        results = scores(data, year)
        for unit in results["units"]:
            page = (output / str(year) / "don-vi" / unit["id"] / "index.html").read_text(encoding="utf-8")
            assert html.escape(unit["name"]) in page
            if unit["status"] == "not_submitted":
                assert "chưa nộp phiếu tự đánh giá" in page
                continue
            assert text_of(page, r'id="tong-diem">(.*?)</strong>') == vn_number(Decimal(str(unit["total"])))
            assert text_of(page, r'id="muc">(.*?)</dd>') == unit["level_name"]
            assert text_of(page, r'id="hang">(.*?)</span>') == str(unit["rank"])
            for group, value in unit["groups"].items():
                shown = text_of(page, rf'data-group="{group}">(.*?)</strong>')
                assert shown == vn_number(Decimal(str(value))), (unit["id"], group)


def test_each_ranking_lists_every_unit_of_its_tier(site):
    data, output = site
    for year in years_of(data):
        results = scores(data, year)
        for tier in results["tiers"]:
            page = (output / str(year) / "xep-hang" / tier["id"] / "index.html").read_text(encoding="utf-8")
            body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
            listed = re.findall(r'href="[^"]*/don-vi/([a-z0-9-]+)/"', body)
            expected = [u["id"] for u in results["units"] if u["tier"] == tier["id"]]
            assert listed == expected  # same units, in ranking order


def test_district_pages_list_their_communes(site):
    data, output = site
    year = years_of(data)[-1]
    results = scores(data, year)
    districts = [u for u in results["units"] if u["tier"] == "huyen"]
    assert districts
    for district in districts:
        page = (output / str(year) / "huyen" / district["id"] / "index.html").read_text(encoding="utf-8")
        communes = {u["id"] for u in results["units"] if u["district"] == district["id"]}
        assert set(re.findall(r'/don-vi/([a-z0-9-]+)/"', page)) == communes | {district["id"]}


def test_open_data_files_validate_and_match_scores(site, repo_root):
    data, output = site
    schema = json.loads((repo_root / "schema" / "results.schema.json").read_text(encoding="utf-8"))
    for year in years_of(data):
        folder = output / "du-lieu" / str(year)
        everything = scores(data, year)
        published = []
        for tier in ("so", "huyen", "xa"):
            one = json.loads((folder / f"ket-qua-{tier}.json").read_text(encoding="utf-8"))
            jsonschema.validate(one, schema)
            assert {u["tier"] for u in one["units"]} <= {tier}
            published += one["units"]
            # Byte for byte what anyone rebuilding the results with cqdt gets.
            assert (folder / f"ket-qua-{tier}.json").read_text(encoding="utf-8") == score_json(data, year, tier)
            assert (folder / f"ket-qua-{tier}.csv").read_text(encoding="utf-8").startswith("\ufeffyear,tier,rank")
            assert (folder / f"ket-qua-{tier}.xlsx").read_bytes()[:2] == b"PK"
        # The tiers' files hold every unit of the results, as scored; no file repeats them all.
        assert sorted(published, key=lambda u: u["id"]) == sorted(everything["units"], key=lambda u: u["id"])
        assert not (folder / "ket-qua.json").exists()
    assert (output / "schema" / "results.schema.json").is_file()


def test_every_page_has_a_title_description_and_language(site):
    _, output = site
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        page = path.read_text(encoding="utf-8")
        assert '<html lang="vi">' in page, path
        assert re.search(r"<title>[^<]{10,}</title>", page), path
        assert re.search(r'<meta name="description" content="[^"]{20,}">', page), path


def test_no_external_resources(site):
    _, output = site
    for path in output.rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', page), path


def test_sitemap_lists_pages_but_not_404_at_absolute_addresses(site):
    data, output = site
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    year = years_of(data)[-1]
    assert f"<loc>{PUBLIC_URL}{year}/xep-hang/xa/</loc>" in sitemap
    assert f"<loc>{PUBLIC_URL}phuong-phap/</loc>" in sitemap
    assert f"<loc>{PUBLIC_URL}so-do-trang/</loc>" in sitemap
    for unit in scores(data, year)["units"]:
        assert f"<loc>{PUBLIC_URL}{year}/don-vi/{unit['id']}/</loc>" in sitemap
        assert f"<loc>{PUBLIC_URL}don-vi/{unit['id']}/</loc>" in sitemap
    assert re.findall(r"<loc>(.*?)</loc>", sitemap) == sorted(set(re.findall(r"<loc>(.*?)</loc>", sitemap)))
    assert all(loc.startswith(PUBLIC_URL) for loc in re.findall(r"<loc>(.*?)</loc>", sitemap))
    assert "404" not in sitemap
    assert (output / "404.html").is_file()


def test_no_public_url_no_sitemap_with_relative_addresses(site, tmp_path, monkeypatch):
    """The sitemaps protocol takes absolute addresses only: without the public URL there is no
    sitemap.xml (and one left by a build that had it is removed)."""
    data, _ = site
    monkeypatch.setenv("CQDT_PUBLIC_URL", PUBLIC_URL)
    year = str(years_of(data)[-1])
    target = build(data, tmp_path / "out", "--year", year)
    assert (target / "sitemap.xml").is_file()
    monkeypatch.setenv("CQDT_PUBLIC_URL", "")
    build(data, target, "--year", year)
    assert not (target / "sitemap.xml").exists()
    assert (target / "so-do-trang" / "index.html").is_file()


def test_the_404_page_links_from_the_site_root(site):
    """404.html is shown at any missing address, however deep: its links and its style start
    from the root of the public URL, never from where it is shown."""
    _, output = site
    page = (output / "404.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:href|src|data-root|data-index)="([^"]*)"', page)
    relative = [link for link in links if not re.match(r"(/cqdt(/|$)|[a-z]+:|#)", link)]
    assert len(links) > 8 and relative == []
    assert 'href="/cqdt/theme/css/site.css"' in page


def test_two_builds_are_identical_and_a_rebuild_leaves_files_alone(site, tmp_path, monkeypatch):
    data, output = site
    monkeypatch.setenv("CQDT_PUBLIC_URL", PUBLIC_URL)
    again = build(data, tmp_path / "again")
    first = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    year = years_of(data)[-1]
    unchanged, damaged = again / "index.html", again / str(year) / "index.html"
    written = unchanged.stat().st_mtime_ns
    damaged.write_text("hỏng", encoding="utf-8")
    build(data, again)
    assert unchanged.stat().st_mtime_ns == written  # its inputs are the same: not written again
    assert damaged.read_bytes() == first[Path(f"{year}/index.html")]


def test_every_hand_written_page_is_rendered_at_its_name(site, repo_root):
    _, output = site
    pages = sorted((repo_root / "site" / "content" / "pages").glob("*.md"))
    assert {p.stem for p in pages} >= {"phuong-phap", "du-lieu-mo", "gioi-thieu"}
    for source in pages:
        title = source.read_text(encoding="utf-8").split("\n", 1)[0].removeprefix("Title:").strip()
        page = (output / source.stem / "index.html").read_text(encoding="utf-8")
        assert f"<h1>{html.escape(title, quote=False)}</h1>" in page, source.name


def test_a_rebuild_removes_pages_of_units_no_longer_there(site, tmp_path, monkeypatch):
    """Left by an earlier build the memo does not know (an older cqdt, a memo deleted since)."""
    data, _ = site
    target = tmp_path / "out"
    build(data, target)
    monkeypatch.setenv("CQDT_CACHE_DIR", str(tmp_path / "another-memo"))
    year = years_of(data)[-1]
    stale = target / str(year) / "don-vi" / "don-vi-da-giai-the" / "index.html"
    stale.parent.mkdir()
    stale.write_text("cũ", encoding="utf-8")
    (target / "1999" / "don-vi").mkdir(parents=True)
    (target / "1999" / "don-vi" / "x.html").write_text("cũ", encoding="utf-8")
    (target / "ghi-chu.txt").write_text("không phải của trang", encoding="utf-8")
    build(data, target)
    assert not stale.parent.exists()
    assert not (target / "1999").exists()
    assert (target / "ghi-chu.txt").is_file()  # outside the generated folders: left alone
    assert (target / str(year) / "index.html").is_file()
    assert (target / "theme" / "css" / "site.css").is_file()
