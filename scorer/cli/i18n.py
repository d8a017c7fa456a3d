"""`cqdt` speaks Vietnamese: click's own words (usage line, headings, defaults, error messages).

Click marks its strings for GNU gettext's classic API, which reads a process-wide text domain
and the LANGUAGE variable; `vietnamese()` sets both for one command and puts them back after.
The catalogue is locale/vi/LC_MESSAGES/cqdt-click.po, compiled to .mo with `msgfmt` (tests
check that the two agree). Our own help texts are written in Vietnamese where they are declared.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

DOMAIN = "cqdt-click"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@contextmanager
def vietnamese() -> Iterator[None]:
    """Click's messages in Vietnamese while the block runs."""
    previous_domain = gettext.textdomain()
    previous_language = os.environ.get("LANGUAGE")
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = "vi"
    try:
        yield
    finally:
        gettext.textdomain(previous_domain)
        if previous_language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = previous_language


class VietnameseCommand(click.Command):
    """A command whose usage line says [TÙY_CHỌN] for its options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        super().__init__(*args, **kwargs)


class VietnameseGroup(click.Group):
    """A group of commands that runs each of them with click's words in Vietnamese."""

    command_class = VietnameseCommand
    group_class = type  # subgroups are VietnameseGroups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        kwargs.setdefault("subcommand_metavar", "LỆNH [THAM_SỐ]...")
        super().__init__(*args, **kwargs)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with vietnamese():
            return super().main(*args, **kwargs)
