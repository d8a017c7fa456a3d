"""`cqdt build` reports progress; `cqdt serve` builds, then answers on 127.0.0.1 with the built pages."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import copy_data
from site_fixtures import run_cqdt

from scorer.reading.paths import DataRoot


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_build_shows_progress_and_where_it_wrote(tmp_path):
    data = copy_data(tmp_path / "data")
    year = DataRoot(data).years()[-1]
    result = run_cqdt("--data", data, "build", "--year", year, "--output", tmp_path / "out")
    assert "Đang viết trang" in result.output  # the progress bar of the unit pages
    assert f"Đã dựng trang web tại {tmp_path / 'out'}" in result.output
    assert not (tmp_path / "out" / str(year - 1)).exists()  # only the year asked for
    ranking = (tmp_path / "out" / str(year) / "xep-hang" / "so" / "index.html").read_text(encoding="utf-8")
    assert "▲" in ranking or "▼" in ranking  # yet compared with the year before


def test_serve_builds_and_serves_the_home_page(tmp_path):
    data = copy_data(tmp_path / "data")
    port = free_port()
    command = [sys.executable, "-m", "scorer", "--data", str(data), "serve", "--port", str(port),
               "--output", str(tmp_path / "out")]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = None
        for _ in range(600):  # wait for the build to finish and the server to listen
            if server.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.2)
        assert page is not None, server.stdout.read() if server.poll() is not None else "no answer"
        assert '<html lang="vi">' in page
        assert (Path(tmp_path / "out") / "so-do-trang" / "index.html").is_file()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_build_refuses_to_write_over_the_data(tmp_path):
    from click.testing import CliRunner

    from scorer.cli import main

    data = copy_data(tmp_path / "data")
    for output in (data, tmp_path):
        result = CliRunner().invoke(main, ["--data", str(data), "build", "--output", str(output)])
        assert result.exit_code == 1
        assert "chứa thư mục dữ liệu" in result.output
    assert (data / "schema" / "results.schema.json").is_file()


def test_a_page_pelican_cannot_read_fails_the_build(tmp_path):
    """Pelican logs a page it cannot process and carries on; cqdt build must fail instead."""
    import shutil

    import pytest
    from conftest import REPO, copy_data

    from scorer.reading.paths import DataRoot
    from scorer.site.build import BuildError, build_site

    data = copy_data(tmp_path / "data", years=(2024,))
    shutil.copytree(REPO / "site", data / "site", ignore=shutil.ignore_patterns("output"))
    shutil.copytree(REPO / "theme", data / "theme")
    (data / "site/content/pages/hong.md").write_text(
        "Title: Trang hỏng\nSlug: hong\nDate: 2024-13-45\n\nNội dung.\n", encoding="utf-8")
    with pytest.raises(BuildError) as err:
        build_site(DataRoot(data), tmp_path / "out")
    assert "Dựng trang web không thành công" in str(err.value)
    assert "hong.md" in str(err.value)
