"""The data pages of the site, written from the scorer's Results: by the Pelican plugin (see
plugin) on a full build, and without Pelican on a quick rebuild (see quick)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from ..core.model import CriteriaSet, Results
from ..forms.web import write_form
from ..reading.catalogue import load_criteria_set
from ..reading.paths import DataRoot
from ..shell import parallel
from ..shell.scoring import evaluate
from . import sitemap, views
from .data_files import (
    DataFile,
    KeptRows,
    schema_files,
    write_files,
    write_spliced_files,
    year_files,
)
from .fragments import ranking_rows
from .manifest import Manifest, manifest_bytes, output_check
from .output import folder_times, remove_stale
from .pages import PageWriter, digest_of, site_salt, year_states
from .splice import write_spliced
from .templates import PageRenderer, jinja_options, relative_root, site_env, template_folders

# Output folders holding only what this generator writes (besides the year folders).
GENERATED_FOLDERS = ("don-vi", "du-lieu", "schema", "tieu-chi")
# A stored manifest this large (some 1,500 pages) is checked in another process: below, the
# check takes a few milliseconds, less than a fork.
CHECK_APART_BYTES = 256 * 1024
# The settings the data pages read: all they are given, on a Pelican build and on a quick rebuild.
SETTINGS = ("OUTPUT_PATH", "THEME", "THEME_TEMPLATES_OVERRIDES", "RELATIVE_URLS", "SITEURL", "JINJA_ENVIRONMENT",
            "SITENAME", "SITESUBTITLE", "REPOSITORY_URL", "REPOSITORY_BRANCH", "CQDT_DATA_ROOT", "CQDT_YEARS",
            "CQDT_JOBS", "CQDT_PROGRESS", "CQDT_PUBLIC_URL")


# The DataPages of this process's last build, kept alive (one at a time): freeing a nationwide
# build's objects one by one takes 0.05 s, and `cqdt` ends its process without that (cli.run).
_LAST_BUILD: list[DataPages] = []


def keep(pages: DataPages) -> None:
    """Keep this build's DataPages to the end of the process (or to the next build)."""
    _LAST_BUILD[:] = [pages]


