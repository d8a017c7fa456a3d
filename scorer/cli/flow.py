"""Commands of the flow area, registered on `cqdt`: pull requests, reviews, deadlines, publishing."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.inert import annotation, json_text
from ..core.problems import InputError
from ..reading.paths import write_atomic
from .app import _root, fail, in_actions, main, say
from .errors import CliError


def pull_request_options(func):
    """--base, --actor, --pusher and --head, as check-pr and pr-summary take them."""
    for option in reversed([
        click.option("--base", envvar="GITHUB_BASE_REF", required=True, metavar="NHÁNH",
                     help="Nhánh hoặc commit gốc của yêu cầu hợp nhất (mặc định: $GITHUB_BASE_REF; thử cả origin/<tên>)."),
        click.option("--actor", envvar="GITHUB_ACTOR", required=True, metavar="TÀI_KHOẢN",
                     help="Tài khoản GitHub của người mở yêu cầu hợp nhất (mặc định: $GITHUB_ACTOR)."),
        click.option("--pusher", envvar="GITHUB_ACTOR", default=None, metavar="TÀI_KHOẢN",
                     help="Tài khoản GitHub của người đẩy các commit (github.actor; mặc định: $GITHUB_ACTOR); "
                          "nếu khác người mở và không phải quản trị viên, mọi thay đổi cũng phải thuộc quyền người này."),
        click.option("--head", default="HEAD", show_default=True, metavar="COMMIT", help="Commit của yêu cầu hợp nhất."),
    ]):
        func = option(func)
    return func


@main.command("check-pr")
@pull_request_options
@click.pass_context
def check_pr(ctx: click.Context, base: str, actor: str, pusher: str | None, head: str) -> None:
    """Kiểm tra người mở yêu cầu hợp nhất (và người đẩy commit) có quyền sửa mọi đường dẫn mà yêu cầu thay đổi;
    nếu không, thoát với mã 1 và nêu từng thay đổi vượt quyền."""
    from ..flow.gitread import GitError
    from ..flow.ownership import check_pull_request

    try:
        verdict = check_pull_request(_root(ctx).root, base, actor, head, pusher=pusher)
    except GitError as err:
        raise CliError(f"lỗi git: {err}") from err
    no_role = "không có vai trò nào trong danh sách đơn vị của nhánh gốc"
    say(f"@{actor}: {', '.join(verdict.roles) or no_role}")
    if verdict.pusher is not None:
        say(f"Người đẩy commit @{verdict.pusher}: {', '.join(verdict.pusher_roles) or no_role}")
    say(f"Số tệp thay đổi: {len(verdict.changes)}; đơn vị: {', '.join(verdict.units) or 'không có'}")
    for note in verdict.late:
        say(f"Lưu ý: {note}")
    for violation in verdict.violations:
        say(violation, err=True)
        if in_actions():
            click.echo(annotation("error", violation.path, f"{violation.detail} (quy tắc: {violation.rule})"))
    if verdict.ok:
        click.echo("Hợp lệ: mọi thay đổi đều thuộc quyền của người gửi.")
    else:
        click.echo(f"Không hợp lệ: {len(verdict.violations)} thay đổi vượt quyền.", err=True)
        raise SystemExit(1)


@main.command("codeowners")
@click.option("--check", is_flag=True, help="Chỉ so với tệp đã có trong kho; thoát với mã 1 nếu tệp đã cũ.")
@click.pass_context
def codeowners_command(ctx: click.Context, check: bool) -> None:
    """Ghi .github/CODEOWNERS (ai duyệt tệp nào) từ danh sách đơn vị (units/)."""
    from ..flow.codeowners import codeowners
    from ..reading.registry import load_registry

    root = _root(ctx)
    try:
        text = codeowners(load_registry(root))
    except InputError as err:
        fail(err.problems)
    path = root.root / ".github" / "CODEOWNERS"
    if check:
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            click.echo(".github/CODEOWNERS đã cũ so với units/; hãy chạy: cqdt codeowners", err=True)
            raise SystemExit(1)
        click.echo(".github/CODEOWNERS khớp với units/.")
        return
    write_atomic(path, text)
    click.echo(root.relative(path))


def _year_context(root, year: int):
    """Registry, cycle and criteria of a year, or exit with every problem."""
    from ..reading.catalogue import load_criteria_set
    from ..reading.cycle import load_cycle
    from ..reading.registry import load_registry
    from ..reading.submissions import YearContext

    try:
        registry = load_registry(root)
        cycle = load_cycle(root, year)
        return YearContext(root, registry, cycle, load_criteria_set(root, cycle.criteria_set))
    except InputError as err:
        fail(err.problems)
        raise  # unreachable; fail exits


@main.command("review")
@click.option("--unit", "unit_id", required=True, metavar="MÃ", help="Mã đơn vị có bài nộp cần thẩm định.")
@click.option("--year", type=int, required=True, metavar="NĂM", help="Năm đánh giá.")
@click.option("--reviewer", envvar="GITHUB_ACTOR", required=True, metavar="TÀI_KHOẢN",
              help="Tài khoản GitHub của người thẩm định (mặc định: $GITHUB_ACTOR).")
@click.option("--stage", default=None, metavar="BƯỚC",
              help="Bước thẩm định, theo bộ tiêu chí (ví dụ district: UBND huyện, province: Sở TT&TT); "
                   "mặc định: bước đầu tiên người thẩm định được giao cho đơn vị.")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="NGÀY",
              help="Ngày thẩm định, dạng YYYY-MM-DD (mặc định: hôm nay, giờ Việt Nam).")
@click.pass_context
def review(ctx: click.Context, unit_id: str, year: int, reviewer: str, stage: str | None, day) -> None:
    """Thêm một mục thẩm định để người thẩm định điền: submissions/<năm>/<cấp>/<mã đơn vị>.review.yaml."""
    from ..core.dates import province_today
    from ..core.stages import stage_named
    from ..flow.review_scaffold import ScaffoldError, check_reviewer, default_stage, scaffold_review
    from ..reading.submissions import read_submission

    root = _root(ctx)
    context = _year_context(root, year)
    unit = context.registry.by_id.get(unit_id)
    if unit is None:
        raise CliError(f"Không có đơn vị '{unit_id}' trong danh sách đơn vị (units/).")
    submission_path = root.submission_path(year, unit.tier, unit.id)
    if not submission_path.is_file():
        raise CliError(f"Đơn vị {unit.id} chưa nộp bài năm {year} (không có {root.relative(submission_path)}).")
    submission, problems = read_submission(context, submission_path)
    if submission is None:
        fail(problems)
    criteria_set = context.criteria_set
    stage = stage or default_stage(criteria_set, context.registry, unit, reviewer)
    path = root.review_path(year, unit.tier, unit.id)
    try:
        check_reviewer(criteria_set, context.registry, unit, reviewer, stage)
        text = scaffold_review(path, criteria_set.tiers[unit.tier], submission, stage_named(criteria_set.stages, stage),
                               reviewer, day.date() if day else province_today())
    except ScaffoldError as err:
        raise CliError(str(err)) from err
    write_atomic(path, text)
    click.echo(root.relative(path))


@main.command("publish")
@click.option("--year", type=int, required=True, metavar="NĂM", help="Năm đánh giá cần công bố.")
@click.option("--decision", required=True, metavar="SỐ_QĐ",
              help='Số quyết định công bố (hoặc sửa đổi) kết quả, ví dụ "519/QĐ-UBND".')
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, metavar="NGÀY",
              help="Ngày ký quyết định, dạng YYYY-MM-DD.")
@click.option("--unit", "units", multiple=True, metavar="MÃ",
              help="Quyết định sửa đổi: mã đơn vị được sửa kết quả (ghi nhiều lần cho nhiều đơn vị); đơn vị khác vẫn bị khóa.")
@click.option("--reason", default="", metavar="LÝ_DO", help="Quyết định sửa đổi: lý do sửa, công khai trên trang kết quả.")
@click.pass_context
def publish_command(ctx: click.Context, year: int, decision: str, day, units: tuple[str, ...], reason: str) -> None:
    """Ghi kết quả chính thức (submissions/<năm>/results.json) và khóa năm đánh giá, hoặc từ chối và nêu mọi
    điều còn thiếu; một quyết định mới nêu đơn vị (--unit, --reason) là quyết định sửa đổi kết quả các đơn vị đó."""
    from ..flow.publish import PublishError, publish

    root = _root(ctx)
    try:
        paths = publish(root, year, decision, day.date(), units, reason)
    except InputError as err:
        fail(err.problems)
    except PublishError as err:
        raise CliError(str(err)) from err
    for path in paths:
        click.echo(root.relative(path))


@main.command("status")
@click.option("--year", type=int, required=True, metavar="NĂM", help="Năm đánh giá.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: bảng cho người đọc; json: dữ liệu cho chương trình khác.")
@click.option("--today", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="NGÀY",
              help="Xem tình hình tính đến ngày này, YYYY-MM-DD (mặc định: hôm nay, giờ Việt Nam).")
@click.pass_context
def status_command(ctx: click.Context, year: int, fmt: str, day) -> None:
    """Từng cấp: đơn vị đã nộp (lúc nào, theo sổ biên nhận), nộp muộn, đã thẩm định, chờ thẩm định lại, quá hạn thẩm định, còn thiếu."""
    from ..core.dates import province_today
    from ..flow.status import status_text, status_to_dict, year_status

    try:
        status = year_status(_root(ctx), year, day.date() if day else province_today())
    except InputError as err:
        fail(err.problems)
    if fmt == "json":
        click.echo(json_text(status_to_dict(status)))
    else:
        click.echo(status_text(status), nl=False)


@main.group("receipts")
def receipts_group() -> None:
    """Sổ biên nhận: thời điểm GitHub nhận từng phiên bản bài nộp (submissions/<năm>/receipts.jsonl)."""


_ANSWER = click.Path(exists=True, dir_okay=False, path_type=Path)


@receipts_group.command("pull-request")
@click.option("--event", "event_path", type=_ANSWER, required=True, metavar="TỆP",
              help="Sự kiện push của GitHub ($GITHUB_EVENT_PATH).")
@click.option("--pulls", "pulls_path", type=_ANSWER, required=True, metavar="TỆP",
              help="Câu trả lời của GET /repos/{kho}/commits/{after}/pulls.")
def receipts_pull_request(event_path: Path, pulls_path: Path) -> None:
    """In số của yêu cầu hợp nhất mà lần đẩy này hợp nhất (không in gì nếu là lần đẩy thẳng lên nhánh)."""
    from ..flow.receipts import merged_pull_request, read_answers, read_event

    try:
        number = merged_pull_request(read_event(event_path), read_answers(pulls_path))
    except InputError as err:
        fail(err.problems)
    if number is not None:
        click.echo(number)


@receipts_group.command("record")
@click.option("--event", "event_path", type=_ANSWER, required=True, metavar="TỆP",
              help="Sự kiện push của GitHub ($GITHUB_EVENT_PATH).")
@click.option("--pulls", "pulls_path", type=_ANSWER, required=True, metavar="TỆP",
              help="Câu trả lời của GET /repos/{kho}/commits/{after}/pulls: yêu cầu hợp nhất đã đưa commit này vào nhánh.")
@click.option("--check-runs", "runs_path", type=_ANSWER, required=True, metavar="TỆP",
              help="Câu trả lời của GET /repos/{kho}/commits/{sha}/check-runs cho từng commit của yêu cầu đó, nối tiếp nhau.")
@click.pass_context
def receipts_record(ctx: click.Context, event_path: Path, pulls_path: Path, runs_path: Path) -> None:
    """Ghi biên nhận cho các phiên bản bài nộp mà lần đẩy lên nhánh main vừa mang tới (quy trình tự động chạy lệnh này)."""
    from ..core.dates import PROVINCE_TIME
    from ..flow.gitread import GitError
    from ..flow.receipts import record_push

    root = _root(ctx)
    try:
        receipts = record_push(root, event_path, pulls_path, runs_path)
    except InputError as err:
        fail(err.problems)
    except GitError as err:
        raise CliError(f"lỗi git: {err}") from err
    for receipt in receipts:
        where = f"yêu cầu #{receipt.pull_request}" if receipt.pull_request else "đẩy thẳng lên nhánh"
        click.echo(f"{receipt.path}: nhận lúc {receipt.received_at.astimezone(PROVINCE_TIME):%H:%M:%S ngày %d/%m/%Y} "
                   f"giờ Việt Nam ({where})")
    if not receipts:
        click.echo("Không có phiên bản bài nộp mới cần ghi biên nhận.")


@main.command("pr-summary")
@pull_request_options
@click.option("--summary", "summary_path", envvar="GITHUB_STEP_SUMMARY", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="TỆP",
              help="Ghi thêm bảng tóm tắt (Markdown) vào cuối tệp này (mặc định: $GITHUB_STEP_SUMMARY; không có thì in ra).")
@click.pass_context
def pr_summary_command(ctx: click.Context, base: str, actor: str, pusher: str | None, head: str,
                       summary_path: Path | None) -> None:
    """Kiểm tra các tệp thay đổi, quyền sửa đổi và hạn nộp, chấm điểm các đơn vị thay đổi và ghi bảng tóm tắt
    cho yêu cầu hợp nhất."""
    from ..flow.gitread import GitError
    from ..flow.pr_summary import annotations, run_checks, summary_markdown, write_summary

    try:
        check = run_checks(_root(ctx), base, actor, head, pusher)
    except GitError as err:
        raise CliError(f"lỗi git: {err}") from err
    text = summary_markdown(check)
    if summary_path is not None:
        write_summary(summary_path, text)
    else:
        click.echo(text, nl=False)
    for line in annotations(check):
        click.echo(line)
    for violation in check.verdict.violations:
        say(violation, err=True)
    for problem in check.problems:
        say(problem, err=True)
    raise SystemExit(0 if check.ok else 1)
