"""The built site in Debian's Chromium: what a person sees on a phone and a desktop,
sorting and filtering the ranking, and no console errors. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from site_fixtures import ARTIFACTS, chromium, demo_site, serve, tab

from scorer.reading.paths import DataRoot

pytestmark = pytest.mark.browser

WIDTHS = {"dien-thoai": 390, "may-tinh": 1280}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    data, output = demo_site(tmp_path_factory)
    year = DataRoot(data).years()[-1]
    with serve(output) as base:
        yield base, year


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(params=sorted(WIDTHS), ids=sorted(WIDTHS))
def page(request, browser):
    with tab(browser, WIDTHS[request.param]) as opened:
        opened.device = request.param
        yield opened


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"site-{name}-{page.device}.png"), full_page=True)


def fits_the_width(page) -> bool:
    """No horizontal scrolling of the whole page (wide tables scroll in their own region)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_home_page(page, site_url):
    base, year = site_url
    page.goto(base + "/")
    assert page.locator("h1").inner_text().startswith("Đánh giá, xếp hạng mức độ Chính quyền điện tử")
    assert page.get_by_text("Dữ liệu minh họa").first.is_visible()
    assert page.get_by_role("heading", name=f"Tiến độ năm {year}").is_visible()
    assert page.get_by_role("link", name="Nộp phiếu", exact=True).is_visible()
    assert page.locator("ol.leaders li").count() >= 3
    assert fits_the_width(page)
    shot(page, "trang-chu")


def test_ranking_sorts_and_filters(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/xep-hang/xa/")
    rows = page.locator("table.ranking tbody tr")
    total = rows.count()
    assert total > 10
    assert page.locator("#bo-loc").is_visible()
    first_rank = rows.first.locator("td").first.inner_text()
    assert first_rank == "1"
    page.get_by_role("button", name="Tổng").click()
    assert page.locator("th[aria-sort='ascending']").inner_text().startswith("Tổng")
    page.get_by_role("button", name="Tổng").click()
    totals = [float(v) for v in rows.evaluate_all(
        "rows => rows.map(r => r.cells[r.cells.length - 4].getAttribute('data-value'))")]
    assert totals == sorted(totals, reverse=True)
    district = page.locator("select[name=huyen] option").nth(1)
    district_id, district_name = district.get_attribute("value"), district.inner_text()
    page.select_option("select[name=huyen]", district_id)
    visible = page.locator("table.ranking tbody tr:visible")
    assert 0 < visible.count() < total
    assert set(visible.evaluate_all("rows => rows.map(r => r.dataset.district)")) == {district_id}
    assert "Đang hiển thị" in page.locator("#so-dong").inner_text()
    assert f"huyen={district_id}" in page.url
    page.fill("input[name=q]", "không có đơn vị này")
    assert page.locator("table.ranking tbody tr:visible").count() == 0
    assert district_name
    page.fill("input[name=q]", "")
    shot(page, "xep-hang-xa")


def test_district_filter_from_the_address(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/xep-hang/xa/")
    district_id = page.locator("select[name=huyen] option").nth(1).get_attribute("value")
    page.goto(f"{base}/{year}/xep-hang/xa/?huyen={district_id}")
    visible = page.locator("table.ranking tbody tr:visible")
    assert set(visible.evaluate_all("rows => rows.map(r => r.dataset.district)")) == {district_id}


def test_unit_page(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/xep-hang/so/")
    page.locator("table.ranking tbody tr th a").first.click()
    assert page.locator("#tong-diem").is_visible()
    chart = page.locator("figure.chart svg")
    assert chart.get_attribute("role") == "img"
    assert "Biểu đồ điểm 7 nhóm" in page.locator("figure.chart title").text_content()
    assert chart.locator("rect.bar").count() == 7
    assert page.get_by_role("heading", name="Để lên mức cao hơn").is_visible()
    assert page.locator("table.criteria tbody tr").count() > 20
    assert page.locator("ul.evidence a[rel='nofollow noopener']").count() > 0
    assert fits_the_width(page)
    shot(page, "don-vi")


def test_criteria_page(page, site_url):
    base, _ = site_url
    page.goto(base + "/")
    page.get_by_role("link", name="Tiêu chí", exact=True).click()
    assert page.get_by_text("Tình trạng bộ tiêu chí: bản dựng lại").is_visible()
    for tier in ("Cấp sở", "Cấp huyện", "Cấp xã"):
        assert page.get_by_role("heading", name=tier).first.is_visible()
    assert page.locator("table caption", has_text="Điểm tối đa và điểm tối thiểu").count() == 3
    assert fits_the_width(page)
    shot(page, "tieu-chi")
