"""Generated files are written to a temporary name and renamed: never half-written."""

from __future__ import annotations

from scorer.reading.paths import write_atomic
from scorer.site.sitemap import urls


def test_write_atomic_replaces_a_large_file_whole(tmp_path):
    target = tmp_path / "lon.json"
    write_atomic(target, b"a" * (3 << 20))
    write_atomic(target, [b"b" * (2 << 20), "c"])
    assert target.read_bytes() == b"b" * (2 << 20) + b"c"
    assert [p.name for p in tmp_path.iterdir()] == ["lon.json"]


def test_the_sitemap_lists_each_page_by_its_folder_url():
    names = {"index.html", "404.html", "2024/index.html", "2024/don-vi/so-tttt/index.html",
             "du-lieu/2024/ket-qua-xa.csv", "nop-phieu/form-data.js", "theme/index.html.bak"}
    assert urls(names) == {"", "2024/", "2024/don-vi/so-tttt/"}
