"""The Pelican generator that writes every data page from the scorer's Results."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pelican.generators import Generator

from ..catalogue import load_criteria_set
from ..evaluate import evaluate
from ..model import CriteriaSet
from ..paths import DataRoot
from . import views
from .data_files import DataFile, schema_files, write_files, year_files

# Below this many unit pages a build is quick enough not to need a progress bar.
PROGRESS_FROM = 200


@contextmanager
def progress(items: list, label: str, enabled: bool) -> Iterator:
    """A click progress bar on stderr for long loops; the plain items otherwise."""
    if not enabled or len(items) < PROGRESS_FROM:
        yield items
        return
    import click

    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield bar


class ResultsGenerator(Generator):
    """Reads every year of the data root and writes home, year, ranking, unit,
    district, criteria, history, 404 pages and the open data files."""

    def generate_context(self) -> None:
        root = DataRoot(Path(self.settings.get("CQDT_DATA_ROOT", ".")))
        self.root = root
        years = self.settings.get("CQDT_YEARS") or root.years()
        self.years: list[views.YearView] = []
        previous = None
        for year in sorted(years):
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
        self.context.update({
            "CQDT_YEARS_BUILT": [v.year for v in self.years],
            "CQDT_DATA_FILES": self.data_files,
            "CQDT_SCHEMA_FILES": self.schemas,
            "NAV_YEAR": current.year if current else None,
            "NAV_CRITERIA": current.results.criteria_set.id if current else next(iter(sorted(self.criteria_sets)), None),
        })

    def _write(self, writer, name: str, template: str, **kwargs) -> None:
        writer.write_file(name, self.get_template(template), self.context,
                          relative_urls=self.settings["RELATIVE_URLS"], **kwargs)

    def generate_output(self, writer) -> None:
        show_progress = bool(self.settings.get("CQDT_PROGRESS"))
        current = self.years[-1] if self.years else None
        self._write(writer, "index.html", "home", view=current, views=self.years,
                    cycle=current.results.cycle if current else None,
                    **(views.summary(current) if current else {}))
        for view in self.years:
            self._write_year(writer, view, show_progress)
        self._write_histories(writer, show_progress)
        for set_id, criteria_set in sorted(self.criteria_sets.items()):
            used_in = [v.year for v in self.years if v.results.criteria_set.id == set_id]
            self._write(writer, f"tieu-chi/{set_id}/index.html", "criteria", cs=criteria_set, used_in=used_in)
        self._write(writer, "404.html", "404")
        output = Path(self.output_path)
        for files in self.data_files.values():
            write_files(output, files)
        write_files(output, self.schemas)

    def _write_year(self, writer, view: views.YearView, show_progress: bool) -> None:
        year = view.year
        common = {"view": view, "results": view.results, "cs": view.results.criteria_set,
                  "cycle": view.results.cycle, "year": year}
        self._write(writer, f"{year}/index.html", "year", files=self.data_files[year],
                    **views.summary(view), **common)
        for tier in view.tiers():
            self._write(writer, f"{year}/xep-hang/{tier.tier}/index.html", "ranking", tier=tier,
                        rows=view.ranked(tier.tier), **common)
        communes: dict[str, list] = {}
        for result in view.ranked("xa"):
            communes.setdefault(result.unit.district, []).append(result)
        for district in sorted(view.ranked("huyen"), key=lambda r: r.unit.id):
            self._write(writer, f"{year}/huyen/{district.unit.id}/index.html", "district",
                        district=district, communes=communes.get(district.unit.id, []), **common)
        units = sorted(view.results.units, key=lambda r: r.unit.id)
        with progress(units, f"Trang đơn vị năm {year}", show_progress) as items:
            for result in items:
                tier = view.results.criteria_set.tiers[result.unit.tier]
                bars, height = views.chart(result, tier)
                self._write(
                    writer, f"{year}/don-vi/{result.unit.id}/index.html", "unit",
                    r=result, tier=tier, bars=bars, chart_height=height,
                    chart_left=views.CHART_LEFT, chart_width=views.CHART_WIDTH,
                    groups=views.group_rows(result, tier), change=view.changes.get(result.unit.id),
                    history=views.history(result.unit.id, self.years),
                    district=view.by_id.get(result.unit.district) if result.unit.district else None,
                    **common,
                )

    def _write_histories(self, writer, show_progress: bool) -> None:
        level_names = {v.year: v.results.criteria_set.level_name for v in self.years}
        unit_ids = sorted({r.unit.id for v in self.years for r in v.results.units})
        with progress(unit_ids, "Trang lịch sử đơn vị", show_progress) as items:
            for unit_id in items:
                found = views.history(unit_id, self.years)
                self._write(writer, f"don-vi/{unit_id}/index.html", "unit_history",
                            unit=found[0][1].unit, history=found, level_names=level_names)
