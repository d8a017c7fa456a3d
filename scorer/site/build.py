"""Building the site: Pelican with the cqdt plugin, from a data root's Results."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..reading.paths import DataRoot

PACKAGE_REPO = Path(__file__).resolve().parents[2]


class BuildError(Exception):
    """The site could not be built (the message says why, in Vietnamese)."""


def site_config(root: DataRoot) -> Path:
    """site/pelicanconf.py of the data root, else of the source tree this package runs from."""
    for base in (root.root, PACKAGE_REPO):
        config = base / "site" / "pelicanconf.py"
        if config.is_file():
            return config
    raise BuildError("Không tìm thấy tệp cấu hình trang web site/pelicanconf.py.")


def build_site(root: DataRoot, output: Path | None = None, progress: bool = False, years: tuple[int, ...] = ()) -> Path:
    """Build the site from the data root's Results into `output` (default: the settings'
    OUTPUT_PATH); returns the output folder. Raises InputError when the data has problems,
    BuildError when Pelican could not build it."""
    from pelican import Pelican
    from pelican.log import console
    from pelican.settings import read_settings

    config = site_config(root)
    if output is not None and root.root.resolve().is_relative_to(output.resolve()):
        # The build removes files it no longer produces from its folders; never among the data.
        raise BuildError(f"Thư mục đầu ra {output} chứa thư mục dữ liệu; hãy chọn một thư mục riêng, ví dụ site/output.")
    override = {"CQDT_DATA_ROOT": str(root.root.resolve()), "CQDT_PROGRESS": progress}
    if output is not None:
        override["OUTPUT_PATH"] = str(output.resolve())
    if years:
        override["CQDT_YEARS"] = sorted(years)
    settings = read_settings(str(config), override=override)
    quiet, console.quiet = console.quiet, True  # Pelican's English "Done: Processed ..." line
    try:
        with pelican_errors() as errors:
            Pelican(settings).run()
    finally:
        console.quiet = quiet
    if errors:
        # Pelican logs a page it could not read and goes on; a site with a page missing is a failed build.
        raise BuildError("Dựng trang web không thành công:\n" + "\n".join(errors))
    return Path(settings["OUTPUT_PATH"])


@contextmanager
def pelican_errors() -> Iterator[list[str]]:
    """Collect the errors Pelican logs while the block runs."""

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
