"""The `cqdt` command: argument handling and printing only; the work is in the library."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..core.inert import annotation, json_text, log_line
from ..core.model import TIERS, Results
from ..core.problems import InputError, Problem
from ..export import results as export
from ..export import terminal
from ..forms.scaffold import new_submission
from ..reading.catalogue import check_criteria_set, load_criteria_set
from ..reading.cycle import load_cycle
from ..reading.paths import DataRoot, write_atomic
from ..reading.registry import load_registry
from ..reading.schemas import write_schemas
from .errors import CliError
from .i18n import VietnameseGroup

if TYPE_CHECKING:
    from ..flow.validate import Report


def _root(ctx: click.Context) -> DataRoot:
    return ctx.find_object(DataRoot)


def say(text: object, err: bool = False) -> None:
    """Print one line that may quote what a submitter wrote: escaped, so that it stays one line
    and the Actions runner never reads it as a workflow command (see core.inert)."""
    click.echo(log_line(text), err=err)


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def print_problems(problems: list[Problem], err: bool = True) -> None:
    """One line per problem; GitHub annotations too when running in Actions."""
    for problem in problems:
        say(problem, err=err)
    if in_actions():
        for problem in problems:
            click.echo(annotation("error", problem.path, problem.message, problem.line, problem.col))


def fail(problems: list[Problem]) -> None:
    print_problems(problems)
    raise SystemExit(1)


@click.group("cqdt", cls=VietnameseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path), default=".", metavar="THƯ_MỤC",
              show_default=True, help="Thư mục dữ liệu: kho chứa criteria/, units/ và submissions/.")
@click.version_option(package_name="cqdt", message="%(prog)s, phiên bản %(version)s",
                      help="Hiện phiên bản rồi thoát.")
@click.pass_context
def main(ctx: click.Context, data: Path) -> None:
    """cqdt: đánh giá, xếp hạng mức độ Chính quyền điện tử bằng Git.

    Kiểm tra phiếu tự đánh giá (tệp YAML), chấm điểm, xếp hạng, thẩm định, công bố kết quả
    và dựng trang web công khai. Mỗi lệnh có hướng dẫn riêng: cqdt LỆNH --help.
    """
    ctx.obj = DataRoot(data)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[TỆP]...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: mỗi lỗi một dòng; json: báo cáo dạng JSON.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], fmt: str) -> None:
    """Kiểm tra các tệp (mặc định: mọi tệp trong thư mục dữ liệu); có lỗi thì thoát với mã 1."""
    from ..flow.validate import validate_all, validate_paths

    root = _root(ctx)
    report = validate_paths(root, list(paths)) if paths else validate_all(root)
    if fmt == "json":
        click.echo(json_text({
            "ok": report.ok, "files": report.files,
            "problems": [{"path": p.path, "line": p.line, "col": p.col, "message": p.message} for p in report.problems],
        }))
    else:
        print_problems(report.problems)
        summary = f"Đã kiểm tra {len(report.files)} tệp: "
        if report.ok:
            summary += "không có lỗi."
        else:
            summary += f"{len(report.bad_files)} tệp có lỗi, tổng cộng {len(report.problems)} lỗi."
        click.echo(summary, err=not report.ok)
        _suggest_fmt(root, list(paths), report)
    raise SystemExit(0 if report.ok else 1)


def _suggest_fmt(root: DataRoot, paths: list[Path], report: Report) -> None:
    """Named submissions that are valid but not in canonical layout get a hint (not an error)."""
    from ..forms.fmt import needs_formatting
    from ..reading.paths import SUBMISSION_RE

    bad = set(report.bad_files)
    for path in paths:
        display = root.relative(path)
        if display not in bad and SUBMISSION_RE.match(display) and not display.endswith(".review.yaml") \
                and needs_formatting(root, path):
            say(f"gợi ý: {display} chưa theo định dạng chuẩn (thứ tự, dấu nháy); chạy: cqdt fmt {path}")


def _latest_year(root: DataRoot) -> int:
    years = root.years()
    if not years:
        raise CliError("Chưa có năm đánh giá nào (thiếu submissions/<năm>/cycle.yaml).")
    return years[-1]


def year_option(func):
    return click.option("--year", type=int, default=None, metavar="NĂM",
                        help="Năm đánh giá (mặc định: năm gần nhất có chu kỳ đánh giá).")(func)


def _results(root: DataRoot, year: int | None, recorded: bool = True) -> Results:
    from ..shell.scoring import evaluate

    try:
        return evaluate(root, year or _latest_year(root), recorded=recorded)
    except InputError as err:
        fail(err.problems)
        raise  # unreachable; fail exits


@main.command()
@year_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table: bảng cho người đọc; json: toàn bộ kết quả; csv: mỗi đơn vị một dòng.")
@click.option("--tier", type=click.Choice(TIERS), multiple=True,
              help="Chỉ các cấp này (ghi nhiều lần được): so = cấp sở, huyen = cấp huyện, xa = cấp xã.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP",
              help="Ghi ra tệp này (ghi trọn vẹn hoặc không ghi gì) thay vì in ra màn hình.")
@click.option("--recompute", is_flag=True,
              help="Năm đã công bố: tính lại từ kho thay vì đọc kết quả chính thức (results.json).")
@click.pass_context
def score(ctx: click.Context, year: int | None, fmt: str, tier: tuple[str, ...], output: Path | None,
          recompute: bool) -> None:
    """Chấm điểm mọi đơn vị của một năm: điểm từng nhóm, tổng điểm, mức (Mức I–IV), thứ hạng, điểm còn
    thiếu để lên mức trên; năm đã công bố thì in kết quả chính thức như đã công bố."""
    tiers = tier or TIERS
    results = _results(_root(ctx), year, recorded=not recompute)
    if fmt == "json":
        from ..shell.scoring import json_pieces

        pieces = json_pieces(results, tiers)
    else:
        pieces = [{"csv": export.to_csv, "table": terminal.table}[fmt](results, tiers)]
    if output:
        write_atomic(output, pieces)
        click.echo(str(output))
    else:
        stdout = sys.stdout.buffer
        for piece in pieces:
            stdout.write(piece if isinstance(piece, bytes) else piece.encode("utf-8"))
        stdout.flush()


@main.command()
@click.option("--unit", "unit_id", required=True, metavar="MÃ", help="Mã đơn vị trong units/ (ví dụ xa-bang-luan).")
@year_option
@click.pass_context
def new(ctx: click.Context, unit_id: str, year: int | None) -> None:
    """Tạo bài nộp trống, hợp lệ cho một đơn vị ở đúng đường dẫn của nó; không bao giờ ghi đè tệp đã có."""
    root = _root(ctx)
    try:
        registry = load_registry(root)
        year = year or _latest_year(root)
        cycle = load_cycle(root, year)
        criteria_set = load_criteria_set(root, cycle.criteria_set)
    except InputError as err:
        fail(err.problems)
    unit = registry.by_id.get(unit_id)
    if unit is None:
        raise CliError(f"Không có đơn vị '{unit_id}' trong danh sách đơn vị (units/).")
    path = root.submission_path(year, unit.tier, unit.id)
    if path.exists():
        raise CliError(f"Đã có tệp {root.relative(path)}; không ghi đè. Hãy sửa trực tiếp tệp đó.")
    write_atomic(path, new_submission(criteria_set, unit, year))
    click.echo(root.relative(path))


@main.command()
@click.option("--check", is_flag=True, help="Chỉ báo lược đồ đã cũ (thoát với mã 1), không ghi gì.")
@click.pass_context
def schemas(ctx: click.Context, check: bool) -> None:
    """Ghi các lược đồ (JSON Schema) vào schema/: lược đồ của cqdt, và lược đồ bài nộp, hồ sơ thẩm định từng
    cấp sinh từ các bộ tiêu chí."""
    root = _root(ctx)
    sets = []
    for set_id in root.criteria_set_ids():
        criteria_set, problems = check_criteria_set(root, set_id)
        if problems:
            fail(problems)
        sets.append(criteria_set)
    if check:
        from ..reading.schemas import stale_schemas

        stale = stale_schemas(root, sets)
        for name in stale:
            click.echo(f"schema/{name}: đã cũ", err=True)
        raise SystemExit(1 if stale else 0)
    for path in write_schemas(root, sets):
        click.echo(root.relative(path))


@main.group()
def units() -> None:
    """Danh sách đơn vị được đánh giá (units/)."""


@units.command("generate")
@click.pass_context
def units_generate(ctx: click.Context) -> None:
    """Sinh lại units/*.yaml từ danh mục đơn vị hành chính (gói vietnam-provinces 0.x) và danh sách tại Điều 2."""
    try:
        from ..generators.registry import write_registry
    except ImportError as err:  # the generator needs the optional 'units' extra
        raise CliError(f"Cần cài gói vietnam-provinces<1: pip install 'cqdt[units]' ({err})") from err
    for path in write_registry(_root(ctx).units_dir):
        click.echo(str(path))


@main.command()
@click.option("--seed", type=int, default=1609, show_default=True, metavar="SỐ",
              help="Hạt giống ngẫu nhiên; cùng hạt giống thì ghi ra đúng các tệp ấy.")
@click.pass_context
def demo(ctx: click.Context, seed: int) -> None:
    """Sinh lại các năm dữ liệu minh họa (ghi demo: true) cho mọi đơn vị trong danh sách đơn vị."""
    from ..generators.demo import DEMO_YEARS, write_demo

    root = _root(ctx)
    try:
        registry = load_registry(root)
        criteria_set = load_criteria_set(root, "qd-1609-2018")
    except InputError as err:
        fail(err.problems)
    written = write_demo(root, registry, criteria_set, seed)
    years = ", ".join(str(spec.year) for spec in DEMO_YEARS)
    click.echo(f"Đã ghi {len(written)} tệp minh họa cho các năm {years}.")


def run() -> None:
    """Entry point of the `cqdt` command and of `python -m scorer`."""
    try:
        main(prog_name="cqdt")
        code: object = 0
    except SystemExit as done:
        code = done.code
    # Like mypy's hard exit: the operating system takes the memory back at once, where Python
    # would free a nationwide year's objects one by one. Only the standard streams and the logs
    # hold output still to write (the memo commits what it holds as each step ends).
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    code = code if isinstance(code, int) else 0 if code is None else 1
    if "logging" in sys.modules:  # imported only by what logs (Pelican): its handlers hold output
        sys.modules["logging"].shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120  # what Python exits with when it cannot flush at exit
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
