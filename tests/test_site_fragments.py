"""The page pieces built in Python: criteria tables, chart, group rows, ranking rows.

They reuse what they wrote for earlier units (answers, points, cells, SVG shapes); these tests
check that what is reused is only ever what the unit at hand would have got anyway, and that
everything a submitter wrote is escaped."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from scorer.core.model import (
    CriteriaSet,
    Criterion,
    CriterionResult,
    Group,
    Level,
    Option,
    TierCriteria,
    Unit,
    UnitResult,
)
from scorer.site import views
from scorer.site.fragments import CriteriaTables, chart_bars, group_rows, ranking_rows
from scorer.site.splice import joined

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
    criteria = tuple(rows.get(c.id) or criterion(c.id, answers.get(c.id)) for c in CRITERIA)
    return UnitResult(Unit(unit_id, name, "so", "so"), status, f"submissions/2024/so/{unit_id}.yaml", "0" * 64,
                      {1: D(score)}, D(score), {1: D(score)}, D(score), level, rank, None, criteria, (), tuple(stale))


def test_what_submitters_wrote_is_escaped_and_only_http_links_are_links():
    tables = CriteriaTables(TIER, REPO, "main")
    hostile = criterion("c1", True, reason='Sai <b>số</b> & "lệch"', reviewer="<i>tdtt</i>", points="2",
                        verified=False, verified_points="0",
                        evidence=("javascript:alert(1)", "<img src=x onerror=alert(1)>", "https://a.vn/x?y=1&z=2"),
                        note="<script>alert('x')</script>")
    html = str(tables.tables(result("so-a", {"c2": {"numerator": 1, "denominator": 2}}, c1=hostile)))
    for raw in ("<b>số</b>", "<i>tdtt</i>", "<img", "<script>", 'href="javascript', "Hạ tầng & <nhân"):
        assert raw not in html
    assert "Sai &lt;b&gt;số&lt;/b&gt; &amp; &#34;lệch&#34;" in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert '<span class="inert">javascript:alert(1)</span>' in html
    assert '<a href="https://a.vn/x?y=1&amp;z=2" rel="nofollow noopener">' in html
    assert "Hạ tầng &amp; &lt;nhân lực&gt;" in html


def test_equal_answers_of_different_types_keep_their_own_words():
    tables = CriteriaTables(TIER, REPO, "main")
    first = str(tables.tables(result("so-a", {"c1": True, "c3": 1, "c4": "a"})))
    second = str(tables.tables(result("so-b", {"c1": 1, "c3": True, "c4": "b"})))
    assert '<td data-label="Trả lời">Có</td>' in first and '<td data-label="Trả lời">Không</td>' in second
    assert "a. Đầy đủ &lt;máy chủ&gt;" in first and '<td data-label="Trả lời">b</td>' in second
    assert str(tables.tables(result("so-c", {"c4": True}))).count('<td data-label="Trả lời">True</td>') == 1
    # The first unit again, after the second: the same bytes.
    assert str(tables.tables(result("so-a", {"c1": True, "c3": 1, "c4": "a"}))) == first


def test_ratio_answers_and_changes_by_review():
    tables = CriteriaTables(TIER, REPO, "main")
    changed = criterion("c2", {"numerator": 1234, "denominator": 5000}, verified={"numerator": D("12.5"),
                        "denominator": 20}, points="1", verified_points="2.5")
    html = str(tables.tables(result("so-a", {}, c2=changed)))
    assert '<tr id="c2" class="changed">' in html
    assert "1.234 / 5.000<br><small>Thẩm định sửa thành: 12,5 / 20</small>" in html
    assert '<td class="num" data-label="Thẩm định">2,5</td>' in html
    assert '<tr id="c1">' in html and '<td class="num" data-label="Thẩm định">–</td>' in html


def bars_of(score: str, tier: TierCriteria = TIER) -> list[views.Bar]:
    return views.chart(result("so-a", {}, score=score), tier)[0]


def test_group_rows_mark_exactly_the_levels_reached():
    html = str(group_rows(bars_of("8"), CS))
    assert html.count("✓") == 3  # Mức II (8), III and IV (6); not Mức I (10)
    assert '<td class="num">8 <span class="up" aria-label="đạt">✓</span></td>' in html
    assert '<td class="num">10</td>' in html
    assert str(group_rows(bars_of("5.99"), CS)).count("✓") == 0


def test_chart_shapes_follow_each_group_and_its_score():
    short = views.chart(result("so-a", {}, score="5"), TIER)[0]
    assert ' short"' not in str(chart_bars(short, views.CHART_LEFT, views.CHART_WIDTH))
    renamed = Group(1, "N1", "Tên khác", "I", D(12), GROUP.minimums, CRITERIA)
    other = TierCriteria("so", "Cấp sở", "I", "mô tả", (renamed,))
    first = str(chart_bars(bars_of("6"), views.CHART_LEFT, views.CHART_WIDTH))
    second = str(chart_bars(bars_of("6", other), views.CHART_LEFT, views.CHART_WIDTH))
    assert "N1. Hạ tầng &amp; &lt;nhân lực&gt;: 6/12</text>" in first
    assert "N1. Tên khác: 6/12</text>" in second  # an equal-looking group of another set is its own
    assert 'width="310.0" height="16"></rect>' in first  # 6 of 12 points: half the width
    assert str(chart_bars(bars_of("6"), views.CHART_LEFT, views.CHART_WIDTH)) == first


def test_by_identity_tells_equal_things_apart():
    made = []

    @views.by_identity
    def make(thing):
        made.append(thing)
        return len(made)

    first, second = [1, 2], [1, 2]
    assert (make(first), make(first), make(second)) == (1, 1, 2)
    assert made == [first, second]


def test_ranking_rows_give_each_unit_its_own_status_level_and_change():
    rows = [result("so-a", {}, name="Sở <A>", score="9", level=2, rank=1),
            result("so-b", {}, score="9", level=2, rank=2, stale=("province",)),
            result("so-c", {}, score="0", status="not_submitted", level=None, rank=None),
            result("so-d", {}, score="1", level=None, rank=None)]
    changes = {"so-a": views.Change(2023, 3, D("8"), 2, D("1")), "so-b": views.Change(2023, 1, D("9.00"), -1, D(0))}
    view = SimpleNamespace(results=SimpleNamespace(criteria_set=CS), year=2024, changes=changes,
                           by_id={r.unit.id: r for r in rows})
    html = joined(*ranking_rows(rows, view, TIER, "../../..")).decode()
    first, second, third, fourth = html.split("</tr>\n")[:4]
    assert 'data-name="sở &lt;a&gt;"' in first and ">Sở &lt;A&gt;</a>" in first
    assert "cần thẩm định lại" in second and "cần thẩm định lại" not in first
    assert "▲ 2" in first and "▼ 1" in second and "(0)" in second
    assert 'data-level="missing"' in third and "Chưa nộp" in third and "Không có số liệu năm trước" in third
    assert first.count('<span class="badge lv-2">Mức II</span>') == 1
    assert '<td data-value="10"><span class="muted">–</span></td>' in third
    assert '<td data-value="9"><span class="badge lv-none">Chưa xếp mức</span></td>' in fourth


def test_a_ranking_row_is_known_by_all_it_shows():
    """The state of each row (see splice): its result and its change against last year."""
    rows = [result("so-a", {}, score="9", level=2, rank=1), result("so-b", {}, score="8", level=2, rank=2)]
    changes = {"so-a": views.Change(2023, 3, D("8"), 2, D("1"))}
    view = SimpleNamespace(results=SimpleNamespace(criteria_set=CS), year=2024, changes=changes,
                           by_id={r.unit.id: r for r in rows})
    digests = {"so-a": "da", "so-b": "db"}
    pieces, make = ranking_rows(rows, view, TIER, "../../..", digests)
    assert [piece_id for piece_id, _ in pieces] == ["so-a", "so-b"]
    assert joined(pieces, make) == joined(*ranking_rows(rows, view, TIER, "../../.."))
    assert ranking_rows(rows, view, TIER, "../../..", {**digests, "so-b": "other"})[0][0] == pieces[0]
    assert ranking_rows(rows, view, TIER, "../../..", {**digests, "so-b": "other"})[0][1] != pieces[1]
    changes["so-a"] = views.Change(2023, 4, D("8"), 3, D("1"))  # the same result, another change
    again, _ = ranking_rows(rows, view, TIER, "../../..", digests)
    assert again[0] != pieces[0] and again[1] == pieces[1]
