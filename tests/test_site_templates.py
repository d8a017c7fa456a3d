"""Data pages render from the site settings alone; large pieces go into a page as bytes; the
sitemap lists every page written."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, Environment

from scorer.site.templates import PageRenderer

SETTINGS = {"SITENAME": "Cổng <thử>", "RELATIVE_URLS": True}


def renderer(tmp_path, template: str) -> PageRenderer:
    env = Environment(loader=DictLoader({"trang.html": template}), autoescape=True)
    return PageRenderer(env, SETTINGS, tmp_path)


def test_a_piece_goes_in_as_its_bytes_and_the_rest_is_rendered(tmp_path):
    pages = renderer(tmp_path, "<h1>{{ SITENAME }}</h1><a href='{{ SITEURL }}/'>{{ ten }}</a><table>{{ bang }}</table>")
    piece = "<tr><td>Xã Đông & Tây</td></tr>".encode()
    pages.write("2024/xep-hang/xa/index.html", "trang", {"bang": piece}, ten="a<b")
    page = (tmp_path / "2024/xep-hang/xa/index.html").read_bytes()
    assert page == ("<h1>Cổng &lt;thử&gt;</h1><a href='../../../'>a&lt;b</a><table>".encode()
                    + piece + b"</table>")
    assert pages.written == {"2024/xep-hang/xa/index.html"}


@pytest.mark.parametrize("template", ["<p>không có</p>", "{{ bang }}{{ bang }}"])
def test_a_piece_the_template_does_not_show_once_is_an_error(tmp_path, template):
    with pytest.raises(ValueError, match="bang"):
        renderer(tmp_path, template).write("index.html", "trang", {"bang": b"<tr></tr>"})


def test_an_empty_piece_may_be_left_out(tmp_path):
    renderer(tmp_path, "<p>không có</p>").write("index.html", "trang", {"bang": b""})
    assert (tmp_path / "index.html").read_bytes() == "<p>không có</p>".encode()


def test_the_sitemap_lists_each_page_by_its_folder_url():
    from scorer.site.sitemap import name_url, urls

    names = {"index.html", "404.html", "2024/index.html", "2024/don-vi/so-tttt/index.html",
             "du-lieu/2024/ket-qua-xa.csv", "nop-phieu/form-data.js", "theme/index.html.bak"}
    assert urls(names) == {"", "2024/", "2024/don-vi/so-tttt/"}
    assert urls(names) == {url for url in map(name_url, names) if url is not None}
