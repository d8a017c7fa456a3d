"""Every command has help text and a line in README (sqlite-utils' habit)."""

from __future__ import annotations

import click
import pytest
from conftest import REPO

from scorer.cli import main


def walk(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.extend(walk(command, f"{prefix}{name} "))
        else:
            found.append((f"{prefix}{name}", command))
    return found


COMMANDS = walk(main)


def test_there_are_commands():
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help_and_is_documented(name, command):
    assert (command.help or "").strip(), f"cqdt {name} has no help text"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"cqdt {name}" in readme, f"README does not mention `cqdt {name}`"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_help_runs(name, command, cqdt):
    result = cqdt(*name.split(), "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
