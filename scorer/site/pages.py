"""Unit pages (one per unit and year), history pages (one per unit) and district pages,
rendered straight with the theme's Jinja templates instead of through Pelican's writer, and
each only when the digest of its inputs differs from the one the output folder's manifest holds.

A page's template sees only what is passed here: the site settings named in SITE_NAMES and
the page's own values, so the digest of those values (plus the salt: templates, code,
settings, criteria sets and cycles) covers everything the page shows.

A unit or history page also has a coarse key: the states (result_state) of the results it
is made from, which the page's values are a function of. A rebuild first compares the
coarse keys, a few tuples per page, and works out the values and their digest only for the
pages whose coarse key changed: after one change, a few hundred of 24,000.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Callable, Hashable, Sequence
from dataclasses import fields
from functools import partial
from operator import attrgetter
from pathlib import Path

import jinja2
import markupsafe

from ..core.model import CriterionResult, Results, UnitResult
from ..shell.cache import code_version
from . import views
from .fragments import CriteriaTables, chart_bars, group_rows
from .manifest import Entry, Manifest
from .output import write_page
from .templates import relative_root

# Site values the unit and history templates read (base.html included).
SITE_NAMES = ("SITENAME", "SITESUBTITLE", "NAV_YEAR", "NAV_CRITERIA", "REPOSITORY_URL", "REPOSITORY_BRANCH")

_RESULT = attrgetter(*(f.name for f in fields(UnitResult) if f.name != "criteria"))
_ANSWERS = ("self_value", "verified_value")
_CRITERION = attrgetter(*(name for name in CriterionResult._fields if name not in _ANSWERS))


def unit_page(year: int, unit_id: str) -> str:
    return f"{year}/don-vi/{unit_id}/index.html"


def district_page(year: int, unit_id: str) -> str:
    return f"{year}/huyen/{unit_id}/index.html"


def history_page(unit_id: str) -> str:
    return f"don-vi/{unit_id}/index.html"


def site_salt(context: dict, templates: Sequence[str], years: Sequence[views.YearView]) -> str:
    """Digest of everything all unit and history pages depend on: a change re-renders them all.
    `templates`: the folders templates are looked up in (templates.template_folders)."""
    digest = hashlib.sha256()
    digest.update(code_version().encode())
    sources = [*(p for folder in templates for p in sorted(Path(folder).rglob("*")) if p.is_file())]
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    # Jinja's version, and MarkupSafe's code (its version is only in its package metadata, slow to read).
    digest.update(f"jinja2 {jinja2.__version__}".encode() + Path(markupsafe.__file__).read_bytes())
    jinja = context.get("JINJA_ENVIRONMENT") or {}
    digest.update(repr([*((name, context.get(name)) for name in SITE_NAMES), sorted(jinja.items())]).encode())
    for view in years:
        digest.update(repr((view.year, view.results.cycle, view.results.criteria_set)).encode())
    return digest.hexdigest()


def digest_of(key: tuple) -> str:
    """A short digest of plain values (equal values, equal digests)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: equal values give equal bytes however objects are shared
    pickler.dump(key)
    return hashlib.blake2b(buffer.getbuffer(), digest_size=16).hexdigest()


def _answer(value):
    # Answers read from the submission cache and from YAML may list a mapping's keys in another order.
    return tuple(sorted(value.items())) if isinstance(value, dict) else value


def result_state(result: UnitResult, fingerprint: str | None = None) -> Hashable:
    """What tells a unit's result apart from any other: equal states, equal results. With the
    results cache's fingerprint (everything the result depends on but its rank), that and the
    rank; else the digest of every field, criteria included."""
    if fingerprint is not None:
        return fingerprint, result.rank
    return digest_of((_RESULT(result), [(_CRITERION(c), _answer(c.self_value), _answer(c.verified_value))
                                      for c in result.criteria]))


def year_states(results: Results) -> dict[str, Hashable]:
    """Unit id → the state of its result in the year."""
    fingerprints = results.fingerprints
    return {r.unit.id: result_state(r, fingerprints.get(r.unit.id)) for r in results.units}


def _history_key(history: list[tuple[int, UnitResult]]) -> tuple:
    return tuple((year, h.status, h.total, h.level, h.rank, h.stale_reviews) for year, h in history)


