"""The built site in Debian's Chromium, on a 390 px phone and a 1366 px desktop: no page
overflows sideways, the ranking's first row shows its level and total on the phone, sorting
from the keyboard, search however a name is typed, Vietnamese order, the 404 page at a deep
address, the site opened from disk, and no console errors. The site is served as GitHub Pages
serves a project site (under a sub-path, 404.html at any missing address). Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re
import unicodedata

import pytest
from site_fixtures import ARTIFACTS, PagesHandler, chromium, demo_site, serve, tab

from scorer.core.text import collation_key
from scorer.reading.paths import DataRoot

pytestmark = pytest.mark.browser

WIDTHS = {"dien-thoai": 390, "may-tinh": 1366}
PHONE = 390
BRAND_BLUE = "rgb(11, 79, 138)"  # the header's background: the site's style sheet is applied


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    data, output = demo_site(tmp_path_factory)
    year = DataRoot(data).years()[-1]
    with serve(output, PagesHandler) as base:
        yield base, year


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return demo_site(tmp_path_factory)[1]


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(params=sorted(WIDTHS), ids=sorted(WIDTHS))
def page(request, browser):
    with tab(browser, WIDTHS[request.param]) as opened:
        opened.device = request.param
        yield opened


@pytest.fixture
def phone(browser):
    with tab(browser, PHONE) as opened:
        opened.device = "dien-thoai"
        yield opened


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"site-{name}-{page.device}.png"), full_page=True)


def fits_the_width(page) -> bool:
    """No horizontal scrolling of the whole page (wide tables scroll in their own region)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def styled(page) -> bool:
    return page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == BRAND_BLUE


def in_vietnamese_order(names: list[str]) -> bool:
    return names == sorted(names, key=collation_key)


def addresses(year: int) -> dict[str, str]:
    """A page of each kind, by name."""
    return {"trang-chu": "/", "nam": f"/{year}/", "xep-hang-so": f"/{year}/xep-hang/so/",
            "xep-hang-huyen": f"/{year}/xep-hang/huyen/", "xep-hang-xa": f"/{year}/xep-hang/xa/",
            "don-vi": f"/{year}/don-vi/xa-ha-thach/", "huyen": f"/{year}/huyen/huyen-ha-hoa/",
            "tieu-chi": "/tieu-chi/qd-1609-2018/", "huong-dan": "/huong-dan/", "so-do-trang": "/so-do-trang/",
            "404": f"/{year}/don-vi/khong-co-don-vi-nay/ho-so/"}


@pytest.mark.parametrize("name", sorted(addresses(2024)))
def test_no_page_overflows_sideways(page, site_url, name):
    base, year = site_url
    page.goto(base + addresses(year)[name])
    if name == "404":
        page.problems.clear()  # the browser logs the 404 answer itself as an error
    assert styled(page)
    assert page.locator("h1").count() == 1
    assert fits_the_width(page), page.evaluate("document.documentElement.scrollWidth")


def test_home_page(page, site_url):
    base, year = site_url
    page.goto(base + "/")
    assert page.locator("h1").inner_text().startswith("Đánh giá, xếp hạng mức độ Chính quyền điện tử")
    assert page.get_by_text("Dữ liệu minh họa").first.is_visible()
    assert page.get_by_label("Tìm đơn vị ở mọi cấp").is_visible()
    assert page.get_by_role("heading", name=f"Tiến độ năm {year}").is_visible()
    assert page.get_by_role("link", name="Nộp phiếu", exact=True).is_visible()
    assert page.locator("ol.leaders li").count() >= 3
    counts = page.locator("table.counts")
    assert counts.locator("tbody th").all_inner_texts()[-1] == "Tổng số"
    assert counts.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    shot(page, "trang-chu")


