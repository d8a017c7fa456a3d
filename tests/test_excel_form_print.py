"""The Excel form prints: LibreOffice (headless) turns the template of each tier into a PDF,
which must be A4 landscape, one page wide, the heading row on every page, numbered pages, and
every criterion's title and scoring text whole inside its own cell (nothing clipped or spilled
into the next row). The first page is kept as a PNG in test-artifacts/ for a reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest
from office import Page, Word, convert, first_page_png, pdf_info, pdf_pages, require_tools

from scorer.core.model import Criterion
from scorer.forms.excel_form import COLUMNS, SHEET, WIDTH, _how_text, build_template
from scorer.reading.catalogue import load_criteria_set
from scorer.reading.cycle import load_cycle
from scorer.reading.paths import DataRoot
from scorer.reading.registry import load_registry

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
YEAR = 2024
UNIT_OF = {"so": "so-tttt", "huyen": "huyen-thanh-thuy", "xa": "xa-am-ha"}
MOST_PAGES = {"so": 9, "huyen": 9, "xa": 8}
START = {}
_start = 0
for _key, _, _width in COLUMNS:
    START[_key] = _start
    _start += _width
TOTAL = _start


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Path, list[Criterion]]]:
    """The PDF of each tier's form, converted in one run of LibreOffice."""
    require_tools()
    base = tmp_path_factory.mktemp("excel-print")
    root = DataRoot(REPO)
    criteria_set = load_criteria_set(root, load_cycle(root, YEAR).criteria_set)
    registry = load_registry(root)
    books = []
    for tier, unit_id in UNIT_OF.items():
        path = base / f"phieu-{tier}.xlsx"
        path.write_bytes(build_template(criteria_set, registry.by_id[unit_id], YEAR))
        books.append(path)
    pdfs = convert(books, "pdf", base / "pdf", base / "profile")
    return {tier: (pdf, list(criteria_set.tiers[tier].criteria)) for tier, pdf in zip(UNIT_OF, pdfs, strict=True)}


