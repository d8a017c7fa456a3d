"""A rebuild whose only changes are in the data runs without Pelican, writes the same site a
Pelican build writes, and leaves the work to Pelican whenever anything Pelican reads or wrote
changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from regen_golden import DATA, fixed_environment
from site_fixtures import build, record_calls
from test_site_golden import compare_trees
from test_site_incremental import lower_first_ratio

from scorer.cli import site as commands_site
from scorer.forms import web as site_form
from scorer.site import quick
from scorer.site.templates import relative_root

REPO = Path(__file__).resolve().parent.parent
YEAR = 2024
CHANGED = "xa-chi-dam"


@pytest.fixture
def data(tmp_path: Path):
    """A copy of the golden data root with its own site settings, content and theme."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    shutil.copytree(REPO / "site", target / "site", ignore=shutil.ignore_patterns("output", "__pycache__"))
    shutil.copytree(REPO / "theme", target / "theme")
    with fixed_environment():
        yield target


@pytest.fixture
def pelican_builds(monkeypatch) -> list[dict]:
    """The overrides of every Pelican build from now on."""
    return record_calls(monkeypatch, commands_site, "_pelican_build", lambda _config, override: dict(override))


def rebuild_equals_fresh(data: Path, output: Path, tmp_path: Path) -> None:
    fresh = build(data, tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}")
    assert compare_trees(fresh, output) == ([], [], [])


@pytest.mark.parametrize("name", ["index.html", "404.html", "2024/index.html", "2024/don-vi/so-tttt/index.html",
                                  "don-vi/so-tttt/index.html", "a/b/c/d/index.html"])
def test_relative_root_is_what_pelicans_writer_gives(name):
    from pelican.utils import get_relative_path, path_to_url

    assert relative_root(name) == path_to_url(get_relative_path(name))


def test_a_data_change_is_rebuilt_without_pelican(data, tmp_path, pelican_builds):
    output = build(data, tmp_path / "site")
    assert len(pelican_builds) == 1 and quick.record_path(output).is_file()
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    page = output / f"{YEAR}/don-vi/{CHANGED}/index.html"
    before = page.read_bytes()
    build(data, output)
    assert len(pelican_builds) == 1  # no second Pelican build
    assert page.read_bytes() != before
    rebuild_equals_fresh(data, output, tmp_path)


