"""Every command has help text in Vietnamese and a line in README (sqlite-utils' habit); click's own
words (usage, headings, errors) are Vietnamese too."""

from __future__ import annotations

import gettext
import os
import re
import unicodedata

import click
import pytest
from conftest import REPO

from scorer.cli import main
from scorer.cli.i18n import DOMAIN, LOCALE_DIR


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


def vietnamese(text: str | None) -> bool:
    """Text holding a letter only Vietnamese writes (đ, or a vowel with a mark): English help has none."""
    decomposed = unicodedata.normalize("NFD", (text or "").lower())
    return "đ" in decomposed or any(unicodedata.combining(char) for char in decomposed)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_help_runs_in_vietnamese(name, command, cqdt):
    result = cqdt(*name.split(), "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Cách dùng: cqdt {name} [TÙY_CHỌN]")
    assert "Hiện hướng dẫn này rồi thoát." in result.output
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "[default:", "[required]"):
        assert english not in result.output, f"cqdt {name} --help still says {english!r}"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_and_option_is_explained_in_vietnamese(name, command):
    assert vietnamese(command.help), f"cqdt {name}: help not in Vietnamese: {command.help!r}"
    for param in command.params:
        if isinstance(param, click.Option):
            assert vietnamese(param.help), f"cqdt {name} {param.opts[0]}: help not in Vietnamese: {param.help!r}"


GROUPS = [("", main), *((name, command) for name, command in sorted(main.commands.items())
                         if isinstance(command, click.Group))]


@pytest.mark.parametrize(("name", "group"), GROUPS, ids=[n or "cqdt" for n, _ in GROUPS])
def test_groups_speak_vietnamese(name, group, cqdt):
    assert vietnamese(group.help)
    listing = cqdt(*name.split(), "--help").output
    assert "Lệnh:" in listing and "Tùy chọn:" in listing and "LỆNH [THAM_SỐ]..." in listing


def test_version_speaks_vietnamese(cqdt):
    assert cqdt("--version").output.startswith("cqdt, phiên bản ")
    assert "Hiện phiên bản rồi thoát." in cqdt("--help").output


def test_click_errors_are_vietnamese_and_name_what_is_wrong(cqdt):
    runner_result = cqdt("score", "--year", "hai-nghìn")
    assert runner_result.exit_code == 2
    assert "Lỗi: Giá trị không hợp lệ cho '--year'" in runner_result.output
    assert "Xem hướng dẫn: 'cqdt score --help'." in runner_result.output
    missing = cqdt("publish", "--year", "2024")
    assert "Lỗi: Thiếu tùy chọn '--decision'." in missing.output
    unknown = cqdt("scor")
    assert "Không có lệnh 'scor'. Có phải ý bạn là 'score'?" in unknown.output


def test_the_language_is_set_only_while_a_command_runs(cqdt, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    domain = gettext.textdomain()
    cqdt("--help")
    assert os.environ["LANGUAGE"] == "en"
    assert gettext.textdomain() == domain
    monkeypatch.delenv("LANGUAGE")
    cqdt("--help")
    assert "LANGUAGE" not in os.environ


def _po_catalogue(text: str) -> dict[str | tuple[str, int], str]:
    """msgid (or (msgid, plural index)) → msgstr of a .po file: each entry's quoted lines joined."""
    entries: dict[str | tuple[str, int], str] = {}
    field, values = None, {}

    def unquote(line: str) -> str:
        return line[line.index('"') + 1:line.rindex('"')].encode("latin-1", "backslashreplace").decode("unicode_escape")

    def flush() -> None:
        if values.get("msgid"):
            if "msgid_plural" in values:
                for key, value in values.items():
                    if key.startswith("msgstr["):
                        entries[(values["msgid"], int(key[7:-1]))] = value
            else:
                entries[values["msgid"]] = values["msgstr"]

    for line in text.splitlines():
        if line.startswith("msgid ") and field is not None and field.startswith("msgstr"):
            flush()
            values = {}
        match = re.match(r"(msgid_plural|msgid|msgstr\[\d\]|msgstr) ", line)
        if match:
            field = match.group(1)
            values[field] = unquote(line)
        elif line.startswith('"') and field is not None:
            values[field] += unquote(line)
    flush()
    return entries


def test_the_compiled_catalogue_is_the_po_file():
    folder = LOCALE_DIR / "vi" / "LC_MESSAGES"
    source = _po_catalogue((folder / f"{DOMAIN}.po").read_text(encoding="utf-8"))
    with (folder / f"{DOMAIN}.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert len(source) >= 60
    for key, value in source.items():
        if isinstance(key, tuple):
            msgid, index = key
            assert compiled.ngettext(msgid, msgid + " (plural)", 1 if index == 0 else 2) == value, key
        else:
            assert compiled.gettext(key) == value, f"run msgfmt: the .mo differs on {key!r}"
