"""The repeated rows of unit and ranking pages, rendered through the theme's templates: criteria
tables, chart, group rows, ranking rows.

Pieces shared by many units (a criterion's title, a triple of points, a level, a status, a
change) are rendered once and reused; these tests check that what is reused is only ever what
the unit at hand would have got anyway, and that everything a submitter wrote is escaped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from pelican.utils import get_relative_path

from scorer.core.model import (
    CriteriaSet,
    Criterion,
    CriterionResult,
    Cycle,
    Group,
    Level,
    Option,
    Results,
    TierCriteria,
    Unit,
    UnitResult,
)
from scorer.flow.receipts import Receipt
from scorer.reading.paths import DataRoot
from scorer.site import views
from scorer.site.filters import filters
from scorer.site.pages import Site, unit_page
from scorer.site.tables import evidence

THEME = Path(__file__).resolve().parent.parent / "theme" / "templates"
REPO = "https://git.example.vn/sotttt/cqdt"
D = Decimal

CRITERIA = (
    Criterion("c1", 1, "Có cổng thông tin", "yes_no", D(2), "h"),
    Criterion("c2", 1, "Tỷ lệ máy tính", "ratio", D(4), "h"),
    Criterion("c3", 1, "Số dịch vụ", "count", D(3), "h"),
    Criterion("c4", 1, "Mức hạ tầng", "choice", D(3), "h", options=(Option("a", "Đầy đủ <máy chủ>", D(3)),)),
)
GROUP = Group(1, "N1", "Hạ tầng & <nhân lực>", "I", D(12), {1: D(10), 2: D(8), 3: D(6), 4: D(6)}, CRITERIA)
TIER = TierCriteria("so", "Cấp sở", "I", "mô tả", (GROUP,))
LEVELS = (Level(1, "Mức I"), Level(2, "Mức II"), Level(3, "Mức III"), Level(4, "Mức IV"))
CS = CriteriaSet("bo-thu", "Bộ thử", "1609", date(2018, 1, 1), "UBND", "reconstruction", "", 2, LEVELS,
                 "Chưa xếp mức", {"so": TIER})


def criterion(cid: str, value, *, verified=None, points="1", verified_points=None, reason=None, reviewer=None,
              evidence=(), note="") -> CriterionResult:
    counted = D(verified_points) if verified_points is not None else D(points)
    return CriterionResult(cid, 1, value, D(points), verified, None if verified_points is None else D(verified_points),
                           counted, reason, reviewer, "province" if reason else None, tuple(evidence), note)


def result(unit_id: str, answers: dict, *, score="7", status="submitted", stale=(), level=3, rank=1,
           name="Sở A", **rows) -> UnitResult:
    criteria = () if status == "not_submitted" else tuple(
        rows.get(c.id) or criterion(c.id, answers.get(c.id)) for c in CRITERIA)
    return UnitResult(Unit(unit_id, name, "so", "so"), status, f"submissions/2024/so/{unit_id}.yaml", "0" * 64,
                      {1: D(score)}, D(score), {1: D(score)}, D(score), level, rank, None, criteria, (), tuple(stale))


def results(year: int, units: list[UnitResult]) -> Results:
    cycle = Cycle(year, CS.id, False, {"so": date(year, 10, 15)}, 60, (), "verifying")
    return Results(year, cycle, CS, tuple(units))


def render(units: list[UnitResult], previous: list[UnitResult] | None = None, repository_url: str = REPO,
           both: bool = False, receipts: tuple[Receipt, ...] = ()) -> dict[str, str]:
    """Every data page of a site of these results (year 2024, compared with `previous` of 2023;
    both years built with `both`; `receipts`: 2024's ledger), rendered, by path."""
    env = Environment(loader=FileSystemLoader(THEME), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(filters())
    site = {"SITENAME": "Trang thử", "SITESUBTITLE": "", "NAV_YEAR": 2024, "NAV_CRITERIA": CS.id,
            "REPOSITORY_URL": repository_url, "REPOSITORY_BRANCH": "main"}
    earlier = results(2023, previous) if previous else None
    built_views = [views.YearView(results(2024, units), earlier, receipts)]
    if both and earlier is not None:
        built_views.insert(0, views.YearView(earlier, None))
    built = Site(DataRoot(Path("/nonexistent")), built_views, {CS.id: CS}, site, "salt", True,
                 env.get_template("_rows.html").module, env.filters["vn_number"])
    return {page.path: env.get_template(f"{page.template}.html").render(
        {**site, "SITEURL": get_relative_path(page.path), **page.values()}) for page in built.pages()}


def unit_html(unit: UnitResult, repository_url: str = REPO) -> str:
    return render([unit], repository_url=repository_url)[unit_page(2024, unit.unit.id)]


def test_what_submitters_wrote_is_escaped_and_only_http_links_are_links():
    hostile = criterion("c1", True, reason='Sai <b>số</b> & "lệch"', reviewer="<i>tdtt</i>", points="2",
                        verified=False, verified_points="0",
                        evidence=("javascript:alert(1)", "<img src=x onerror=alert(1)>", "https://a.vn/x?y=1&z=2"),
                        note="<script>alert('x')</script>")
    html = unit_html(result("so-a", {"c2": {"numerator": 1, "denominator": 2}}, c1=hostile))
    for raw in ("<b>số</b>", "<i>tdtt</i>", "<img", "<script>", 'href="javascript', "Hạ tầng & <nhân"):
        assert raw not in html
    assert "Sai &lt;b&gt;số&lt;/b&gt; &amp; &#34;lệch&#34;" in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert '<span class="inert">javascript:alert(1)</span>' in html
    assert '<a href="https://a.vn/x?y=1&amp;z=2" rel="nofollow noopener">' in html
    assert "Hạ tầng &amp; &lt;nhân lực&gt;" in html


def test_only_http_urls_and_repository_paths_become_links():
    assert evidence("HTTPS://Example.org/?q=1&r=2", REPO, "main") == (
        True, "HTTPS://Example.org/?q=1&r=2", "HTTPS://Example.org/?q=1&r=2")
    assert evidence(" evidence/2024/xa-a/bien-ban.pdf ", REPO, "main") == (
        True, "evidence/2024/xa-a/bien-ban.pdf", f"{REPO}/blob/main/evidence/2024/xa-a/bien-ban.pdf")
    for hostile in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>",
                    "../../etc/passwd", "<script>alert(1)</script>", "//evil.example/x", "https:///x",
                    "https://example.org/a b", "http://"):
        assert evidence(hostile, REPO, "main") == (False, hostile, None), hostile


def test_paths_with_vietnamese_letters_are_quoted_in_the_link():
    row = criterion("c1", True, evidence=("evidence/2024/biên bản.pdf", "evidence/2024/biên-bản.pdf"))
    html = unit_html(result("so-a", {}, c1=row))
    assert f'href="{REPO}/blob/main/evidence/2024/bi%C3%AAn%20b%E1%BA%A3n.pdf"' in html
    assert f'href="{REPO}/blob/main/evidence/2024/bi%C3%AAn-b%E1%BA%A3n.pdf"' in html
    assert ">evidence/2024/biên-bản.pdf</a>" in html


def test_paths_stay_text_when_the_repository_address_is_unknown():
    html = unit_html(result("so-a", {}, c1=criterion("c1", True, evidence=("evidence/a.pdf",))), repository_url="")
    assert '<span class="inert">evidence/a.pdf</span>' in html


def test_equal_answers_of_different_types_keep_their_own_words():
    first_unit = result("so-a", {"c1": True, "c3": 1, "c4": "a"})
    pages = render([first_unit, result("so-b", {"c1": 1, "c3": True, "c4": "b"}, rank=2),
                    result("so-c", {"c4": True}, rank=3)])
    first, second = pages[unit_page(2024, "so-a")], pages[unit_page(2024, "so-b")]
    assert '<td data-label="Trả lời">Có</td>' in first and '<td data-label="Trả lời">Không</td>' in second
    assert "a. Đầy đủ &lt;máy chủ&gt;" in first and '<td data-label="Trả lời">b</td>' in second
    assert pages[unit_page(2024, "so-c")].count('<td data-label="Trả lời">True</td>') == 1
    # Alone, without the others rendered first: the same rows.
    assert unit_html(first_unit).split('id="tieu-chi"')[1] == first.split('id="tieu-chi"')[1]


def test_ratio_answers_and_changes_by_review():
    changed = criterion("c2", {"numerator": 1234, "denominator": 5000}, verified={"numerator": D("12.5"),
                        "denominator": 20}, points="1", verified_points="2.5")
    html = unit_html(result("so-a", {}, c2=changed))
    assert '<tr id="c2" class="changed">' in html
    assert "1.234 / 5.000<br><small>Thẩm định sửa thành: 12,5 / 20</small>" in html
    assert '<td class="num" data-label="Thẩm định">2,5</td>' in html
    assert '<tr id="c1">' in html and '<td class="num" data-label="Thẩm định">–</td>' in html


def test_group_rows_mark_exactly_the_levels_reached():
    html = unit_html(result("so-a", {}, score="8"))
    rows = html.split('<table id="bang-nhom" class="stacked">')[1].split("</table>")[0]
    assert rows.count("✓") == 3  # Mức II (8), III and IV (6); not Mức I (10)
    assert '<td class="num" data-label="Tối thiểu Mức II">8 <span class="up" aria-label="đạt">✓</span></td>' in rows
    assert '<td class="num" data-label="Tối thiểu Mức I">10</td>' in rows
    assert unit_html(result("so-a", {}, score="5.99")).split('<table id="bang-nhom"')[1].count("✓") == 0


def test_chart_shapes_follow_each_group_and_its_score():
    figure = unit_html(result("so-a", {}, score="6")).split('<figure class="chart">')[1].split("</figure>")[0]
    chart = figure.split("<svg")[1].split("</svg>")[0]
    assert "N1. Hạ tầng &amp; &lt;nhân lực&gt;: <strong>6</strong>/12</span>" in figure
    assert 'width="50.0%" height="14"></rect>' in chart  # 6 of 12 points: half the width
    assert ' short"' not in chart
    assert chart.count('<line class="tick"') == 3  # Mức III and IV share one minimum: one tick
    assert 'x="50.0%" y="35" text-anchor="middle">III,IV</text>' in chart


def test_level_labels_of_close_minimums_take_rows_and_stay_inside_the_chart():
    """The labels of close minimums ("III,IV" cut off and colliding on a phone): each in the first
    row where it clears the one before on a 320 px screen, the ends anchored inside."""
    ticks = views.level_ticks({1: D("4.5"), 2: D("4.0"), 3: D("3.75"), 4: D("3.5")}, D(5))
    assert [(t.label, t.x, t.anchor, t.row) for t in ticks] == [
        ("IV", 70.0, "middle", 0), ("III", 75.0, "middle", 1), ("II", 80.0, "middle", 0), ("I", 90.0, "middle", 0)]
    ends = views.level_ticks({1: D(10), 2: D(5), 3: D(0), 4: D(0)}, D(10))
    assert [(t.label, t.x, t.anchor, t.row) for t in ends] == [
        ("III,IV", 0.0, "start", 0), ("II", 50.0, "middle", 0), ("I", 100.0, "end", 0)]
    far = views.level_ticks({1: D(90), 2: D(60), 3: D(30), 4: D(10)}, D(100))
    assert {t.row for t in far} == {0}


def test_ranking_rows_give_each_unit_its_own_status_level_and_change():
    rows = [result("so-a", {}, name="Sở <A>", score="9", level=2, rank=1),
            result("so-b", {}, score="9", level=2, rank=2, stale=("province",)),
            result("so-c", {}, score="0", status="not_submitted", level=None, rank=None),
            result("so-d", {}, score="1", level=None, rank=None)]
    before = [result("so-a", {}, score="8", level=2, rank=3), result("so-b", {}, score="9.00", level=2, rank=1)]
    html = render(rows, before)["2024/xep-hang/so/index.html"]
    first, second, third, fourth = html.split("<tbody>\n")[1].split("</tr>\n")[:4]
    assert ">Sở &lt;A&gt;</a>" in first and "<A>" not in first
    assert "cần thẩm định lại" in second and "cần thẩm định lại" not in first
    assert "▲ 2" in first and "▼ 1" in second and "(0)" in second
    assert 'data-level="missing"' in third and "Chưa nộp" in third and "Không có số liệu năm trước" in third
    assert first.count('<span class="badge lv-2">Mức II</span>') == 1
    assert '<td><span class="muted">–</span></td>' in third
    assert '<td><span class="badge lv-none">Chưa xếp mức</span></td>' in fourth and 'data-level="none"' in fourth
    # Sorting by the change reads the places moved; a unit without a rank in both years has none.
    assert '<td class="num" data-value="2">' in first and '<td class="num" data-value="-1">' in second
    assert "data-value" not in third and "data-value" not in fourth


def test_year_tables_link_each_year_and_escape_names():
    unit = result("so-a", {}, name="Sở <A>", score="101.50", level=2, rank=7)
    pages = render([unit], [result("so-a", {}, name="Sở <A>", status="not_submitted", level=None, rank=None)],
                   both=True)
    history = pages["don-vi/so-a/index.html"].split("<tbody>\n")[1]
    assert history.split("</tbody>")[0].count("<tr>") == 2
    assert '<a href="../../2024/don-vi/so-a/">Năm 2024</a>' in history
    assert '<td class="num">–</td><td>–</td><td class="num">–</td><td><span class="status">Chưa nộp</span>' in history
    assert '<td class="num">101,5</td><td><span class="badge lv-2">Mức II</span></td><td class="num">7</td>' in history
    rows = pages[unit_page(2024, "so-a")].split('id="lich-su"')[1]
    assert '<tr><th scope="row">2024</th>' in rows  # the page's own year is not a link
    assert '<a href="../../../2023/don-vi/so-a/">2023</a>' in rows
    assert '<td><span class="muted">–</span></td>' in rows and "Mức II</span>" in rows
    assert "Sở &lt;A&gt;" in rows and "Sở <A>" not in rows


def test_the_unit_page_says_when_the_counted_version_was_received_and_whether_late():
    def receipt(unit_id: str, moment: datetime, sha: str = "0" * 64) -> Receipt:
        return Receipt(f"submissions/2024/so/{unit_id}.yaml", moment, sha, 1)

    ledger = (receipt("so-a", datetime(2024, 10, 15, 16, 59, tzinfo=UTC)),  # 23:59 on the deadline, in Vietnam
              receipt("so-a", datetime(2024, 10, 20, tzinfo=UTC), "1" * 64),  # another version: not the one counted
              receipt("so-b", datetime(2024, 10, 15, 17, 0, tzinfo=UTC)),  # 00:00 the day after
              receipt("so-b", datetime(2024, 10, 1, tzinfo=UTC)))  # the same version earlier: its first receipt counts
    units = [result("so-a", {}), result("so-b", {}, rank=2), result("so-c", {}, rank=3),
             result("so-d", {}, status="not_submitted", level=None, rank=None)]
    pages = render(units, receipts=ledger)

    def received(unit_id: str) -> str:
        page = pages[unit_page(2024, unit_id)]
        return page.split('<dd id="nhan-phieu">')[1].split("</dd>")[0] if 'id="nhan-phieu"' in page else ""

    assert received("so-a") == "23:59 ngày 15/10/2024, đúng hạn (hạn nộp 15/10/2024)"
    assert received("so-b") == "07:00 ngày 01/10/2024, đúng hạn (hạn nộp 15/10/2024)"
    assert received("so-c") == "Chưa có biên nhận (hạn nộp 15/10/2024)"
    assert received("so-d") == ""  # nothing submitted, nothing received
    late = render([result("so-b", {})], receipts=ledger[2:3])[unit_page(2024, "so-b")]
    assert '00:00 ngày 16/10/2024, <strong class="late">nộp muộn</strong> (hạn nộp 15/10/2024)' in late
