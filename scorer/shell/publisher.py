"""The publisher: the one way cqdt writes a site into its output folder.

Given every page and file the site has now, each with the key of what it is made from (see
site.pages), it makes only those whose key differs from the one noted when it was last
written, or whose file is no longer the one written then (deleted, edited); it removes what
the site no longer has; and it notes each file's key and stamp in the memo. Into a folder it
has no note of, it writes everything and removes every other file of the site's own folders
(a deleted memo: the same bytes as a fresh build).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Protocol

from ..reading.paths import YEAR_RE, write_atomic
from .memo import Memo, file_stamp
from .parallel import fork_map


class Item(Protocol):
    path: str
    key: str


def stamp_of(path: str) -> str | None:
    try:
        return file_stamp(os.stat(path))
    except OSError:
        return None


def _walk(output: Path, folders: Iterable[str]) -> set[str]:
    """Every file under the given folders of the output."""
    found = set()
    prefix = len(str(output)) + 1
    for folder in folders:
        for base, _, files in os.walk(output / folder):
            relative = base[prefix:].replace(os.sep, "/")
            found.update(f"{relative}/{name}" for name in files)
    return found


def _remove_empty(output: Path, folders: set[str]) -> None:
    """Remove those of the folders (and their parents) that are now empty, deepest first."""
    for folder in sorted(folders, key=lambda name: name.count("/"), reverse=True):
        while folder:
            try:
                os.rmdir(output / folder)
            except OSError:  # not empty, or already gone
                break
            folder = folder.rpartition("/")[0]


class Publisher:
    """Publishes into one output folder. `own`: the folders that hold only what the site makes
    (besides the year folders): files there that the site does not make are removed."""

    def __init__(self, memo: Memo, output: Path, own: Sequence[str], jobs: int | None = None) -> None:
        """`jobs`: processes to make the files in (default: parallel.default_jobs())."""
        self.memo = memo
        self.jobs = jobs
        self.output = output
        self.name = str(output.resolve())
        self.own = own

    def _own_folders(self) -> list[str]:
        if not self.output.is_dir():
            return []
        years = [p.name for p in self.output.iterdir() if p.is_dir() and YEAR_RE.match(p.name)]
        return sorted({*years, *(f for f in self.own if (self.output / f).is_dir())})

    def publish(self, pages: Sequence[Item], files: Sequence[Any], write_page: Callable[[Any], None],
                progress: Callable[[int], AbstractContextManager[Callable[[int], None] | None]] | None = None,
                ) -> list[str]:
        """Make the stale pages (through write_page) and files (file.make() gives its bytes),
        remove the leftovers, note what was written; returns the paths made. `progress(n)`:
        a progress bar for n items to make (see parallel.progress)."""
        noted = self.memo.published(self.name)
        # Without a note of this folder (a first build into it, or the memo deleted), whatever
        # is in the site's own folders may be left by an earlier build: every file there is
        # looked at. With one, the files noted are the ones the site wrote there.
        on_disk = set() if noted else _walk(self.output, self._own_folders())
        prefix = os.path.join(self.output, "")

        def stale(item: Item) -> bool:
            known = noted.get(item.path)
            return known is None or known[0] != item.key or stamp_of(prefix + item.path) != known[1]

        todo: list[tuple[bool, Any]] = [(False, f) for f in files if stale(f)]
        todo += [(True, p) for p in pages if stale(p)]
        # Noted before they are made (with no key): should the build stop half-way, the next
        # one knows them, and makes them again or removes them.
        self.memo.note_published(self.name, {item.path: ("", "") for _, item in todo if item.path not in noted}, ())

        def make(entry: tuple[bool, Any]) -> tuple[str, str, str]:
            is_page, item = entry
            if is_page:
                write_page(item)
            else:
                write_atomic(self.output / item.path, item.make())
            return item.path, item.key, stamp_of(prefix + item.path) or ""

        # Forks when a large file is to be made, or many pages: a few pages are quicker alone.
        many = bool(todo) and (not todo[0][0] or len(todo) >= 64)
        with (progress or (lambda _: nullcontext()))(len(todo)) as done:
            made = fork_map(make, todo, self.jobs, least=1 if many else len(todo) + 1, done=done, chunk=1)
        written = {path: (key, stamp) for path, key, stamp in made}
        wanted = {item.path for item in (*pages, *files)}
        removed = sorted(path for path in {*on_disk, *noted} - wanted if self._remove(path))
        _remove_empty(self.output, {path.rpartition("/")[0] for path in removed if "/" in path})
        self.memo.note_published(self.name, written, [path for path in noted if path not in wanted])
        return [path for path, _, _ in made]

    def _remove(self, path: str) -> bool:
        try:
            os.unlink(self.output / path)
        except FileNotFoundError:
            return False
        return True
