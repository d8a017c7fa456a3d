"""Rebuild the golden site (tests/fixtures/golden/output) on purpose, after an intended change.

Run `python tests/regen_golden.py`, look at `git diff tests/fixtures/golden/output`, commit.
tests/test_site_golden.py imports the same settings and build, so both see the same site.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
DATA = GOLDEN / "data"
EXPECTED = GOLDEN / "output"

# Fixed so the site does not depend on the machine, its core count or git's remotes.
SETTINGS = {
    "CQDT_REPOSITORY_URL": "https://github.com/so-tttt-phutho/cqdt",
    "CQDT_REPOSITORY_BRANCH": "main",
    "CQDT_PUBLIC_URL": "https://so-tttt-phutho.github.io/cqdt/",  # a project site: the 404 page links from /cqdt
    "CQDT_JOBS": "1",
}
REGEN_COMMAND = "python tests/regen_golden.py"


def build_golden(output: Path) -> Path:
    """Build the golden data root into `output` (the settings must already be in the environment)."""
    from scorer.cli.site import build_site
    from scorer.reading.paths import DataRoot

    return build_site(DataRoot(DATA), output)


@contextmanager
def fixed_environment() -> Iterator[None]:
    """SETTINGS in os.environ, and a throwaway memo, while the block runs."""
    saved = {name: os.environ.get(name) for name in (*SETTINGS, "CQDT_CACHE_DIR")}
    with tempfile.TemporaryDirectory(prefix="cqdt-cache-") as cache:
        os.environ.update(SETTINGS, CQDT_CACHE_DIR=cache)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def regenerate(target: Path = EXPECTED) -> Path:
    """Build into a temporary sibling of `target`, then swap it in: never a half-written tree."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".golden-new-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the swapped-in tree is an ordinary folder
    retired = target.with_name(f".{target.name}-old")
    try:
        with fixed_environment():
            build_golden(staging)
        shutil.rmtree(retired, ignore_errors=True)
        if target.exists():
            target.rename(retired)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return target


if __name__ == "__main__":
    print(f"Đã dựng lại trang mẫu tại {regenerate()}")
