"""The submission form in Debian's Chromium: a commune clerk fills it, sees an error on a
bad number and the live score and level, gets the YAML and the GitHub link; the file
passes `cqdt validate` and scores as the page said. Screenshots go to test-artifacts/."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import copy_data
from playwright.sync_api import expect
from site_fixtures import ARTIFACTS, chromium, serve, tab

from scorer.core.text import vn_number
from scorer.reading.paths import DataRoot
from scorer.shell.scoring import evaluate

pytestmark = pytest.mark.browser

REPOSITORY = "https://github.com/so-tttt-phutho/cqdt"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The repository's data and the site built from it with a repository address."""
    from scorer.cli.site import build_site

    base = tmp_path_factory.mktemp("form-site")
    data = DataRoot(copy_data(base / "data"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CQDT_REPOSITORY_URL", REPOSITORY)
        patch.setenv("CQDT_REPOSITORY_BRANCH", "main")
        output = build_site(data, base / "output")
    with serve(output) as url:
        yield data, f"{url}/nop-phieu/", output


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    with tab(browser, 1280) as opened:
        yield opened


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"form-{name}.png"), full_page=False)


def _new_commune(data: DataRoot) -> tuple[int, str]:
    """The latest year and a commune with no submission yet in it."""
    year = data.years()[-1]
    results = evaluate(data, year)
    return year, next(r.unit.id for r in results.tier("xa") if not r.submitted)


def _fill(page, criteria: list[dict]) -> None:
    """Answer every criterion the way a clerk would, with an evidence link each."""
    for index, criterion in enumerate(criteria):
        cid, kind = criterion["id"], criterion["kind"]
        if kind == "yes_no":
            page.check(f"#{cid}-answer-{'true' if index % 3 else 'false'}")
        elif kind == "ratio":  # decimal commas, as Vietnamese writes numbers, and points alike
            page.fill(f"#{cid}-numerator", str(index % 9 + 1))
            page.fill(f"#{cid}-denominator", {0: "12,5", 1: "12.5"}.get(index % 4, "10"))
        elif kind == "count":
            page.fill(f"#{cid}-answer", str(index % 4))
        elif kind == "choice":
            page.select_option(f"#{cid}-answer", criterion["options"][index % len(criterion["options"])]["id"])
        else:
            page.fill(f"#{cid}-answer", "37,25")
        page.fill(f"#{cid}-evidence", f"https://xa.phutho.gov.vn/minh-chung/{cid}.pdf")
        if index % 5 == 0:
            page.fill(f"#{cid}-note", f"Số liệu năm nay: \"{cid}\" đã đối chiếu, có ghi chú #1")


def _github_query(page) -> dict[str, list[str]]:
    """The query of the GitHub link, after checking it opens the new-file page of the branch."""
    link = urlsplit(page.locator("#form-github").get_attribute("href"))
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{REPOSITORY}/new/main"
    return parse_qs(link.query, keep_blank_values=True)


def _choose(page, url: str, year: int, unit_id: str) -> list[dict]:
    page.goto(url)
    page.select_option("#form-year", str(year))
    page.select_option("#form-tier", "xa")
    page.select_option("#form-unit", unit_id)
    return page.evaluate(
        "(year) => { const d = window.CQDT_FORM_DATA; const y = d.years.find((y) => y.year === year);"
        " return d.criteria_sets[y.criteria_set].tiers.xa.criteria; }", year)


