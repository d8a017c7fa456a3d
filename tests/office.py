"""LibreOffice (headless) and poppler for the tests of the Excel form: convert workbooks, and
read a PDF's pages and words with their positions.

Each test session runs LibreOffice with a profile of its own, so that tests running at the
same time on one machine (or an office suite the user has open) do not meet. CI installs both
tools (.ci/run); elsewhere the tests that need them are skipped when they are missing.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

TOOLS = ("soffice", "pdftotext", "pdfinfo", "pdftoppm")


def require_tools() -> None:
    """Skip the test when LibreOffice or poppler is missing, except in CI, where that fails."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must install {', '.join(missing)} (.ci/run)")
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")


def convert(paths: list[Path], target: str, outdir: Path, profile: Path) -> list[Path]:
    """Convert workbooks with LibreOffice (`target`: "pdf" or "xlsx"), recalculating every
    formula; returns the converted files, in the order of `paths`."""
    outdir.mkdir(parents=True, exist_ok=True)
    filters = {"pdf": "pdf:calc_pdf_Export", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
    subprocess.run(["soffice", f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
                    "--convert-to", filters[target], "--outdir", str(outdir), *map(str, paths)],
                   check=True, capture_output=True, timeout=600)
    converted = [outdir / f"{path.stem}.{target}" for path in paths]
    missing = [path.name for path in converted if not path.is_file()]
    assert not missing, f"LibreOffice wrote no {missing}"
    return converted


@dataclass(frozen=True)
class Word:
    """A word of a PDF page, with its box in points from the page's top left corner."""

    text: str
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page of a PDF with its words (pdftotext -bbox)."""
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = []
    for width, height, body in _PAGE.findall(text):
        words = [Word(html.unescape(w), float(x0), float(y0), float(x1), float(y1))
                 for x0, y0, x1, y1, w in _WORD.findall(body)]
        pages.append(Page(float(width), float(height), words))
    return pages


def pdf_info(pdf: Path) -> dict[str, str]:
    """pdfinfo's fields: Pages, Page size, …"""
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def first_page_png(pdf: Path, target: Path) -> Path:
    """The PDF's first page as a PNG at 100 dpi, for a person to look at."""
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(target.with_suffix(""))], check=True, capture_output=True)
    return target