class PageWriter:
    """Writes unit, history and district pages into the output folder, skipping those whose inputs did not change."""

    def __init__(self, env, context: dict, years: Sequence[views.YearView], output: Path, manifest: Manifest,
                 digests: dict[int, dict[str, Hashable]]) -> None:
        """`digests`: year → unit id → result_state (year_states)."""
        self.unit_template = env.get_template("unit.html")
        self.history_template = env.get_template("unit_history.html")
        self.district_template = env.get_template("district.html")
        self.site = {name: context.get(name) for name in SITE_NAMES}
        self.years = list(years)
        self.output = output
        self.manifest = manifest
        self.digests = digests
        self.level_names = {v.year: v.results.criteria_set.level_name for v in self.years}
        self.histories = views.histories(self.years)
        self._history_keys: dict[str, tuple] = {}
        # Unit id → the states of its results in every year built and the one before (for the change).
        built = [digests[v.year] for v in self.years]
        if self.years and self.years[0].previous is not None:
            built.insert(0, year_states(self.years[0].previous))
        self.unit_states = {unit_id: tuple(states.get(unit_id) for states in built) for unit_id in self.histories}
        self._tables: dict[tuple[int, str], CriteriaTables] = {}

    def _write(self, name: str, key: tuple, template, make_context: Callable[[], dict],
               coarse: Hashable = None) -> tuple[str, Entry]:
        digest = digest_of(key)
        entry = self.manifest.unchanged(name, digest)
        if entry is not None:
            return name, (*entry[:3], coarse)
        context = {**self.site, "SITEURL": relative_root(name), **make_context()}
        payload = template.render(context).encode("utf-8")
        return name, (digest, *write_page(self.output / name, payload), coarse)

    def unit_pages(self) -> tuple[list[tuple[str, Entry]], list[Callable[[], tuple[str, Entry]]]]:
        """Every unit page (in the order results were made) and every unit's history page: the
        manifest's entries of those whose coarse key and file are as the last build left them,
        and how to write each of the others."""
        settled, todo = [], []

        def settle(name: str, coarse: Hashable, write: Callable[..., tuple[str, Entry]], *args) -> None:
            entry = self.manifest.settled(name, coarse)
            if entry is None:
                todo.append(partial(write, *args, coarse))
            else:
                settled.append((name, entry))

        for view in self.years:
            counts, states, units = view.submitted_count, self.digests[view.year], self.unit_states
            for result in view.results.units:
                unit = result.unit
                # What the page is made from: the unit's results, its district's and its tier's count.
                coarse = (units[unit.id], unit.district and states.get(unit.district), counts.get(unit.tier, 0))
                settle(unit_page(view.year, unit.id), coarse, self.unit, view, result)
        for unit_id, coarse in self.unit_states.items():
            settle(history_page(unit_id), coarse, self.history, unit_id)
        return settled, todo

    def _history_key(self, unit_id: str) -> tuple:
        found = self._history_keys.get(unit_id)
        if found is None:
            found = self._history_keys[unit_id] = _history_key(self.histories[unit_id])
        return found

    def unit(self, view: views.YearView, result: UnitResult, coarse: Hashable = None) -> tuple[str, Entry]:
        """The page of one unit in one year: facts, chart, group table, every criterion, history."""
        unit = result.unit
        history = self.histories[unit.id]
        district = view.by_id.get(unit.district) if unit.district else None
        change = view.changes.get(unit.id)
        submitted_count = view.submitted_count.get(unit.tier, 0)
        key = (view.year, self.digests[view.year][unit.id], change, self._history_key(unit.id),
               district and (district.unit.id, district.unit.name), submitted_count)

        def context() -> dict:
            cs = view.results.criteria_set
            tier = cs.tiers[unit.tier]
            bars, height = views.chart(result, tier)
            return {
                "r": result, "tier": tier, "cs": cs, "year": view.year, "cycle": view.results.cycle,
                "chart_shapes": chart_bars(bars, views.CHART_LEFT, views.CHART_WIDTH),
                "chart_height": height, "chart_left": views.CHART_LEFT, "chart_width": views.CHART_WIDTH,
                "group_table_rows": group_rows(bars, cs), "group_names": {g.id: g.name for g in tier.groups},
                "criteria_tables": self._tables_of(view, unit.tier).tables(result) if result.submitted else "",
                "change": change, "history": history, "district": district, "submitted_count": submitted_count,
            }

        return self._write(unit_page(view.year, unit.id), key, self.unit_template, context, coarse)

    def district(self, view: views.YearView, district: UnitResult, communes: list[UnitResult]) -> tuple[str, Entry]:
        """A district's page in one year: its result and its communes'."""
        digests = self.digests[view.year]
        name = district_page(view.year, district.unit.id)
        # Its inputs as they are: compared with last build's without digesting 690 of them.
        coarse = (view.year, digests[district.unit.id], tuple(digests[c.unit.id] for c in communes))
        entry = self.manifest.settled(name, coarse)
        if entry is not None:
            return name, entry
        return self._write(name, coarse, self.district_template,
                           lambda: {"district": district, "communes": communes, "cs": view.results.criteria_set,
                                    "year": view.year, "cycle": view.results.cycle}, coarse)

    def history(self, unit_id: str, coarse: Hashable = None) -> tuple[str, Entry]:
        """The page of one unit over every year built."""
        found = self.histories[unit_id]
        unit = found[0][1].unit
        key = ((unit.id, unit.name, unit.tier), self._history_key(unit_id))
        return self._write(history_page(unit_id), key, self.history_template,
                           lambda: {"unit": unit, "history": found, "level_names": self.level_names}, coarse)

    def _tables_of(self, view: views.YearView, tier: str) -> CriteriaTables:
        if (view.year, tier) not in self._tables:
            self._tables[view.year, tier] = CriteriaTables(
                view.results.criteria_set.tiers[tier], self.site["REPOSITORY_URL"] or "",
                self.site["REPOSITORY_BRANCH"] or "main")
        return self._tables[view.year, tier]
