"""The form's message templates are worked out once per criteria set and kept in the cache
until the criteria files change."""

from __future__ import annotations

import shutil
from pathlib import Path

from site_fixtures import record_calls

from scorer.forms import web as site_form
from scorer.reading.catalogue import load_criteria_set
from scorer.reading.paths import DataRoot

REPO = Path(__file__).resolve().parent.parent
SET_ID = "qd-1609-2018"


def test_messages_are_kept_until_a_criteria_file_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("CQDT_CACHE_DIR", str(tmp_path / "cache"))
    for folder in ("criteria", "units", "schema"):
        if (REPO / folder).exists():
            shutil.copytree(REPO / folder, tmp_path / "data" / folder)
    root = DataRoot(tmp_path / "data")
    criteria_set = load_criteria_set(root, SET_ID)
    original = site_form.message_templates
    worked_out = record_calls(monkeypatch, site_form, "message_templates", lambda _root, cs: cs.id)
    first = site_form.cached_messages(root, criteria_set)
    assert first == original(root, criteria_set) and worked_out == [SET_ID]
    assert site_form.cached_messages(root, criteria_set) == first and worked_out == [SET_ID]
    tier_file = root.criteria_set_dir(SET_ID) / "xa.yaml"
    tier_file.write_text(tier_file.read_text(encoding="utf-8") + "\n# sửa\n", encoding="utf-8")
    assert site_form.cached_messages(root, criteria_set) == first
    assert worked_out == [SET_ID, SET_ID]
