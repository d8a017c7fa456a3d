"""The data pages and data files of the site, as lists of (path, key, how to make it).

Pure: made from the years' Results and the site's settings, nothing is rendered or written
here (see shell.publisher). A page's key is a digest of everything it shows: the site's salt
(site_salt: cqdt's code, the installed packages, every template, the settings a page sees),
its year's cycle and criteria set, and the digests and ranks of the results it shows
(UnitResult.digest tells results apart without walking their criteria). Equal keys, equal
bytes: a page whose key is unchanged need not be made again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from pelican.utils import get_relative_path

from ..core.model import CriteriaSet, Results, UnitResult
from ..core.text import TIER_LABELS, name_order
from ..export import results as export
from ..export.xlsx import to_xlsx
from ..reading.paths import DataRoot
from . import sitemap, views
from .tables import TierTables

# The settings a data page's template sees (base.html included): a page sees only these, the
# page's address (SITEURL) and its own values, so its key covers all it shows.
SITE_NAMES = ("SITENAME", "SITESUBTITLE", "NAV_YEAR", "NAV_CRITERIA", "REPOSITORY_URL", "REPOSITORY_BRANCH")
FORMATS = {"csv": "CSV", "json": "JSON", "xlsx": "Excel (XLSX)"}
SEARCH_INDEX = "tim-kiem/don-vi.js"  # every unit of the current year, for the search box
SITE_MAP = "so-do-trang/index.html"


class Page(NamedTuple):
    """A page: rendered from `template`.html with the site's values and values()."""

    path: str  # relative to the output folder, forward slashes
    key: str
    template: str
    values: Callable[[], dict[str, Any]]


class File(NamedTuple):
    """Any other file: its bytes, in pieces (a nationwide JSON file is 114 MB)."""

    path: str
    key: str
    make: Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class DataFile:
    """A downloadable file as the pages list it."""

    path: str
    label: str
    fmt: str
    tier: str | None = None  # the one tier it holds


def digest(*parts: object) -> str:
    """A digest of plain values (strings, numbers, tuples of them), each kept apart."""
    text = "\0".join(part if type(part) is str else repr(part) for part in parts)
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def site_salt(memo_salt: str, template_folders: Sequence[str], values: Mapping[str, Any]) -> str:
    """What every page depends on: cqdt's code and the installed packages (`memo_salt`), every
    file of the template folders, and the settings and options the pages see (`values`)."""
    found = hashlib.sha256(memo_salt.encode())
    for folder in template_folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                found.update(path.name.encode() + b"\0" + path.read_bytes())
    found.update(repr(sorted((name, repr(value)) for name, value in values.items())).encode())
    return found.hexdigest()


def root_path(public_url: str) -> str:
    """The site's root as an address path from the public URL ("https://x.github.io/cqdt/" →
    "/cqdt"; "" without one): for a page shown at any address (404)."""
    return urlsplit(public_url).path.rstrip("/")


def unit_page(year: int, unit_id: str) -> str:
    return f"{year}/don-vi/{unit_id}/index.html"


def district_page(year: int, unit_id: str) -> str:
    return f"{year}/huyen/{unit_id}/index.html"


def history_page(unit_id: str) -> str:
    return f"don-vi/{unit_id}/index.html"


def json_path(year: int, tier: str) -> str:
    """A year's JSON file of one tier."""
    return f"du-lieu/{year}/ket-qua-{tier}.json"


def year_files(results: Results) -> list[DataFile]:
    """The files of a year: each tier as CSV, JSON and XLSX.

    No file of all tiers: it would only repeat the tiers' files, and at nationwide size it
    is 145 MB more to publish (GitHub Pages takes at most 1 GB) and to write again after
    every change; `cqdt score --format json` gives it to anyone who wants it."""
    return [DataFile(json_path(results.year, tier) if ext == "json" else f"du-lieu/{results.year}/ket-qua-{tier}.{ext}",
                     TIER_LABELS[tier], FORMATS[ext], tier)
            for tier in results.criteria_set.tiers for ext in ("csv", "json", "xlsx")]


