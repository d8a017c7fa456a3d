"""Pelican settings of the public results site (built by `cqdt build`)."""

import os
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent

SITENAME = "Chính quyền điện tử Phú Thọ"
SITESUBTITLE = "Kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử các cơ quan nhà nước tỉnh Phú Thọ"
AUTHOR = "Sở Thông tin và Truyền thông tỉnh Phú Thọ"
DEFAULT_LANG = "vi"
TIMEZONE = "Asia/Ho_Chi_Minh"

PATH = str(HERE / "content")
THEME = str(HERE.parent / "theme")
OUTPUT_PATH = str(HERE / "output")

# Relative links: the site works opened from disk, on an internal network, or under a sub-path.
SITEURL = ""
RELATIVE_URLS = True



def _origin_url() -> str:
    """The web address of git's `origin` remote (https), or "" when there is none."""
    try:
        url = subprocess.run(["git", "-C", str(HERE), "remote", "get-url", "origin"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    url = re.sub(r"^git@([^:]+):", r"https://\1/", url)
    return url.removesuffix(".git") if url.startswith("https://") else ""


# Where the repository lives, for "source file" and evidence links (other areas read these too):
# CQDT_REPOSITORY_URL, else git's origin remote; "" shows repository paths as plain text.
# CQDT_REPOSITORY_BRANCH picks the branch those links point at.
REPOSITORY_URL = os.environ.get("CQDT_REPOSITORY_URL") or _origin_url()
REPOSITORY_BRANCH = os.environ.get("CQDT_REPOSITORY_BRANCH", "main")
# The public address, used only to make sitemap.xml absolute; empty keeps paths.
CQDT_PUBLIC_URL = os.environ.get("CQDT_PUBLIC_URL", "")
# The data root (criteria/, units/, submissions/); `cqdt build` sets it from --data.
CQDT_DATA_ROOT = str(HERE.parent)
# Worker processes for unit pages and data files (None: one per core; 1: no workers).
CQDT_JOBS = int(os.environ["CQDT_JOBS"]) if os.environ.get("CQDT_JOBS") else None

PLUGINS = ["scorer.site"]

# Only hand-written pages; every data page comes from the plugin's generator.
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
READERS = {"rst": None}  # pages are Markdown; docutils only warns that it has no Vietnamese
SLUGIFY_SOURCE = "basename"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DIRECT_TEMPLATES = []
ARCHIVES_SAVE_AS = ""
AUTHORS_SAVE_AS = AUTHOR_SAVE_AS = ""
CATEGORIES_SAVE_AS = CATEGORY_SAVE_AS = ""
TAGS_SAVE_AS = TAG_SAVE_AS = ""
STATIC_PATHS = []

# No feeds, no dates from the clock: the same repository builds the same bytes.
FEED_ALL_ATOM = FEED_ALL_RSS = FEED_ATOM = FEED_RSS = None
CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
DEFAULT_DATE = None
DELETE_OUTPUT_DIRECTORY = False
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False

JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