def test_clerk_fills_the_form_and_gets_a_valid_file(page, built, cqdt):
    data, url, _ = built
    year, unit_id = _new_commune(data)
    criteria = _choose(page, url, year, unit_id)
    _fill(page, criteria)

    count = next(c for c in criteria if c["kind"] == "count")
    page.fill(f"#{count['id']}-answer", "2,5")
    error = page.locator(f"#{count['id']}-errors li")
    # The clerk's words: the criterion by its title, the number as typed, no schema path.
    assert error.inner_text() == (f"Tiêu chí {count['id']} ({count['title']}): câu trả lời phải là một số nguyên "
                                  "(không có phần thập phân); đang là 2,5")
    assert page.locator(f"#{count['id']}-answer").get_attribute("aria-invalid") == "true"
    page.click("#form-make")
    assert "còn 1 tiêu chí có lỗi" in page.locator("#form-output-errors").inner_text()
    shot(page, "loi-so-thap-phan")
    page.fill(f"#{count['id']}-answer", "2")
    assert page.locator(f"#{count['id']}-errors li").count() == 0

    total, level = page.locator("#form-total").inner_text(), page.locator("#form-level").inner_text()
    groups = page.locator("#form-groups tr td:nth-child(2)").all_inner_texts()
    gap = page.locator("#form-gap").inner_text()
    page.click("#form-make")
    text = page.locator("#form-yaml").input_value()
    path = f"submissions/{year}/xa/{unit_id}.yaml"
    assert page.locator("#form-path").inner_text() == path
    query = _github_query(page)
    assert query["filename"] == [path]
    # A whole commune's answers make a URL longer than GitHub accepts: the content goes by copy and paste.
    assert "value" not in query and "Sao chép nội dung" in page.locator("#form-github-help").inner_text()
    shot(page, "tao-tep")

    relative = next(c["id"] for c in criteria if c["kind"] == "relative")
    assert f"  {relative}:\n    value: 37.25\n" in text  # "37,25" as typed, a number in the file
    target = data.root / path
    target.write_text(text, encoding="utf-8")
    assert cqdt("--data", data.root, "validate", target).exit_code == 0
    assert cqdt("--data", data.root, "fmt", "--check", target).exit_code == 0
    result = evaluate(data, year).unit(unit_id)
    assert total == vn_number(result.self_total)
    assert groups == [vn_number(result.self_group_scores[g]) for g in sorted(result.self_group_scores)]
    assert level == evaluate(data, year).criteria_set.level_name(result.level)
    if result.gap is not None:
        for shortfall in result.gap.shortfalls:
            assert f"thiếu {vn_number(shortfall.missing)} điểm" in gap
    assert result.self_total > Decimal(0)
    target.unlink()


def test_draft_survives_a_reload_and_a_file_loads_back(page, built, tmp_path):
    data, url, _ = built
    year, unit_id = _new_commune(data)
    criteria = _choose(page, url, year, unit_id)
    _fill(page, criteria[:6])
    first = criteria[0]["id"]
    page.fill(f"#{first}-note", "Bản nháp còn đây")
    total = page.locator("#form-total").inner_text()
    page.reload()
    _choose(page, url, year, unit_id)
    assert page.locator(f"#{first}-note").input_value() == "Bản nháp còn đây"
    assert page.locator("#form-total").inner_text() == total

    page.click("#form-make")
    text = page.locator("#form-yaml").input_value()
    query = _github_query(page)
    assert query["filename"] == [f"submissions/{year}/xa/{unit_id}.yaml"] and query["value"] == [text]
    page.click("#form-clear")
    assert page.locator(f"#{first}-note").input_value() == ""
    assert page.locator("#form-total").inner_text() == "0"
    page.click("summary")
    page.fill("#form-load-text", text)
    page.click("#form-load-button")
    assert "Đã đọc phiếu" in page.locator("#form-load-status").inner_text()
    assert page.locator(f"#{first}-note").input_value() == "Bản nháp còn đây"
    assert page.locator("#form-total").inner_text() == total
    page.click("#form-make")
    assert page.locator("#form-yaml").input_value() == text
    shot(page, "doc-lai-phieu")

    upload = tmp_path / f"{unit_id}.yaml"
    upload.write_text(text.replace("Bản nháp còn đây", "Tải lên từ tệp"), encoding="utf-8")
    page.fill("#form-load-text", "")
    page.set_input_files("#form-load-file", str(upload))
    page.click("#form-load-button")
    # Reading a chosen file is asynchronous in the page: wait for the field to change.
    expect(page.locator(f"#{first}-note")).to_have_value("Tải lên từ tệp")


