"""Commands of the flow area, registered on `cqdt`: pull requests, reviews, deadlines, publishing."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from .cli import _root, fail, main
from .load import InputError
from .paths import write_atomic


def _annotate(level: str, path: str, message: str, line: int | None = None) -> str:
    """A GitHub Actions workflow command that puts a message on a file (and line)."""
    text = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    where = path.replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
    return f"::{level} file={where}{f',line={line}' if line else ''}::{text}"


@main.command("check-pr")
@click.option("--base", envvar="GITHUB_BASE_REF", required=True,
              help="Base branch or commit of the pull request (default: $GITHUB_BASE_REF; origin/<name> is tried too).")
@click.option("--actor", envvar="GITHUB_ACTOR", required=True,
              help="GitHub login of the pull request's author (default: $GITHUB_ACTOR).")
@click.option("--head", default="HEAD", show_default=True, help="The pull request's commit.")
@click.pass_context
def check_pr(ctx: click.Context, base: str, actor: str, head: str) -> None:
    """Check that the actor may change every path the pull request changes; exit 1 naming each one that fails."""
    from .gitread import GitError
    from .ownership import check_pull_request

    try:
        verdict = check_pull_request(_root(ctx).root, base, actor, head)
    except GitError as err:
        raise click.ClickException(f"lỗi git: {err}") from err
    roles = ", ".join(verdict.roles) or "không có vai trò nào trong danh sách đơn vị của nhánh gốc"
    click.echo(f"@{actor}: {roles}")
    click.echo(f"Số tệp thay đổi: {len(verdict.changes)}; đơn vị: {', '.join(verdict.units) or 'không có'}")
    for note in verdict.late:
        click.echo(f"Lưu ý: {note}")
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    for violation in verdict.violations:
        click.echo(str(violation), err=True)
        if in_actions:
            click.echo(_annotate("error", violation.path, f"{violation.detail} (quy tắc: {violation.rule})"))
    if verdict.ok:
        click.echo("Hợp lệ: mọi thay đổi đều thuộc quyền của người gửi.")
    else:
        click.echo(f"Không hợp lệ: {len(verdict.violations)} thay đổi vượt quyền.", err=True)
        raise SystemExit(1)


@main.command("codeowners")
@click.option("--check", is_flag=True, help="Only compare with the committed file; exit 1 when it is stale.")
@click.pass_context
def codeowners_command(ctx: click.Context, check: bool) -> None:
    """Write .github/CODEOWNERS from the registry (units/)."""
    from .codeowners import codeowners
    from .registry import load_registry

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