def schema_files(root: DataRoot) -> list[DataFile]:
    """Every JSON Schema of the repository, published as is."""
    if not root.schema_dir.is_dir():
        return []
    return [DataFile(f"schema/{p.name}", p.name, "JSON Schema") for p in sorted(root.schema_dir.glob("*.json"))]


def state(result: UnitResult) -> str:
    """What tells a unit's result in a page apart from any other: its digest and its rank."""
    return f"{result.digest}:{result.rank}"


class Site:
    """The data pages and data files of the years built."""

    def __init__(self, root: DataRoot, views_built: Sequence[views.YearView], criteria_sets: Mapping[str, CriteriaSet],
                 site: Mapping[str, Any], salt: str, relative_urls: bool, macros: Any, number: Callable[[Any], str],
                 json_pieces: Callable[[Results, tuple[str, ...]], Iterable[bytes]] = export.json_pieces,
                 public_url: str = "", hand_pages: Sequence[tuple[str, str]] = ()) -> None:
        """`site`: the SITE_NAMES values; `salt`: site_salt; `macros`: the module of _rows.html;
        `number`: the build's vn_number filter; `json_pieces`: export.json_pieces or a function
        giving the same bytes (shell.scoring.json_pieces); `public_url`: where the site is
        published ("" when unknown); `hand_pages`: (title, path) of the hand-written pages."""
        self.root = root
        self.views = list(views_built)
        self.criteria_sets = dict(criteria_sets)
        self.site = dict(site)
        self.salt = salt
        self.relative_urls = relative_urls
        self.macros = macros
        self.number = number
        self.json_pieces = json_pieces
        self.public_url = public_url
        self.hand_pages = sorted(hand_pages, key=lambda page: (name_order(*page)))
        self.data_files = {v.year: year_files(v.results) for v in self.views}
        self.schemas = schema_files(root)
        self.histories = views.histories(self.views)
        self._year_salt = {v.year: digest(salt, repr(v.results.cycle), repr(v.results.criteria_set)) for v in self.views}
        # Unit id → the states of its results in every year built (and the one before, for the change).
        years = [v.results for v in self.views]
        if self.views and self.views[0].previous is not None:
            years.insert(0, self.views[0].previous)
        self.unit_states: dict[str, str] = {}
        for results in years:
            for r in results.units:
                self.unit_states[r.unit.id] = self.unit_states.get(r.unit.id, "") + f"{results.year}={state(r)};"
        self._tables: dict[tuple[int, str], TierTables] = {}

    def _key(self, path: str, *parts: object) -> str:
        return digest(self.salt, path, *parts)

    def _siteurl(self, path: str) -> str:
        return get_relative_path(path) if self.relative_urls else self.site.get("SITEURL", "")

    def tables(self, view: views.YearView, tier: str) -> TierTables:
        """The rows of a tier's pages in a year, made once per build."""
        if (view.year, tier) not in self._tables:
            self._tables[view.year, tier] = TierTables(
                view.results.criteria_set.tiers[tier], view.results.criteria_set, self.macros, self.number,
                self.site.get("REPOSITORY_URL") or "", self.site.get("REPOSITORY_BRANCH") or "main")
        return self._tables[view.year, tier]

    def pages(self) -> list[Page]:
        """Every data page: home, per year its overview, rankings, district and unit pages, each
        unit's history, the criteria sets, 404 and the form."""
        current = self.views[-1] if self.views else None
        everything = digest(*(self._year_salt[v.year] for v in self.views),
                            *(state(r) for v in self.views for r in v.results.units))
        found = [Page("index.html", self._key("index.html", everything), "home",
                      lambda: {"view": current, "views": self.views, "cycle": current.results.cycle if current else None,
                               **(views.summary(current) if current else {})})]
        for view in self.views:
            found += self._year_pages(view)
        for set_id, criteria_set in sorted(self.criteria_sets.items()):
            used_in = [v.year for v in self.views if v.results.criteria_set.id == set_id]
            path = f"tieu-chi/{set_id}/index.html"
            found.append(Page(path, self._key(path, repr(criteria_set), used_in), "criteria",
                              lambda cs=criteria_set, used_in=used_in: {"cs": cs, "used_in": used_in}))
        # Shown at any missing address, so its links start from the root, not from itself.
        root = root_path(self.public_url) if self.relative_urls else self.site.get("SITEURL", "")
        found.append(Page("404.html", self._key("404.html", root), "404", lambda: {"SITEURL": root}))
        found.append(Page(SITE_MAP, self._key(SITE_MAP, self.hand_pages, *self._map_keys()), "sitemap",
                          lambda: {"views": self.views, "criteria_sets": sorted(self.criteria_sets.values(),
                                                                                  key=lambda cs: cs.id),
                                   "hand_pages": self.hand_pages}))
        found.append(Page("nop-phieu/index.html", self._key("nop-phieu/index.html"), "submit", dict))
        for unit_id, history in self.histories.items():
            path = history_page(unit_id)
            unit = history[0][1].unit
            found.append(Page(path, self._key(path, unit.id, unit.name, unit.tier, self.unit_states[unit_id],
                                              *(self._year_salt[v.year] for v in self.views)),
                              "unit_history", lambda history=history, unit=unit: self._history(unit, history)))
        return found

    def _map_keys(self) -> list[object]:
        """What the site map shows of the years (their cycle and criteria set, their districts)
        and of the criteria sets."""
        return [*((self._year_salt[v.year], [(d.unit.id, d.unit.name) for d in v.ranked("huyen")]) for v in self.views),
                *sorted((cs.id, cs.title, cs.decision) for cs in self.criteria_sets.values())]

    def _history(self, unit: Any, history: list) -> dict[str, Any]:
        return {"unit": unit, "history": history,
                "level_names": {v.year: v.results.criteria_set.level_name for v in self.views}}

    def _common(self, view: views.YearView) -> dict[str, Any]:
        return {"view": view, "results": view.results, "cs": view.results.criteria_set,
                "cycle": view.results.cycle, "year": view.year}

    def _year_pages(self, view: views.YearView) -> list[Page]:
        year, salt = view.year, self._year_salt[view.year]
        tier_states = {tier.tier: digest(*(state(r) for r in view.ranked(tier.tier))) for tier in view.tiers()}
        previous = view.previous
        before = digest(*(state(r) for r in previous.units)) if previous is not None else ""
        path = f"{year}/index.html"
        found = [Page(path, self._key(path, salt, tier_states, repr(view.results.bests),
                                      [(f.path, f.label) for f in self.data_files[year]]),
                      "year", lambda: {"files": self.data_files[year], **views.summary(view), **self._common(view)})]
        for tier in view.tiers():
            path = f"{year}/xep-hang/{tier.tier}/index.html"
            districts = tier_states.get("huyen") if tier.tier == "xa" else ""
            found.append(Page(path, self._key(path, salt, tier_states[tier.tier], before, districts), "ranking",
                              lambda tier=tier, path=path: self._ranking(view, tier, path)))
        communes: dict[str | None, list[UnitResult]] = {}
        for result in view.ranked("xa"):
            communes.setdefault(result.unit.district, []).append(result)
        for district in sorted(view.ranked("huyen"), key=lambda r: r.unit.id):
            path = district_page(year, district.unit.id)
            mine = communes.get(district.unit.id, [])
            found.append(Page(path, self._key(path, salt, state(district), *(state(r) for r in mine)), "district",
                              lambda district=district, mine=mine: {
                                  "district": district, "communes": mine, "cs": view.results.criteria_set,
                                  "year": year, "cycle": view.results.cycle}))
        counts = view.submitted_count
        for result in view.results.units:
            unit = result.unit
            district = view.by_id.get(unit.district) if unit.district else None
            path = unit_page(year, unit.id)
            key = self._key(path, salt, self.unit_states[unit.id],
                            district and (district.unit.id, district.unit.name), counts.get(unit.tier, 0),
                            view.received(result))
            found.append(Page(path, key, "unit", lambda result=result: self._unit(view, result)))
        return found

    def _ranking(self, view: views.YearView, tier: Any, path: str) -> dict[str, Any]:
        rows = view.ranked(tier.tier)
        return {"tier": tier, "rows": rows, "any_submitted": any(r.submitted for r in rows),
                "table": self.tables(view, tier.tier).ranking(rows, view, self._siteurl(path)), **self._common(view)}

    def _unit(self, view: views.YearView, result: UnitResult) -> dict[str, Any]:
        """What one unit's page in one year shows: facts, chart, group table, every criterion, history."""
        unit = result.unit
        cs = view.results.criteria_set
        tier = cs.tiers[unit.tier]
        tables = self.tables(view, unit.tier)
        bars = tables.bars(result)
        return {
            "r": result, "tier": tier, "cs": cs, "year": view.year, "cycle": view.results.cycle,
            "bars": bars, "group_names": {g.id: g.name for g in tier.groups},
            "criteria": tables.criteria(result) if result.submitted else [],
            "unit_change": view.changes.get(unit.id), "change_shown": tables.change(view.changes.get(unit.id)),
            "status_shown": tables.status(result), "level_shown": tables.level(result),
            "history": [(y, h, tables.level(h), tables.status(h)) for y, h in self.histories[unit.id]],
            "district": view.by_id.get(unit.district) if unit.district else None,
            "submitted_count": view.submitted_count.get(unit.tier, 0),
            "received": view.received(result), "deadline": view.results.cycle.deadlines.get(unit.tier),
        }

    def files(self) -> list[File]:
        """Every data file of the years built (per tier: JSON, CSV, XLSX) and the schemas."""
        found = []
        for view in self.views:
            results, salt = view.results, self._year_salt[view.year]
            for tier in results.criteria_set.tiers:
                units = view.ranked(tier)
                key = digest(salt, *(state(r) for r in units))
                found.append(File(json_path(view.year, tier), self._key(json_path(view.year, tier), key),
                                  lambda results=results, tier=tier: self.json_pieces(results, (tier,))))
                path = f"du-lieu/{view.year}/ket-qua-{tier}.csv"
                found.append(File(path, self._key(path, key), lambda results=results, tier=tier: [
                    export.to_csv(results, (tier,)).encode("utf-8")]))
                path = f"du-lieu/{view.year}/ket-qua-{tier}.xlsx"
                found.append(File(path, self._key(path, key), lambda results=results, tier=tier: [
                    to_xlsx(results, (tier,))]))
        for schema in self.schemas:
            data = (self.root.root / schema.path).read_bytes()
            found.append(File(schema.path, digest(self.salt, hashlib.sha256(data).hexdigest()), lambda data=data: [data]))
        return found

    def search_index(self) -> File | None:
        """The search box's index (none without a year): every unit of the current year as
        [id, name, tier's position, its district's position or -1], in Vietnamese alphabetical
        order, with the year and the tiers; links are made from them. A script rather than
        JSON: a page opened from disk may load a script, not fetch a file."""
        if not self.views:
            return None
        view = self.views[-1]
        units = sorted((r.unit for r in view.results.units), key=lambda u: name_order(u.name, u.id))
        tiers = [(t.tier, t.name) for t in view.tiers()]

        def make() -> list[bytes]:
            tier_at = {tier: index for index, (tier, _) in enumerate(tiers)}
            at = {u.id: index for index, u in enumerate(units)}
            data = {"year": view.year, "tiers": tiers,
                    "units": [[u.id, u.name, tier_at.get(u.tier, -1), at.get(u.district, -1) if u.district else -1]
                              for u in units]}
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            return [f"window.CQDT_SEARCH = {text};\n".encode()]

        key = self._key(SEARCH_INDEX, view.year, tiers, [(u.id, u.name, u.tier, u.district) for u in units])
        return File(SEARCH_INDEX, key, make)

    def shared(self) -> dict[str, Any]:
        """What the other pages of the site (Pelican's) are given."""
        return {"CQDT_YEARS_BUILT": [v.year for v in self.views], "CQDT_DATA_FILES": self.data_files,
                "CQDT_SCHEMA_FILES": self.schemas}


def sitemap_file(pages: Iterable[str], public_url: str, salt: str) -> File:
    """sitemap.xml of the pages written at `pages` (names in the output folder)."""
    text = sitemap.sitemap_xml(public_url, sitemap.urls(set(pages))).encode("utf-8")
    return File("sitemap.xml", digest(salt, hashlib.sha256(text).hexdigest()), lambda: [text])
