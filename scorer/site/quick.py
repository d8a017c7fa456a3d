"""A rebuild without Pelican, when only the data changed since the last build into a folder.

Pelican reads the settings file, the content folder and the theme, and writes the hand-written
pages and the theme's static files; the data pages need only the settings (see
generator.DataPages). After each Pelican build, the plugin records here what those came from
(the key: the settings file's values, the overrides, the installed packages, cqdt's code,
every file of the content and theme folders), the settings Pelican made, what the data pages
shared with the hand-written ones (years, data files) and the files and page URLs Pelican
wrote. A later build with the same key and untouched Pelican files rewrites only the data
pages, without starting Pelican (its import alone takes a tenth of a second); if what they
share changed (a new year), it stops before writing anything and Pelican builds the whole
site as usual.

A rebuild this way writes the same bytes as a Pelican build: the data pages are rendered by
the same code from the same settings either way.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import runpy
from collections.abc import Mapping
from functools import partial
from pathlib import Path, PurePath
from typing import Any, NamedTuple

from ..shell.cache import read_pickle, write_pickle
from . import sitemap
from .generator import DataPages, keep
from .manifest import manifest_path

FORMAT = 1
# Plugins whose work a quick rebuild repeats: with any other, only Pelican can build.
KNOWN_PLUGINS = frozenset({"scorer.site"})
# Settings of a build that do not change what it writes.
UNKEYED = ("CQDT_PROGRESS", "CQDT_QUICK_KEY")


def record_path(output: Path) -> Path:
    """Where the record of the last Pelican build into `output` is kept (beside its manifest)."""
    return manifest_path(output).with_suffix(".pelican.pickle")


def _plain(value: Any) -> bool:
    """Data whose repr is the same for equal values in any run: no functions, classes or objects."""
    kind = type(value)  # exactly: a subclass (a named tuple, an enum) may be anything
    if value is None or kind in (bool, int, float, str) or isinstance(value, PurePath):
        return True
    if kind in (list, tuple):
        return all(_plain(item) for item in value)
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    return False


def _folder(config: Path, value: Any) -> Path:
    return Path(value) if os.path.isabs(value) else config.parent / value


def _tree(folder: Path) -> list[tuple[str, int, int]]:
    """Every file under a folder with its size and modification time, sorted."""
    found = []
    for base, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            stat = os.stat(os.path.join(base, name))
            found.append((os.path.relpath(os.path.join(base, name), folder), stat.st_size, stat.st_mtime_ns))
    return found


def _packages() -> list[str]:
    """The distributions installed beside Pelican (names with versions): an upgrade of Pelican,
    Markdown or Jinja can change the hand-written pages."""
    spec = importlib.util.find_spec("pelican")
    if spec is None or spec.origin is None:
        return []
    site_packages = Path(spec.origin).parent.parent
    return sorted(name for name in os.listdir(site_packages) if name.endswith(".dist-info"))


class Keyed(NamedTuple):
    """The key of a build's Pelican inputs, and its output folder."""

    key: str
    output: Path


def config_key(config: Path, override: Mapping[str, Any]) -> Keyed | None:
    """The key of what Pelican's part of a build is made from, and the output folder; None when
    the settings file holds something whose effect only Pelican can tell (a function, a class,
    another plugin)."""
    values = {k: v for k, v in runpy.run_path(str(config)).items() if k.isupper()}
    values.update((k, v) for k, v in override.items() if k not in UNKEYED)
    if not (_plain(values) and set(values.get("PLUGINS", ())) <= KNOWN_PLUGINS):
        return None
    if "OUTPUT_PATH" not in values or "PATH" not in values or "THEME" not in values:
        return None
    digest = hashlib.sha256(repr(sorted(values.items())).encode())
    digest.update(repr((_packages(), _tree(_folder(config, values["PATH"])),
                        _tree(_folder(config, values["THEME"])))).encode())
    # cqdt's own code: the plugin gives the hand-written pages their filters and Jinja options.
    package = Path(__file__).resolve().parents[1]
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return Keyed(digest.hexdigest(), _folder(config, values["OUTPUT_PATH"]))


def _pelican_files(output: Path, ours: set[str]) -> dict[str, tuple[int, int]]:
    """The files of the output folder that the data pages did not write (Pelican's pages, the
    theme's files), outside the data pages' folders, with their sizes and modification times."""
    from ..reading.paths import YEAR_RE
    from .generator import GENERATED_FOLDERS

    skip = {*GENERATED_FOLDERS, "sitemap.xml"}
    found = {}
    for entry in sorted(os.scandir(output), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name in skip or YEAR_RE.match(entry.name):
            continue
        if entry.is_dir(follow_symlinks=False):
            files = [(f"{entry.name}/{name}", size, mtime) for name, size, mtime in _tree(Path(entry.path))]
        else:
            stat = entry.stat(follow_symlinks=False)
            files = [(entry.name, stat.st_size, stat.st_mtime_ns)]
        found.update((name.replace(os.sep, "/"), (size, mtime)) for name, size, mtime in files if name not in ours)
    return found


def _untouched(output: Path, files: Mapping[str, tuple[int, int]]) -> bool:
    for name, noted in files.items():
        try:
            stat = os.stat(output / name)
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != noted:
            return False
    return True


def remember(settings: Mapping[str, Any], pages: DataPages, urls: set[str]) -> None:
    """After a Pelican build (settings carrying CQDT_QUICK_KEY): note what a quick rebuild needs."""
    key = settings.get("CQDT_QUICK_KEY")
    kept = {k: v for k, v in pages.settings.items() if k not in UNKEYED}
    if not key or not _plain(kept):
        return
    output = Path(settings["OUTPUT_PATH"])
    ours = {sitemap.name_url(name) for name in pages.written}
    write_pickle(record_path(output), {
        "format": FORMAT, "key": key, "settings": kept,
        "shared": pages.shared_key(), "files": _pelican_files(output, pages.written),
        "urls": sorted(url for url in urls if url not in ours)})


def rebuild(keyed: Keyed, override: Mapping[str, Any]) -> bool:
    """Rebuild the data pages without Pelican if nothing Pelican reads or writes changed since
    the last build into the output folder; False if Pelican must build."""
    output = keyed.output
    record = read_pickle(record_path(output))
    if not (isinstance(record, dict) and record.get("format") == FORMAT and record.get("key") == keyed.key
            and output.is_dir() and _untouched(output, record["files"])):
        return False
    settings = {**record["settings"], **{k: v for k, v in override.items() if k in UNKEYED}}
    pages = DataPages(settings)
    pages.read()
    if pages.shared_key() != record["shared"]:
        # The hand-written pages show what changed: Pelican builds the site, from a clean slate.
        pages.discard()
        return False
    sitemap.PAGES.clear()
    sitemap.PAGES.update(record["urls"])
    pages.start()
    pages.write(while_waiting=partial(sitemap.write, output, settings.get("CQDT_PUBLIC_URL", "")))
    keep(pages)
    return True