def _line(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


class Columns:
    """Where each column of the sheet lies on a page, from the heading row's words: the sheet is
    scaled as a whole, so a column's edges are a linear function of the widths before it."""

    def __init__(self, page: Page):
        # The heading of the notes column fits one line: "Ghi chú, giải trình", four words in a row.
        note: list[Word] = []
        for ghi in (w for w in page.words if w.text == "Ghi"):
            line = sorted((w for w in page.words if abs(w.top - ghi.top) < 1 and w.left >= ghi.left), key=lambda w: w.left)
            if [w.text for w in line[:4]] == ["Ghi", "chú,", "giải", "trình"]:
                note = line[:4]
        assert note, "the heading row is on the page"
        middle = (note[0].top + note[0].bottom) / 2
        first = min((w for w in page.words if w.text == "Mã" and abs((w.top + w.bottom) / 2 - middle) < 20),
                    key=lambda w: w.left)
        id_centre = (first.left + first.right) / 2
        note_centre = (min(w.left for w in note) + max(w.right for w in note)) / 2
        self.scale = (note_centre - id_centre) / (START["note"] + WIDTH["note"] / 2 - WIDTH["id"] / 2)
        self.origin = id_centre - self.scale * WIDTH["id"] / 2
        # The heading row: its cells are centred vertically, three lines at most.
        self.heading = [w for w in page.words if abs((w.top + w.bottom) / 2 - middle) <= 20]
        self.heading_bottom = max(w.bottom for w in self.heading)

    def x(self, units: float) -> float:
        return self.origin + self.scale * units

    def holds(self, key: str, word: Word) -> bool:
        return self.x(START[key]) - 1 <= word.left and word.right <= self.x(START[key] + WIDTH[key]) + 1


def _cells(pages: list[Page], criteria: list[Criterion], key: str) -> dict[str, str]:
    """The text drawn in column `key` of each criterion's row: from its id down to the next row
    (another criterion, a group heading, the total) or the page's footer."""
    ids = {c.id for c in criteria}
    found: dict[str, str] = {}
    for page in pages:
        columns = Columns(page)
        body = [w for w in page.words if w.top > columns.heading_bottom]
        footer = max(w.top for w in body if w.text == "Trang")  # "Trang k / N", the lowest line
        starts = sorted((w.top, w.text) for w in body if columns.holds("id", w) and (w.text in ids or w.text in ("Nhóm", "Tổng")))
        for (top, text), (bottom, _) in zip(starts, [*starts[1:], (footer, "")], strict=True):
            if text in ids:
                words = sorted((w for w in body if columns.holds(key, w) and top - 1 <= w.top and w.bottom <= bottom + 1),
                               key=lambda w: (round(w.top), w.left))
                found[text] = _line(words)
    return found


@pytest.mark.parametrize("tier", list(UNIT_OF))
def test_form_prints_on_a4_landscape_one_page_wide(printed, tier):
    pdf, _ = printed[tier]
    info = pdf_info(pdf)
    assert info["Page size"].startswith("841.89 x 595.3"), info["Page size"]
    count = int(info["Pages"])
    assert 2 <= count <= MOST_PAGES[tier]
    pages = pdf_pages(pdf)
    assert len(pages) == count
    for number, page in enumerate(pages, start=1):
        text = _line(page.words)
        assert f"Trang {number} / {count}" in text
        columns = Columns(page)
        for key, heading, _ in COLUMNS:  # the heading row, whole, on every page: nothing cut off at the side
            cell = sorted((w for w in columns.heading if columns.holds(key, w)), key=lambda w: (round(w.top), w.left))
            assert _line(cell) == heading, (number, heading)
        assert all(w.left >= 20 and w.right <= page.width - 20 for w in page.words), number
    assert "PHIẾU TỰ ĐÁNH GIÁ MỨC ĐỘ CHÍNH QUYỀN ĐIỆN TỬ NĂM 2024" in _line(pages[0].words)


@pytest.mark.parametrize("tier", list(UNIT_OF))
def test_every_criterion_prints_whole_in_its_own_row(printed, tier):
    pdf, criteria = printed[tier]
    pages = pdf_pages(pdf)
    titles = _cells(pages, criteria, "title")
    how = _cells(pages, criteria, "how")
    def letters(text: str) -> str:  # a wrapped line may break after a hyphen: compare without spaces
        return "".join(text.split())

    for criterion in criteria:
        assert letters(titles[criterion.id]) == letters(criterion.title), criterion.id
        assert letters(how[criterion.id]) == letters(_how_text(criterion)), criterion.id


def test_first_page_is_kept_for_a_reviewer(printed):
    pdf, _ = printed["xa"]
    png = first_page_png(pdf, ARTIFACTS / "excel-form-trang-1.png")
    assert png.stat().st_size > 10_000
    print(f"\nfirst printed page of the Excel form: {png}")


def test_rows_are_tall_enough_for_their_text(tmp_path):
    """The title row fits capital letters with two marks; every row fits its wrapped text."""
    from openpyxl import load_workbook

    from scorer.forms.excel_form import LINE_HEIGHT, text_lines

    root = DataRoot(REPO)
    criteria_set = load_criteria_set(root, load_cycle(root, YEAR).criteria_set)
    unit = load_registry(root).by_id[UNIT_OF["xa"]]
    path = tmp_path / "phieu.xlsx"
    path.write_bytes(build_template(criteria_set, unit, YEAR))
    ws = load_workbook(path)[SHEET]
    assert ws.row_dimensions[1].height >= 2 * ws["A1"].font.size
    rows = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    for criterion in criteria_set.tiers["xa"].criteria:
        height = ws.row_dimensions[rows[criterion.id]].height
        for text, width in ((criterion.title, WIDTH["title"]), (_how_text(criterion), WIDTH["how"])):
            assert height >= text_lines(text, width) * LINE_HEIGHT, criterion.id
    assert ws.print_title_rows == "$9:$9" or ws.print_title_rows == "9:9"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
