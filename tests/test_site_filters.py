"""The Jinja filters: Vietnamese numbers, answers in words, safe evidence links."""

from __future__ import annotations

from decimal import Decimal

from scorer.core.model import Criterion, Option
from scorer.site.filters import answer_text, evidence_link, vn_date, vn_signed

REPO = "https://git.example.vn/sotttt/cqdt"


def test_signed_changes_use_a_comma_and_a_real_minus():
    assert vn_signed(Decimal("3.50")) == "+3,5"
    assert vn_signed(Decimal("-1.25")) == "−1,25"
    assert vn_signed(Decimal(0)) == "0"
    assert vn_signed(None) == "–"


def test_dates_are_day_month_year():
    from datetime import date

    assert vn_date(date(2024, 10, 5)) == "05/10/2024"


def test_answers_in_words():
    ratio = Criterion("ht1", 1, "t", "ratio", Decimal(4), "h")
    choice = Criterion("ht7", 1, "t", "choice", Decimal(3), "h", options=(Option("b", "Có máy chủ", Decimal("1.5")),))
    relative = Criterion("ht3", 1, "t", "relative", Decimal(2), "h", quantity_unit="Mbps/người")
    yes_no = Criterion("ht4", 1, "t", "yes_no", Decimal(2), "h")
    assert answer_text({"numerator": 12, "denominator": Decimal("15.5")}, ratio) == "12 / 15,5"
    assert answer_text("b", choice) == "b. Có máy chủ"
    assert answer_text(Decimal("25.50"), relative) == "25,5 Mbps/người"
    assert answer_text(True, yes_no) == "Có"
    assert answer_text(None, yes_no) == "Chưa trả lời"


def test_only_http_urls_and_repository_paths_become_links():
    assert 'href="HTTPS://Example.org/?q=1&amp;r=2"' in str(evidence_link("HTTPS://Example.org/?q=1&r=2", REPO, "main"))
    assert str(evidence_link("https://example.org/a.pdf", REPO, "main")) == (
        '<a href="https://example.org/a.pdf" rel="nofollow noopener">https://example.org/a.pdf</a>')
    assert str(evidence_link("evidence/2024/xa-a/bien-ban.pdf", REPO, "main")) == (
        f'<a href="{REPO}/blob/main/evidence/2024/xa-a/bien-ban.pdf" rel="nofollow noopener">'
        "evidence/2024/xa-a/bien-ban.pdf</a>")
    for hostile in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>",
                    "../../etc/passwd", "<script>alert(1)</script>", "//evil.example/x", "https:///x",
                    "https://example.org/a b", "http://"):
        rendered = str(evidence_link(hostile, REPO, "main"))
        assert rendered.startswith('<span class="inert">'), hostile
        assert "<script>" not in rendered and "<b>" not in rendered


def test_paths_with_vietnamese_letters_are_quoted_in_the_link():
    rendered = str(evidence_link("evidence/2024/biên bản.pdf", REPO, "main"))
    assert f'href="{REPO}/blob/main/evidence/2024/bi%C3%AAn%20b%E1%BA%A3n.pdf"' in rendered
    rendered = str(evidence_link("evidence/2024/biên-bản.pdf", REPO, "main"))
    assert f'href="{REPO}/blob/main/evidence/2024/bi%C3%AAn-b%E1%BA%A3n.pdf"' in rendered
    assert ">evidence/2024/biên-bản.pdf</a>" in rendered


def test_paths_stay_text_when_the_repository_address_is_unknown():
    assert str(evidence_link("evidence/a.pdf", "", "main")) == '<span class="inert">evidence/a.pdf</span>'


def test_html_text_escapes_exactly_as_the_templates_do():
    from markupsafe import escape

    from scorer.site.filters import html_text

    for text in ['Xã "Tân" & <b>Phú</b> của ông O\'Brien', "&amp; đã escape", "", "bình thường"]:
        assert html_text(text) == str(escape(text))
    assert html_text(None) == str(escape(None))


def test_year_tables_link_each_year_and_escape_names():
    from types import SimpleNamespace

    from scorer.site.filters import history_rows, shortfall_items, year_rows

    def year(total, level, rank, status="published"):
        return SimpleNamespace(unit=SimpleNamespace(id="xa-<a>"), total=Decimal(total), level=level, rank=rank,
                               status=status, submitted=status != "not_submitted", needs_reverification=False)

    history = [(2024, year("0", None, None, "not_submitted")), (2023, year("101.50", 2, 7))]
    names = {2024: lambda level: f"M{level}", 2023: lambda level: f"Mức <{level}>"}
    rows = str(history_rows(history, "../..", "xa-<a>", names))
    assert rows.count("<tr>") == 2 and '<a href="../../2024/don-vi/xa-&lt;a&gt;/">Năm 2024</a>' in rows
    assert '<td class="num">–</td><td>–</td><td class="num">–</td><td><span class="status">Chưa nộp</span>' in rows
    assert '<td class="num">101,5</td><td><span class="badge lv-2">Mức &lt;2&gt;</span></td><td class="num">7</td>' in rows
    criteria_set = SimpleNamespace(level_name=lambda level: "Mức II")
    rows = str(year_rows(history, 2024, "../../..", criteria_set))
    assert rows.startswith('<tr><th scope="row">2024</th>')  # the page's own year is not a link
    assert '<a href="../../../2023/don-vi/xa-&lt;a&gt;/">2023</a>' in rows
    assert '<td><span class="muted">–</span></td>' in rows and "Mức II</span>" in rows
    gap = [SimpleNamespace(group_id=3, score=Decimal("6"), minimum=Decimal("8.4"), missing=Decimal("2.4"))]
    assert str(shortfall_items(gap, {3: "Môi trường <chính sách>"})) == (
        "<li>Nhóm 3 (Môi trường &lt;chính sách&gt;): 6 điểm, cần 8,4, <strong>thiếu 2,4</strong></li>")