def test_the_first_ranking_row_shows_level_and_total_on_a_phone(phone, site_url):
    base, year = site_url
    phone.goto(f"{base}/{year}/xep-hang/xa/")
    first = phone.locator("table.ranking tbody tr").first
    first.scroll_into_view_if_needed()
    for cell in (first.locator("td").first, first.locator("th a"), first.locator(".badge"), first.locator("td strong")):
        box = cell.bounding_box()
        assert cell.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, cell
    region = phone.locator(".table-scroll")
    assert region.evaluate("r => r.scrollWidth <= r.clientWidth")  # nothing to scroll to in the first view
    assert phone.locator("th", has_text="N1").first.is_hidden()
    shot(phone, "xep-hang-xa")
    # The other columns are one tap away: the seven groups, then status, change and district.
    phone.get_by_text("Điểm 7 nhóm").click()
    assert phone.locator("th", has_text="N1").first.is_visible()
    assert phone.locator("table.ranking thead th", has_text="Tổng").is_hidden()
    phone.get_by_text("Trạng thái, so năm trước, huyện").click()
    for header in ("Trạng thái", "So với năm trước", "Huyện"):
        assert phone.locator("table.ranking thead th", has_text=header).is_visible()
    assert first.locator("th a").is_visible()  # the unit's name in every set
    shot(phone, "xep-hang-xa-cot-khac")


def test_every_ranking_column_fits_a_desktop(browser, site_url):
    base, year = site_url
    with tab(browser, 1366) as desktop:
        for tier in ("so", "huyen", "xa"):
            desktop.goto(f"{base}/{year}/xep-hang/{tier}/")
            region = desktop.locator(".table-scroll")
            assert region.evaluate("r => r.scrollWidth <= r.clientWidth"), tier
            assert desktop.locator("table.ranking thead th").last.is_visible()


