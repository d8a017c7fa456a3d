"""Commands of the form area, registered on `cqdt`: template, import, fmt."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.problems import InputError
from ..reading.paths import write_atomic
from .app import _latest_year, _root, fail, main, say, year_option
from .errors import CliError


@main.command()
@click.option("--unit", "unit_id", required=True, metavar="MÃ", help="Mã đơn vị trong units/ (ví dụ xa-bang-luan).")
@year_option
@click.option("--xlsx", "xlsx", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP",
              help="Ghi phiếu khảo sát (tệp Excel .xlsx) vào tệp này.")
@click.pass_context
def template(ctx: click.Context, unit_id: str, year: int | None, xlsx: Path) -> None:
    """Tạo phiếu khảo sát Excel để cán bộ đơn vị điền bằng Excel hoặc LibreOffice."""
    from ..forms.excel_form import build_template
    from ..reading.catalogue import load_criteria_set
    from ..reading.cycle import load_cycle
    from ..reading.registry import load_registry

    root = _root(ctx)
    try:
        registry = load_registry(root)
        year = year or _latest_year(root)
        criteria_set = load_criteria_set(root, load_cycle(root, year).criteria_set)
    except InputError as err:
        fail(err.problems)
    unit = registry.by_id.get(unit_id)
    if unit is None:
        raise CliError(f"Không có đơn vị '{unit_id}' trong danh sách đơn vị (units/).")
    write_atomic(xlsx, build_template(criteria_set, unit, year))
    click.echo(str(xlsx))


@main.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="TỆP_EXCEL")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP",
              help="Nơi ghi tệp YAML (mặc định: submissions/<năm>/<cấp>/<mã đơn vị>.yaml).")
@click.option("--force", is_flag=True, help="Thay tệp bài nộp đã có bằng nội dung phiếu.")
@click.option("--allow-blank", is_flag=True,
              help="Giữ các tiêu chí chưa trả lời là để trống (0 điểm) thay vì từ chối phiếu.")
@click.pass_context
def import_workbook(ctx: click.Context, workbook: Path, output: Path | None, force: bool, allow_blank: bool) -> None:
    """Chuyển phiếu khảo sát Excel đã điền thành tệp bài nộp YAML chuẩn."""
    from ..forms.excel_import import read_workbook, submission_yaml
    from ..reading.registry import load_registry

    root = _root(ctx)
    try:
        registry = load_registry(root)
    except InputError as err:
        fail(err.problems)
    imported = read_workbook(root, registry, workbook, allow_blank=allow_blank)
    if imported.problems or imported.data is None:
        for problem in imported.problems:
            say(problem, err=True)
        say(f"Không nhập được {workbook.name}: {len(imported.problems)} lỗi; chưa ghi tệp nào.", err=True)
        raise SystemExit(1)
    unit, year = imported.unit, imported.year
    assert unit is not None and year is not None and imported.criteria_set is not None
    target = output or root.submission_path(year, unit.tier, unit.id)
    if target.exists() and not force:
        raise CliError(f"Đã có tệp {root.relative(target)}; thêm --force để thay bằng nội dung phiếu.")
    write_atomic(target, submission_yaml(imported.criteria_set, unit, year, imported.data))
    say(root.relative(target))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="[TỆP]...")
@click.option("--check", is_flag=True, help="Không ghi gì; liệt kê tệp cần định dạng lại và thoát với mã 1 nếu có.")
@click.pass_context
def fmt(ctx: click.Context, paths: tuple[Path, ...], check: bool) -> None:
    """Đưa tệp bài nộp về định dạng chuẩn (thứ tự, dấu nháy), giữ nguyên các dòng chú thích.

    Không nêu TỆP: mọi bài nộp của mọi năm trong thư mục dữ liệu.
    """
    from ..forms import fmt as formatting
    from ..reading.submissions import year_files

    root = _root(ctx)
    files = list(paths) or [p for year in root.years() for p in year_files(root, year)
                            if not p.name.endswith(".review.yaml")]
    problems, changed, known = [], [], {}
    for path in files:
        try:
            current, canonical = formatting.formatted(root, path, known)
        except InputError as err:
            problems.extend(err.problems)
            continue
        if current != canonical:
            changed.append(path)
            if not check:
                write_atomic(path, canonical)
    for path in changed:
        say(f"{root.relative(path)}: {'cần định dạng lại' if check else 'đã định dạng lại'}")
    if problems:
        fail(problems)
    raise SystemExit(1 if check and changed else 0)
