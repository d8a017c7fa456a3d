"""The one error the commands raise: its message, which may quote what a submitter wrote, is
printed inert (core.inert.log_line) line by line, in a terminal as in a GitHub Actions log."""

from __future__ import annotations

import click

from ..core.inert import log_line


class CliError(click.ClickException):
    def format_message(self) -> str:
        return "\n".join(log_line(line) for line in self.message.splitlines())