def test_ranking_sorts_from_the_keyboard(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/xep-hang/xa/")
    rows = page.locator("table.ranking tbody tr")
    assert rows.first.locator("td").first.inner_text() == "1"
    total = page.get_by_role("button", name="Tổng")
    total.focus()
    page.keyboard.press("Enter")
    assert page.locator("th[aria-sort='ascending']").inner_text().startswith("Tổng")
    page.keyboard.press("Space")
    assert page.locator("th[aria-sort='descending']").inner_text().startswith("Tổng")
    shown = rows.evaluate_all("rows => rows.map(r => r.cells[3].textContent.trim())")
    numbers = [float(t.replace(".", "").replace(",", ".")) for t in shown if t != "–"]
    assert numbers == sorted(numbers, reverse=True)
    assert shown[len(numbers):] == ["–"] * (len(shown) - len(numbers))  # units without a total stay last
    page.get_by_role("button", name="Đơn vị").press("Enter")
    names = rows.evaluate_all("rows => rows.map(r => r.cells[1].textContent.trim())")
    assert in_vietnamese_order(names)
    page.get_by_role("button", name="Hạng").press("Enter")
    assert rows.first.locator("td").first.inner_text() == "1"


def test_without_scripts_the_ranking_is_whole_and_shows_no_dead_controls(browser, site_url):
    base, year = site_url
    context = browser.new_context(viewport={"width": PHONE, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base}/{year}/xep-hang/xa/")
        assert page.locator("table.ranking tbody tr:visible").count() == page.locator("table.ranking tbody tr").count()
        assert page.locator(".site-search").is_hidden() and page.locator("#loc").is_hidden()
        assert page.locator("th button:enabled").count() == 0  # nothing to press that would do nothing
    finally:
        context.close()


def test_ranking_filters_by_district_and_by_name_however_typed(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/xep-hang/xa/")
    rows = page.locator("table.ranking tbody tr")
    total = rows.count()
    page.locator("#loc summary").click()
    district = page.locator("select[name=huyen] option").nth(1)
    district_id = district.get_attribute("value")
    page.select_option("select[name=huyen]", district_id)
    visible = page.locator("table.ranking tbody tr:visible")
    assert 0 < visible.count() < total
    assert set(visible.evaluate_all("rows => rows.map(r => r.dataset.district)")) == {district_id}
    assert "Đang hiển thị" in page.locator("#so-dong").inner_text()
    assert f"huyen={district_id}" in page.url
    page.select_option("select[name=huyen]", "")
    page.fill("input[name=q]", "AM HA")
    assert visible.locator("th a").all_inner_texts() == ["Xã Ấm Hạ"]
    page.fill("input[name=q]", "không có đơn vị này")
    assert visible.count() == 0
    page.fill("input[name=q]", "")
    assert visible.count() == total
    assert page.locator("#so-dong").inner_text() == f"{total} đơn vị."


def test_district_filter_from_the_address(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/xep-hang/xa/?huyen=huyen-ha-hoa")
    assert page.locator("#loc").get_attribute("open") is not None
    visible = page.locator("table.ranking tbody tr:visible")
    assert visible.count() > 0
    assert set(visible.evaluate_all("rows => rows.map(r => r.dataset.district)")) == {"huyen-ha-hoa"}


def suggestions(page, typed: str) -> list[str]:
    box = page.locator("#tim-don-vi")
    box.fill(typed)
    found = page.locator("#tim-goi-y li a")
    found.first.wait_for()
    return found.all_inner_texts()


# "am ha" and "tien kien" as typed on a phone without marks; "hạ hòa" with them; the same
# decomposed (NFD); capitals with Đ; a single letter-less word of the commune's name.
SEARCHES = {"am ha": "Xã Ấm Hạ", "tien kien": "Xã Tiên Kiên", "hạ hòa": "Huyện Hạ Hòa",
            unicodedata.normalize("NFD", "Hạ Hòa"): "Huyện Hạ Hòa", "ĐOAN HÙNG": "Huyện Đoan Hùng",
            "ha thach": "Xã Hà Thạch", "doan": "Huyện Đoan Hùng"}


def test_search_finds_any_unit_however_its_name_is_typed(page, site_url):
    base, year = site_url
    page.goto(base + "/")
    for typed, wanted in SEARCHES.items():
        assert wanted in suggestions(page, typed), typed
    assert suggestions(page, "hạ hòa")[:2] == ["Huyện Hạ Hòa", "Thị trấn Hạ Hòa"]
    assert "Cấp xã, Huyện Hạ Hòa" in page.locator("#tim-goi-y").inner_text()  # a commune's district
    page.locator(".site-search").screenshot(path=str(ARTIFACTS / f"site-tim-kiem-{page.device}.png"))
    page.locator("#tim-don-vi").fill("không có đơn vị này")
    assert "Không có đơn vị nào" in page.locator("#tim-ket-qua").inner_text()
    suggestions(page, "am ha")
    page.locator("#tim-don-vi").press("Enter")
    page.wait_for_url(f"**/{year}/don-vi/xa-am-ha/")
    assert page.locator("h1").inner_text().startswith("Xã Ấm Hạ")


def test_search_from_a_ranking_page_reaches_other_tiers_by_keyboard(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/xep-hang/xa/")
    found = suggestions(page, "so tai chinh")
    assert found[0] == "Sở Tài chính"
    page.locator("#tim-don-vi").press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "Sở Tài chính"
    page.keyboard.press("Enter")
    page.wait_for_url("**/don-vi/*/")
    assert page.locator("h1").inner_text().startswith("Sở Tài chính")


def test_lists_follow_vietnamese_order(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/xep-hang/xa/")
    districts = page.locator("select[name=huyen] option").evaluate_all("options => options.map(o => o.text)")[1:]
    assert len(districts) > 5 and in_vietnamese_order(districts)
    assert districts.index("Huyện Đoan Hùng") < districts.index("Huyện Hạ Hòa")  # code points put Đ after z
    found = suggestions(page, "xa")
    assert len(found) == 10 and in_vietnamese_order(found)
    page.goto(f"{base}/{year}/")
    listed = page.locator("#cac-huyen + ul a").all_inner_texts()
    assert listed == districts
    page.goto(f"{base}/so-do-trang/")
    assert page.locator(".site-map ul.columns").first.locator("a").all_inner_texts() == districts
    page.goto(f"{base}/{year}/xep-hang/so/")
    names = page.locator("table.ranking tbody tr").evaluate_all(
        "rows => rows.filter(r => r.dataset.level === 'missing').map(r => r.cells[1].textContent.trim())")
    assert names and in_vietnamese_order(names)  # units that did not submit, by name


def test_the_404_page_at_a_deep_address_is_styled_and_its_links_work(page, site_url):
    base, year = site_url
    answer = page.goto(f"{base}/{year}/don-vi/khong-co-don-vi-nay/ho-so/")
    page.problems.clear()  # the browser logs the 404 answer itself as an error
    assert answer.status == 404
    assert page.locator("h1").inner_text() == "Không tìm thấy trang"
    assert styled(page)
    shot(page, "404")
    assert "Xã Ấm Hạ" in suggestions(page, "am ha")
    page.get_by_role("link", name=f"Kết quả năm {year}").click()
    assert page.locator("h1").inner_text() == f"Kết quả đánh giá năm {year}"
    page.go_back()
    page.problems.clear()
    page.get_by_role("link", name="Về trang chủ").click()
    assert page.url == base + "/"
    assert page.locator("h1").inner_text().startswith("Đánh giá, xếp hạng")


def test_site_map_page_from_the_footer(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/don-vi/xa-ha-thach/")
    page.get_by_role("link", name="Sơ đồ trang").click()
    assert page.locator("h1").inner_text() == "Sơ đồ trang"
    for name in (f"Kết quả năm {year}", "Xếp hạng cấp xã", "Phương pháp và quy định", "Nộp phiếu tự đánh giá"):
        assert page.get_by_role("link", name=name).first.is_visible()
    page.get_by_role("link", name="Huyện Hạ Hòa").first.click()
    assert page.locator("h1").inner_text().startswith("Huyện Hạ Hòa")


def test_unit_page(page, site_url):
    base, year = site_url
    page.goto(f"{base}/{year}/xep-hang/so/")
    page.locator("table.ranking tbody tr th a").first.click()
    assert page.locator("#tong-diem").is_visible()
    assert re.fullmatch(r"\d\d:\d\d ngày \d\d/\d\d/\d{4}, (đúng hạn|nộp muộn) \(hạn nộp \d\d/\d\d/\d{4}\)",
                        page.locator("#nhan-phieu").inner_text())
    chart = page.locator("figure.chart")
    assert chart.locator("svg rect.bar").count() == 7
    assert "Biểu đồ điểm 7 nhóm" in chart.locator("figcaption").inner_text()
    assert page.get_by_role("heading", name="Để lên mức cao hơn").is_visible()
    assert page.locator("table.criteria tbody tr").count() > 20
    assert page.locator("ul.evidence a[rel='nofollow noopener']").count() > 0
    assert fits_the_width(page)
    shot(page, "don-vi")


def overlapping_or_cut_labels(page) -> list[str]:
    """Level labels of the chart that overlap another of their group, or reach out of the chart."""
    return page.evaluate("""() => {
      const found = [];
      for (const svg of document.querySelectorAll("figure.chart svg")) {
        const chart = svg.getBoundingClientRect();
        const boxes = [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBoundingClientRect()]);
        boxes.forEach(([text, box], i) => {
          if (box.left < chart.left - 0.5 || box.right > chart.right + 0.5 || box.bottom > chart.bottom + 0.5) {
            found.push("cut: " + text);
          }
          boxes.slice(i + 1).forEach(([other, next]) => {
            if (box.left < next.right && next.left < box.right && box.top < next.bottom && next.top < box.bottom) {
              found.push(text + " × " + other);
            }
          });
        });
      }
      return found;
    }""")


@pytest.mark.parametrize("width", [320, 390, 1366])
def test_chart_labels_are_whole_and_apart(browser, site_url, width):
    base, year = site_url
    with tab(browser, width) as narrow:
        for unit in ("xa-ha-thach", "so-tttt", "huyen-ha-hoa"):
            narrow.goto(f"{base}/{year}/don-vi/{unit}/")
            assert narrow.locator("figure.chart text").count() > 20
            assert overlapping_or_cut_labels(narrow) == [], unit
            assert fits_the_width(narrow)
            caption = narrow.locator("table.stacked caption").first
            assert caption.bounding_box()["width"] > width / 2  # captions run across, not one word a line


def test_the_site_opened_from_disk_leads_to_pages_not_folders(browser, built):
    with tab(browser, PHONE) as disk:
        disk.goto((built / "index.html").as_uri())
        disk.get_by_role("link", name="Tiêu chí", exact=True).click()
        assert disk.url.endswith("/tieu-chi/qd-1609-2018/index.html")
        assert disk.locator("h1").inner_text().startswith("Bộ tiêu chí")
        disk.get_by_role("link", name="Trang chủ", exact=True).first.click()
        assert disk.url == (built / "index.html").as_uri()
        assert "Xã Ấm Hạ" in suggestions(disk, "am ha")  # the search index loads from disk too
        disk.locator("#tim-goi-y a").first.click()
        assert disk.url.endswith("/don-vi/xa-am-ha/index.html")
        assert disk.locator("h1").inner_text().startswith("Xã Ấm Hạ")


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
