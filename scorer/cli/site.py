"""Commands of the site area, registered on `cqdt`: build and preview the public site."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..core.problems import InputError
from ..reading.paths import DataRoot
from .app import _root, fail, main

PACKAGE_REPO = Path(__file__).resolve().parents[2]


def site_config(root: DataRoot) -> Path:
    """site/pelicanconf.py of the data root, else of the source tree this package runs from."""
    for base in (root.root, PACKAGE_REPO):
        config = base / "site" / "pelicanconf.py"
        if config.is_file():
            return config
    raise click.ClickException("Không tìm thấy tệp cấu hình trang web site/pelicanconf.py.")


def build_site(root: DataRoot, output: Path | None, progress: bool = False, years: tuple[int, ...] = ()) -> Path:
    """Build the site from the data root's Results; returns the output folder. Pelican builds
    it, unless only the data changed since the last build into that folder: then only the data
    pages are written again, without Pelican (see site.quick)."""
    from ..site import quick

    config = site_config(root)
    if output is not None and root.root.resolve().is_relative_to(output.resolve()):
        # The build removes files it no longer produces from its folders; never among the data.
        raise click.ClickException(f"Thư mục đầu ra {output} chứa thư mục dữ liệu; hãy chọn một thư mục riêng, ví dụ site/output.")
    override = {"CQDT_DATA_ROOT": str(root.root.resolve()), "CQDT_PROGRESS": progress}
    if output is not None:
        override["OUTPUT_PATH"] = str(output.resolve())
    if years:
        override["CQDT_YEARS"] = sorted(years)
    keyed = quick.config_key(config, override)
    if keyed is not None:
        if quick.rebuild(keyed, override):
            return keyed.output
        override["CQDT_QUICK_KEY"] = keyed.key
    return _pelican_build(config, override)


def _pelican_build(config: Path, override: dict) -> Path:
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(str(config), override=override)
    with pelican_errors() as errors:
        Pelican(settings).run()
    if errors:
        # Pelican logs a page it could not read and goes on; a site with a page missing is a failed build.
        raise click.ClickException("Dựng trang web không thành công:\n" + "\n".join(errors))
    return Path(settings["OUTPUT_PATH"])


@contextmanager
def pelican_errors() -> Iterator[list[str]]:
    """Collect the errors Pelican logs while the block runs."""
    import logging  # only a Pelican build logs: a quick rebuild need not import it

    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.ERROR)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    handler = Collect()
    logger = logging.getLogger("pelican")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _build(ctx: click.Context, output: Path | None, years: tuple[int, ...]) -> Path:
    try:
        return build_site(_root(ctx), output, progress=True, years=years)
    except InputError as err:
        fail(err.problems)
        raise  # unreachable; fail exits


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