def test_form_works_offline_from_disk(page, built):
    data, _, output = built
    year, unit_id = _new_commune(data)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    criteria = _choose(page, (output / "nop-phieu" / "index.html").as_uri(), year, unit_id)
    yes_no = next(c for c in criteria if c["kind"] == "yes_no")
    page.check(f"#{yes_no['id']}-answer-true")
    assert page.locator(f"#{yes_no['id']}-points").inner_text() == f"Điểm: {yes_no['max'].replace('.', ',')} / {yes_no['max'].replace('.', ',')}"
    assert "phải kèm minh chứng" in page.locator(f"#{yes_no['id']}-errors").inner_text()
    assert requested and all(url.startswith("file://") for url in requested)


def test_phone_width_keeps_the_score_in_view(browser, built):
    data, url, _ = built
    year, unit_id = _new_commune(data)
    with tab(browser, 390) as page:
        _phone_checks(page, url, year, unit_id)


def _phone_checks(page, url: str, year: int, unit_id: str) -> None:
    criteria = _choose(page, url, year, unit_id)
    yes_no = next(c for c in criteria if c["kind"] == "yes_no")
    page.locator(f"#c-{yes_no['id']}").scroll_into_view_if_needed()
    page.check(f"#{yes_no['id']}-answer-true")
    live = page.locator("#form-live")
    assert live.is_visible() and live.inner_text().startswith(f"Tổng {yes_no['max'].replace('.', ',')} điểm")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "form-dien-thoai.png"))


def test_phone_messages_are_in_the_clerks_words(browser, built):
    """At 390 px: a ratio typed as one number asks for both numbers by what they count, a
    decimal comma is a number, and no message shows a schema path or runs off the screen."""
    data, url, _ = built
    year, unit_id = _new_commune(data)
    with tab(browser, 390) as page:
        criteria = _choose(page, url, year, unit_id)
        ratio = next(c for c in criteria if c["kind"] == "ratio")
        relative = next(c for c in criteria if c["kind"] == "relative")
        page.locator(f"#c-{ratio['id']}").scroll_into_view_if_needed()
        page.fill(f"#{ratio['id']}-numerator", "18/20")
        message = page.locator(f"#{ratio['id']}-errors li").inner_text()
        assert message == (f"Tiêu chí {ratio['id']} ({ratio['title']}) cần hai số: tử số ({ratio['numerator']}) "
                           f"và mẫu số ({ratio['denominator']}); đang là \"18/20\"")
        page.fill(f"#{ratio['id']}-numerator", "18,5")
        assert "còn thiếu mẫu số" in page.locator(f"#{ratio['id']}-errors li").inner_text()
        page.fill(f"#{ratio['id']}-denominator", "20")
        page.fill(f"#{ratio['id']}-evidence", "https://xa.phutho.gov.vn/mc.pdf")
        assert page.locator(f"#{ratio['id']}-errors li").count() == 0
        assert page.locator(f"#{ratio['id']}-points").inner_text().startswith("Điểm: ")
        page.fill(f"#{relative['id']}-answer", "12,5")
        assert "phải kèm minh chứng" in page.locator(f"#{relative['id']}-errors li").inner_text()
        page.fill(f"#{relative['id']}-evidence", "tai-lieu/khong-co.pdf")
        missing = page.locator(f"#{relative['id']}-errors li").inner_text()
        assert "kho dữ liệu của tỉnh" in missing and missing.startswith(f"Tiêu chí {relative['id']} (")
        texts = page.locator(".form-errors li").all_inner_texts()
        assert texts and not any("answers." in t or ".value" in t for t in texts)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.locator(f"#c-{relative['id']}").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "form-dien-thoai-loi.png"))