def data_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The SETTINGS of the site, as plain values (Jinja's compiled-template cache is the build's own)."""
    chosen = {name: settings.get(name) for name in SETTINGS}
    chosen["JINJA_ENVIRONMENT"] = {k: v for k, v in (chosen["JINJA_ENVIRONMENT"] or {}).items() if k != "bytecode_cache"}
    chosen["THEME_TEMPLATES_OVERRIDES"] = list(chosen["THEME_TEMPLATES_OVERRIDES"] or ())
    return chosen


class DataPages:
    """Reads every year of the data root and writes home, year, ranking, unit, district,
    criteria, history, 404 pages and the open data files. Needs only the site settings."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings = data_settings(settings)
        self.output_path = settings["OUTPUT_PATH"]
        self.env = site_env(settings)
        self.pages = PageRenderer(self.env, settings, Path(self.output_path))

    def read(self) -> None:
        """Read the Results of every year built and what the last build left."""
        # Reading the results and the manifest makes hundreds of thousands of objects that all
        # live to the end of the build: the garbage collector would walk them again and again
        # and free nothing.
        output = Path(self.output_path)
        checker = self._start_check(output)
        gc.disable()
        try:
            self._read()
            # Nothing of an earlier build to remove from a new folder: no need to walk it at the end.
            self.fresh = not output.is_dir() or not any(output.iterdir())
            # The data files' part only: start() reads the pages' part once the data files are under way.
            self.manifest = Manifest(output, site_salt(self.site_values(), template_folders(self.settings), self.years),
                                     pages=False)
            if checker is not None:
                self.manifest.use_check(checker.results()[0])
                checker.finish()
        except BaseException:
            gc.enable()
            if checker is not None:
                checker.close()
            raise
        # Processes whose work is done, closed at the end of the build (see ForkedTasks.close).
        self.done_forks = [checker] if checker is not None else []
        # Nor should later collections (the other generators, the output) walk them again. Frozen
        # before the collector is back on: its first pass would walk them all (0.1 s).
        gc.freeze()
        gc.enable()
        self.digests = {v.year: year_states(v.results) for v in self.years}
        self.data_makers: list[parallel.ForkedTasks] = []

    def discard(self) -> None:
        """Give up this build after read() (see quick): end its processes, let its objects go."""
        for forked in (*self.done_forks, *self.data_makers):
            forked.close()
        gc.unfreeze()

    def _start_check(self, output: Path) -> parallel.ForkedTasks | None:
        """On a large site, look at the last build's files and folders (manifest.output_check)
        in another process while this one reads the data: the second core is idle meanwhile."""
        if not (parallel.forks_wanted(self.settings.get("CQDT_JOBS")) and manifest_bytes(output) >= CHECK_APART_BYTES):
            return None
        return parallel.ForkedTasks([partial(output_check, output)])

    def site_values(self) -> dict[str, Any]:
        """The settings and shared values data pages see, with the Jinja options (for the salt)."""
        return {**self.pages.context, "JINJA_ENVIRONMENT": jinja_options(self.settings)}

    def shared(self) -> dict[str, Any]:
        """What this generator gives the other pages of the site (Pelican's context)."""
        return {"CQDT_YEARS_BUILT": [v.year for v in self.years], "CQDT_DATA_FILES": self.data_files,
                "CQDT_SCHEMA_FILES": self.schemas, "NAV_YEAR": self.pages.context["NAV_YEAR"],
                "NAV_CRITERIA": self.pages.context["NAV_CRITERIA"]}

    def shared_key(self) -> tuple:
        """shared() as plain values: equal keys, equal hand-written pages."""
        return ([v.year for v in self.years],
                {year: [(f.path, f.label, f.fmt, f.tier) for f in files] for year, files in self.data_files.items()},
                [(f.path, f.label, f.fmt) for f in self.schemas],
                self.pages.context["NAV_YEAR"], self.pages.context["NAV_CRITERIA"])

    @property
    def results(self) -> dict[int, Results]:
        """Each year built → its Results."""
        return {v.year: v.results for v in self.years}

    def start(self) -> None:
        """Start making the stale data files: the JSON files (by far the largest) and the CSV
        files, then the workbooks (XLSX) and the schemas. They need nothing the other generators
        make, so on a large site another process makes them from now on, while the other
        generators read their content. Then read what the last build noted of its pages."""
        self.data_made, stale = self._data_inputs(self.manifest, self.digests)
        self.data = [partial(self._make_spliced, stale), partial(self._make_tables, stale)]
        # Storing the rows for the next build and deleting the files replaced: no file this build
        # writes waits for them.
        self.data_after = [self._save_rows]
        self.kept_rows: KeptRows | None = None
        self.replaced: list[str] = []
        units = sum(len(v.results.units) for v in self.years)
        if (stale and units >= parallel.MANY and parallel.forks_wanted(self.settings.get("CQDT_JOBS"))
                and parallel.forks_fit(3)):
            self.data_makers = [parallel.ForkedTasks(self.data, then=self.data_after)]
            self.data, self.data_after = [], []
        # What the last build noted of its pages (the data files need none of it), not walked by
        # the garbage collector either (see read).
        gc.disable()
        try:
            self.manifest.load_pages()
        finally:
            gc.freeze()
            gc.enable()
        # Before anything is written: which of the last build's folders nobody changed since.
        self.last = None if self.fresh else self.manifest.last_build()

    def _read(self) -> None:
        root = DataRoot(Path(self.settings.get("CQDT_DATA_ROOT", ".")))
        self.root = root
        available = root.years()
        years = sorted(self.settings.get("CQDT_YEARS") or available)
        self.years: list[views.YearView] = []
        previous = None
        earlier = [y for y in available if years and y < years[0]]
        if earlier:  # the year before the first one built, only to show each unit's change
            previous = evaluate(root, earlier[-1])
        for year in years:
            results = evaluate(root, year)
            self.years.append(views.YearView(results, previous))
            previous = results
        self.criteria_sets: dict[str, CriteriaSet] = {v.results.criteria_set.id: v.results.criteria_set
                                                      for v in self.years}
        for set_id in root.criteria_set_ids():
            if set_id not in self.criteria_sets:
                self.criteria_sets[set_id] = load_criteria_set(root, set_id)
        self.data_files: dict[int, list[DataFile]] = {v.year: year_files(v.results) for v in self.years}
        self.schemas = schema_files(root)
        current = self.years[-1] if self.years else None
        self.pages.context.update({
            "NAV_YEAR": current.year if current else None,
            "NAV_CRITERIA": current.results.criteria_set.id if current else next(iter(sorted(self.criteria_sets)), None),
        })

    def write(self, while_waiting: Callable[[], None] | None = None) -> None:
        """Write every data page and data file whose inputs changed; remove what is no longer
        built. `while_waiting`: work to do once the pages are written, while the data files'
        process may still be at work (the quick rebuild's sitemap)."""
        self.written = self.pages.written
        output = Path(self.output_path)
        # The Results live to the end: the garbage collector need not walk their objects again.
        gc.freeze()
        second, data_makers = None, self.data_makers
        try:
            manifest, digests = self.manifest, self.digests
            pages = PageWriter(self.env, self.pages.context, self.years, output, manifest, digests)
            settled, tasks = pages.unit_pages()
            entries: list = []  # of the pages not settled: rendered, or looked at again
            if (len(tasks) >= parallel.MANY and parallel.forks_wanted(self.settings.get("CQDT_JOBS"))
                    and parallel.forks_fit(3)):
                # Another process makes every other unit and history page (so both get as many of
                # the costly unit pages), while this process makes the rest and the other pages.
                second = parallel.ForkedTasks(tasks[0::2])
                tasks = tasks[1::2]
            current = self.years[-1] if self.years else None
            self.pages.write("index.html", "home", view=current, views=self.years,
                        cycle=current.results.cycle if current else None,
                        **(views.summary(current) if current else {}))
            for view in self.years:
                entries += self._write_year(pages, view, digests)
            for set_id, criteria_set in sorted(self.criteria_sets.items()):
                used_in = [v.year for v in self.years if v.results.criteria_set.id == set_id]
                self.pages.write(f"tieu-chi/{set_id}/index.html", "criteria", cs=criteria_set, used_in=used_in)
            self.pages.write("404.html", "404")
            write_form(self.root, self.settings, self.results, self.pages, self.manifest)
            with parallel.progress(len(tasks) + (second.count if second else 0), "Đang viết trang",
                                   bool(self.settings.get("CQDT_PROGRESS"))) as bar:
                for make in self.data:  # when not made by processes of their own
                    make()
                entries += self._run(tasks, bar)
                if second is not None:
                    entries += second.results()
                    second.finish()
                    if bar is not None:
                        bar.update(second.count)
        except BaseException:
            for forked in (*data_makers, second):
                if forked is not None:
                    forked.close()
            raise
        finally:
            gc.unfreeze()
        if second is not None:
            self.done_forks.append(second)
        try:
            self._finish(entries, settled, data_makers, while_waiting)
        finally:
            for forked in (*self.done_forks, *data_makers):
                forked.close()

    def _finish(self, entries: list, settled: list, data_makers: list[parallel.ForkedTasks],
                while_waiting: Callable[[], None] | None) -> None:
        """Note what this build wrote, remove what it no longer writes, and save the manifest
        (once the data files' processes are done with their last files)."""
        output, manifest = Path(self.output_path), self.manifest
        manifest.record(settled)
        manifest.record(entries)
        self.written.update(item.path for files in self.data_files.values() for item in files)
        self.written.update(item.path for item in self.schemas)
        # Names whose folders this build changed: what it wrote besides unchanged pages (a settled
        # page is one), and what it removed.
        changed = {name for name, entry in entries if manifest.previous.get(name) != entry}
        changed.update(self.written)
        self.written.update(name for name, _ in settled)
        self.written.update(name for name, _ in entries)
        sitemap.PAGES.update(sitemap.urls(self.written))
        if while_waiting is not None:
            while_waiting()
        for maker in data_makers:
            maker.results()  # the data files are in place
        for name, digest in self.data_made:
            manifest.record_file(name, digest)
        if not self.fresh:
            changed.update(remove_stale(output, self.written, GENERATED_FOLDERS, self.last))
        for make in self.data_after:
            make()
        for maker in data_makers:
            maker.finish()
        written = frozenset(self.written)
        manifest.record_output(written, folder_times(output, written, GENERATED_FOLDERS, self.last, changed))
        manifest.save()

    def _common(self, view: views.YearView) -> dict:
        return {"view": view, "results": view.results, "cs": view.results.criteria_set,
                "cycle": view.results.cycle, "year": view.year}

    def _write_year(self, pages: PageWriter, view: views.YearView, digests: dict[int, dict]) -> list:
        """The year's overview, its rankings and its district pages (these through `pages`)."""
        year, common = view.year, self._common(view)
        self.pages.write(f"{year}/index.html", "year", files=self.data_files[year],
                         **views.summary(view), **common)
        for tier in view.tiers():
            name = f"{year}/xep-hang/{tier.tier}/index.html"
            rows = view.ranked(tier.tier)
            pieces, make = ranking_rows(rows, view, tier, relative_root(name), digests[year])
            head, tail = self.pages.frame(name, "ranking", "ranking_rows", not rows, tier=tier, rows=rows,
                                          any_submitted=any(r.submitted for r in rows), **common)
            self.manifest.current_rows[name] = write_spliced(
                Path(self.output_path) / name, head, pieces, make, tail, self.manifest.previous_rows.get(name))
        communes: dict[str, list] = {}
        for result in view.ranked("xa"):
            communes.setdefault(result.unit.district, []).append(result)
        return [pages.district(view, district, communes.get(district.unit.id, []))
                for district in sorted(view.ranked("huyen"), key=lambda r: r.unit.id)]

    def _data_inputs(self, manifest: Manifest, digests: dict[int, dict]) -> tuple[list[tuple[str, str]], list]:
        """Each data file's name with the digest of what it is made from (its units' result
        states), for the manifest; and the (year view, file) pairs to make again: those whose
        inputs changed since the last build, or whose file on disk is not the one it wrote."""
        made, stale = [], []
        for view in self.years:
            states = {tier.tier: digest_of([digests[view.year][r.unit.id] for r in view.ranked(tier.tier)])
                      for tier in view.tiers()}
            for item in self.data_files[view.year]:
                inputs = digest_of((item.path, states[item.tier]))
                made.append((item.path, inputs))
                if manifest.file_digest(item.path) != inputs:
                    stale.append((view, item))
        return made, stale

    def _kept(self) -> KeptRows:
        """The rows (and JSON layouts) of the last build's data files, read once."""
        if self.kept_rows is None:
            self.kept_rows = KeptRows(Path(self.output_path), self.manifest.salt)
        return self.kept_rows

    def _make_spliced(self, stale: list) -> None:
        """The stale JSON and CSV files, each made from the old one where it can (see write_spliced_files)."""
        kept = self._kept()
        for view in self.years:
            todo = [item for v, item in stale if v is view and item.make is None]
            if todo:
                write_spliced_files(Path(self.output_path), view.results, todo, self.digests[view.year], kept,
                                    self.manifest.untouched_file, self.replaced)
            for item in self.data_files[view.year]:
                if item.make is None and item not in todo:
                    kept.keep(item.path)

    def _make_tables(self, stale: list) -> None:
        """The stale XLSX files, each from the rows of the last build whose inputs are unchanged
        and the rows made again; and the schemas."""
        output = Path(self.output_path)
        kept = self._kept()
        todo = {item.path: (view, item) for view, item in stale if item.make is not None}
        for view in self.years:
            for item in self.data_files[view.year]:
                if item.make is None:
                    continue
                if item.path in todo:
                    write_files(output, [item], kept.maker(item.path, self.digests[view.year]))
                else:
                    kept.keep(item.path)
        write_files(output, self.schemas)

    def _save_rows(self) -> None:
        """Store the rows of the CSV and XLSX files for the next build (see _make_tables), and
        delete the files the new JSON files replaced."""
        if self.kept_rows is not None:
            self.kept_rows.save()
        for name in self.replaced:
            Path(name).unlink(missing_ok=True)

    @staticmethod
    def _run(tasks: list, bar) -> list:
        """This process's unit and history pages; `bar` counts them."""
        entries = []
        for task in tasks:
            entries.append(task())
            if bar is not None:
                bar.update(1)
        return entries
