"""The cqdt Pelican plugin: a thin adapter between Pelican and the site's data pages.

Pelican reads the settings and writes the hand-written pages and the theme's static files.
The plugin's generator reads every year's Results (shell.scoring.evaluate) while Pelican reads
its content, sharing with the hand-written pages what they show (years, data files), and
writes the data pages through Pelican's writer, only those the publisher finds stale
(shell.publisher, site.pages).

Settings it reads: CQDT_DATA_ROOT (the data root), CQDT_YEARS (optional subset),
CQDT_PROGRESS (progress bars), CQDT_JOBS (processes), CQDT_PUBLIC_URL (where the site is
published: the 404 page's links, and sitemap.xml, written only when it is known),
REPOSITORY_URL and REPOSITORY_BRANCH (source links).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

from ..core.model import CriteriaSet
from ..flow.receipts import Receipt, ledger_path, parse_time, read_ledger
from ..reading.paths import DataRoot
from ..shell.memo import Memo
from ..shell.parallel import default_jobs, progress
from ..shell.publisher import Publisher
from ..shell.scoring import evaluate, json_pieces
from ..shell.year import checked_criteria_set, checked_registry, memoized_check
from .filters import filters
from .pages import SITE_NAMES, File, Site, digest, site_salt, sitemap_file
from .views import YearView

# Output folders holding only what the generator writes (besides the year folders).
OWN_FOLDERS = ("don-vi", "du-lieu", "schema", "so-do-trang", "tieu-chi", "tim-kiem")
# Where the pages Pelican writes are noted during a build (a list in Pelican's context).
PELICAN_PAGES = "CQDT_PELICAN_PAGES"


def configure(pelican) -> None:
    """The Vietnamese filters, and autoescaping forced for every template (the hand-written
    pages' too). Templates do not change during a build: no file check each time a page
    extends one."""
    settings = pelican.settings
    settings["JINJA_FILTERS"] = {**filters(), **settings.get("JINJA_FILTERS", {})}
    settings["JINJA_ENVIRONMENT"] = {**(settings.get("JINJA_ENVIRONMENT") or {}), "autoescape": True,
                                     "auto_reload": False}


def _plain_name(value: Any) -> str:
    """A setting's value as text for the salt: functions by their module and name."""
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"
    return repr(value)


def year_receipts(root: DataRoot, year: int, memo: Memo) -> list[Receipt]:
    """The year's receipt ledger as far as it reads (its problems are `cqdt validate`'s), kept in
    the memo under the ledger's digest: a nationwide ledger takes a second to check."""
    def read() -> tuple[tuple[tuple[str, str, str, int | None], ...], list]:
        receipts, problems = read_ledger(root, year)
        return tuple((r.path, r.sha256, r.to_dict()["received_at"], r.pull_request) for r in receipts or ()), problems

    found, _, _ = memoized_check(memo, root, f"receipts {year}", [ledger_path(root, year)], read)
    return [Receipt(path, parse_time(received_at), sha256, pull_request) for path, sha256, received_at, pull_request in found]


def read_site(settings: Mapping[str, Any], memo: Memo, env: Any, hand_pages: Sequence[tuple[str, str]] = ()) -> Site:
    """The data pages and files of the site the settings describe: every year built read (see
    shell.scoring.evaluate), rendered with `env` (Pelican's Jinja environment); `hand_pages`:
    (title, path) of Pelican's pages, for the site map."""
    root = DataRoot(Path(settings.get("CQDT_DATA_ROOT", ".")))
    available = root.years()
    years = sorted(settings.get("CQDT_YEARS") or available)
    earlier = [y for y in available if years and y < years[0]]
    # The year before the first one built, only to show each unit's change.
    previous = evaluate(root, earlier[-1], memo) if earlier else None
    built = []
    for year in years:
        results = evaluate(root, year, memo)
        built.append(YearView(results, previous, year_receipts(root, year, memo)))
        previous = results
    criteria_sets = {v.results.criteria_set.id: v.results.criteria_set for v in built}
    for set_id in root.criteria_set_ids():
        if set_id not in criteria_sets:
            criteria_set, _, _ = checked_criteria_set(memo, root, set_id)
            if criteria_set is not None:
                criteria_sets[set_id] = criteria_set
    current = built[-1] if built else None
    site = {name: settings.get(name) for name in SITE_NAMES}
    site["NAV_YEAR"] = current.year if current else None
    site["NAV_CRITERIA"] = current.results.criteria_set.id if current else next(iter(sorted(criteria_sets)), None)
    shown = {**site, "SITEURL": settings.get("SITEURL"), "RELATIVE_URLS": settings.get("RELATIVE_URLS"),
             "JINJA_ENVIRONMENT": sorted((settings.get("JINJA_ENVIRONMENT") or {}).items()),
             **{name: sorted((key, _plain_name(value)) for key, value in (settings.get(name) or {}).items())
                for name in ("JINJA_FILTERS", "JINJA_GLOBALS", "JINJA_TESTS")}}
    folders = [*settings.get("THEME_TEMPLATES_OVERRIDES", ()), str(Path(settings["THEME"]) / "templates")]
    return Site(root, built, criteria_sets, site, site_salt(memo.salt, folders, shown),
                bool(settings.get("RELATIVE_URLS")), env.get_template("_rows.html").module,
                env.filters["vn_number"], lambda results, tiers: json_pieces(results, tiers, memo),
                settings.get("CQDT_PUBLIC_URL") or "", hand_pages)


class ResultsGenerator(Generator):
    """Pelican's handle on the data pages: read with the other content, written with the other pages."""

    def generate_context(self) -> None:
        self.memo = Memo()
        # Pelican read its pages before this generator runs (its generators come first).
        hand_pages = [(str(page.title), page.url) for page in self.context.get("pages", [])]
        self.site = read_site(self.settings, self.memo, self.env, hand_pages)
        self.context.update(self.site.shared())
        self.context["NAV_YEAR"] = self.site.site["NAV_YEAR"]
        self.context["NAV_CRITERIA"] = self.site.site["NAV_CRITERIA"]
        self.context[PELICAN_PAGES] = []

    def _form_data(self) -> File:
        from ..forms.web import data_script, form_data, message_templates

        settings, root, memo = self.settings, self.site.root, self.memo
        registry, _, _ = checked_registry(memo, root)
        scored = {v.year: v.results for v in self.site.views}

        def messages(root: DataRoot, criteria_set: CriteriaSet) -> dict[str, str]:
            # Worked out by running the validator on samples: kept under its criteria set's check.
            key = memo.key("form messages", checked_criteria_set(memo, root, criteria_set.id)[2])
            found = memo.load(key)
            if not isinstance(found, dict):
                found = message_templates(root, criteria_set)
                memo.save(key, found)
            return found

        data = data_script(form_data(root, sorted(scored), settings.get("REPOSITORY_URL", "") or "",
                                     settings.get("REPOSITORY_BRANCH", "main"), scored, registry,
                                     messages)).encode("utf-8")
        return File("nop-phieu/form-data.js", digest(self.site.salt, hashlib.sha256(data).hexdigest()), lambda: [data])

    def generate_output(self, writer) -> None:
        settings = self.settings
        pages = self.site.pages()
        search = self.site.search_index()
        files = [*self.site.files(), self._form_data(), *([search] if search else [])]
        output = Path(self.output_path)
        written_by_pelican = [Path(path).resolve().relative_to(output.resolve()).as_posix()
                              for path in self.context[PELICAN_PAGES]]
        if self.site.public_url:  # a sitemap holds absolute addresses only; without the public URL, none
            files.append(sitemap_file([*(page.path for page in pages), *written_by_pelican],
                                      self.site.public_url, self.site.salt))
        relative = bool(settings.get("RELATIVE_URLS"))
        # What a data page sees besides its own values (Pelican's writer sets SITEURL for relative URLs).
        seen = {**self.site.site, "SITEURL": settings.get("SITEURL", "")}

        def write(page) -> None:
            writer.write_file(page.path, self.get_template(page.template), dict(seen), relative_urls=relative,
                              **page.values())

        jobs = settings.get("CQDT_JOBS") or default_jobs()
        shown = bool(settings.get("CQDT_PROGRESS"))
        Publisher(self.memo, output, OWN_FOLDERS, jobs).publish(
            pages, files, write, lambda count: progress(count, "Đang viết trang", shown))
        self.memo.close()


def get_generators(pelican) -> type[ResultsGenerator]:
    return ResultsGenerator


def note_page(path, context) -> None:
    """Note each page Pelican writes (for the sitemap), in the list the build keeps in its context."""
    pages = context.get(PELICAN_PAGES)
    if pages is not None:
        pages.append(path)


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
    signals.content_written.connect(note_page)