def test_the_quick_rebuild_imports_neither_pelican_nor_jsonschema(data, tmp_path):
    """With the quick check of the changed file compiled by an earlier run (a large one does)."""
    from scorer.reading.catalogue import load_criteria_set
    from scorer.reading.paths import DataRoot
    from scorer.reading.schemas import fast_is_valid

    output = build(data, tmp_path / "site")
    fast_is_valid(load_criteria_set(DataRoot(data), "qd-1609-2018"), "xa", "submission")
    lower_first_ratio(data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml")
    code = ("import sys; from scorer.cli import main; main(standalone_mode=False); "
            "print('pelican' in sys.modules, 'jsonschema' in sys.modules)")
    done = subprocess.run(
        [sys.executable, "-c", code, "--data", str(data), "build", "--output", str(output)],
        capture_output=True, text=True, env=os.environ, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False False"
    rebuild_equals_fresh(data, output, tmp_path)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("change", ["content", "theme", "settings", "environment", "output", "years"])
def test_pelican_builds_again_when_what_it_reads_or_wrote_changed(data, tmp_path, pelican_builds, change,
                                                                 monkeypatch):
    output = build(data, tmp_path / "site")
    if change == "content":  # a hand-written page
        _edit(data / "site/content/pages/gioi-thieu.md", "Title:", "Title: Mới:")
    elif change == "theme":  # a static file Pelican copies
        (data / "theme/static/css/site.css").write_text("body{color:red}\n", encoding="utf-8")
    elif change == "settings":
        _edit(data / "site/pelicanconf.py", 'SITENAME = "', 'SITENAME = "Cổng ')
    elif change == "environment":  # the settings file reads it
        monkeypatch.setenv("CQDT_REPOSITORY_URL", "https://example.org/khac/cqdt")
    elif change == "output":  # a page Pelican wrote, edited by hand
        (output / "huong-dan/index.html").write_text("sửa tay", encoding="utf-8")
    elif change == "years":  # the latest year gone: every hand-written page's menu changes
        shutil.rmtree(data / "submissions" / str(YEAR))
    build(data, output)
    assert len(pelican_builds) == 2
    rebuild_equals_fresh(data, output, tmp_path)


def test_settings_only_pelican_understands_leave_the_build_to_pelican(data, tmp_path):
    config = data / "site/pelicanconf.py"
    override = {"OUTPUT_PATH": str(tmp_path / "site")}
    assert quick.config_key(config, override) is not None
    with config.open("a", encoding="utf-8") as handle:
        handle.write("\nJINJA_FILTERS = {'hoa': str.upper}\n")
    assert quick.config_key(config, override) is None
    _edit(config, "JINJA_FILTERS = {'hoa': str.upper}", "PLUGINS = ['scorer.site', 'another.plugin']")
    assert quick.config_key(config, override) is None


def test_a_change_of_cqdts_code_leaves_the_build_to_pelican(data, tmp_path, monkeypatch):
    config = data / "site/pelicanconf.py"
    override = {"OUTPUT_PATH": str(tmp_path / "site")}
    before = quick.config_key(config, override)
    real_read = Path.read_bytes

    def edited(path: Path) -> bytes:  # filters.py as if cqdt were upgraded
        return real_read(path) + ("\n# mới\n".encode() if path.name == "filters.py" else b"")

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert quick.config_key(config, override).key != before.key


# The form's data script (1.5 MB for a nationwide registry) is made again only when what it
# shows changed, and is then the one a fresh build writes.

FORM_SCRIPT = site_form.DATA_FILE


@pytest.fixture
def form_made(monkeypatch) -> list[bool]:
    """One entry per form_data call from now on."""
    return record_calls(monkeypatch, site_form, "form_data", lambda *args: True)


def test_a_change_the_form_does_not_show_leaves_its_data_alone(data, tmp_path, form_made):
    output = build(data, tmp_path / "site")
    assert form_made == [True]
    before = (output / FORM_SCRIPT).stat().st_mtime_ns
    submission = data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml"
    submission.write_text(submission.read_text(encoding="utf-8") + "# ghi chú của xã\n", encoding="utf-8")
    build(data, output)
    assert form_made == [True] and (output / FORM_SCRIPT).stat().st_mtime_ns == before
    assert compare_trees(build(data, tmp_path / "fresh"), output) == ([], [], [])


@pytest.mark.parametrize("change", ["withdrawn", "renamed", "edited"])
def test_what_the_form_shows_changed_makes_its_data_again(data, tmp_path, form_made, change):
    output = build(data, tmp_path / "site")
    if change == "withdrawn":  # the unit is no longer among those submitted
        (data / "submissions" / str(YEAR) / "xa" / f"{CHANGED}.yaml").unlink()
    elif change == "renamed":  # the registry: every unit's name is in the form
        units = next(p for p in sorted((data / "units").glob("*.yaml")) if CHANGED in p.read_text(encoding="utf-8"))
        text = units.read_text(encoding="utf-8")
        units.write_text(text.replace("name: Xã Chí Đám", "name: Xã Chí Đám Mới", 1), encoding="utf-8")
        assert units.read_text(encoding="utf-8") != text
    else:  # the script itself, edited by hand
        (output / FORM_SCRIPT).write_text("window.CQDT_FORM_DATA = {};\n", encoding="utf-8")
    build(data, output)
    assert form_made == [True, True]
    assert compare_trees(build(data, tmp_path / "fresh"), output) == ([], [], [])
