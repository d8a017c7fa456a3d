"""Commands of the site area, registered on `cqdt`: build and preview the public site."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.problems import InputError
from ..site.build import BuildError, build_site
from .app import _root, fail, main
from .errors import CliError


def _build(ctx: click.Context, output: Path | None, years: tuple[int, ...]) -> Path:
    try:
        return build_site(_root(ctx), output, progress=True, years=years)
    except InputError as err:
        fail(err.problems)
        raise  # unreachable; fail exits
    except BuildError as err:
        raise CliError(str(err)) from err


@main.command()
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="THƯ_MỤC",
              help="Thư mục ghi trang web (mặc định: site/output).")
@click.option("--year", "years", type=int, multiple=True, metavar="NĂM",
              help="Chỉ các năm này (ghi nhiều lần được; mặc định: mọi năm có chu kỳ đánh giá).")
@click.pass_context
def build(ctx: click.Context, output: Path | None, years: tuple[int, ...]) -> None:
    """Dựng trang web kết quả công khai (Pelican) từ kết quả của mọi năm đánh giá."""
    path = _build(ctx, output, years)
    click.echo(f"Đã dựng trang web tại {path}")


@main.command()
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="THƯ_MỤC",
              help="Thư mục ghi trang web (mặc định: site/output).")
@click.option("--port", type=int, default=8000, show_default=True, metavar="CỔNG", help="Cổng trên máy này (127.0.0.1).")
@click.pass_context
def serve(ctx: click.Context, output: Path | None, port: int) -> None:
    """Dựng trang web rồi mở bản xem thử tại http://127.0.0.1:CỔNG/ (Ctrl+C để dừng)."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    path = _build(ctx, output, ())
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(path))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        click.echo(f"Xem trang tại http://127.0.0.1:{port}/ (Ctrl+C để dừng)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("Đã dừng.")
