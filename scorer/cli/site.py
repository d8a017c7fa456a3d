"""Commands of the site area, registered on `cqdt`: build and preview the public site."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.problems import InputError
from ..site.build import BuildError, build_site
from .app import _root, fail, main


def _build(ctx: click.Context, output: Path | None, years: tuple[int, ...]) -> Path:
    try:
        return build_site(_root(ctx), output, progress=True, years=years)
    except InputError as err:
        fail(err.problems)
        raise  # unreachable; fail exits
    except BuildError as err:
        raise click.ClickException(str(err)) from err


@main.command()
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: site/output).")
@click.option("--year", "years", type=int, multiple=True, help="Only these years (repeatable; default: every year with a cycle).")
@click.pass_context
def build(ctx: click.Context, output: Path | None, years: tuple[int, ...]) -> None:
    """Build the public results site (Pelican) from every year's Results."""
    path = _build(ctx, output, years)
    click.echo(f"Đã dựng trang web tại {path}")


@main.command()
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: site/output).")
@click.option("--port", type=int, default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.pass_context
def serve(ctx: click.Context, output: Path | None, port: int) -> None:
    """Build the site, then preview it at http://127.0.0.1:PORT/ (Ctrl+C to stop)."""
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
