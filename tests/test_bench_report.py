"""The benchmark report renders the measured figures, and only them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def row(seconds: float, cpu: float, peak: float, code: int = 0) -> dict:
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak, "exit_code": code, "load_before": 0.5}


RESULT = {
    "machine": {"cpus": 2, "cpu_model": "Test CPU", "memory_gib": 8.0, "python": "3.11.7", "cqdt_commit": "abc1234",
                "cqdt_source": "committed HEAD", "versions": {"pelican": "4.12.0", "hugo": None}},
    "seed": 1, "years": 1,
    "sizes": [{
        "units": 1000,
        "rows": {"parse": row(3.0, 2.9, 70), "score_cold": row(2.5, 3.9, 205), "build_full": row(2.0, 2.2, 300),
                 "hugo": row(1.5, 2.5, 370), "check_pr": None, "validate_cold": row(9.0, 9.0, 1, code=1)},
        "pages": {"hugo": 1000},
        "identical": {},
        "targets": [{"target": "build_vs_hugo", "text": "build ≥ 2 × Hugo", "value": 0.75, "limit": 2.0, "ok": False},
                    {"target": "peak_mb", "text": "memory", "value": 1234.4, "limit": 1024.0, "ok": False},
                    {"target": "identical", "text": "same bytes", "value": True, "limit": None, "ok": True}],
        "notes": ["a note"],
    }],
}


def test_the_report_shows_each_measured_row_rate_and_verdict(tmp_path):
    import json

    path = tmp_path / "latest.json"
    path.write_text(json.dumps(RESULT), encoding="utf-8")
    done = subprocess.run([sys.executable, str(REPO / "bench" / "report.py"), str(path)],
                          capture_output=True, text=True, check=True)
    text = done.stdout
    assert "cqdt at commit `abc1234`" in text and "hugo" not in text.split("\n")[0].split(";")[1]
    assert "| cqdt build (full, data scored, output empty) | 2.00 | 2.20 | 300 | 500 | 0.5 |" in text
    assert "| baseline: Hugo, N markdown pages | 1.50 | 2.50 | 370 | 667 | 0.5 |" in text
    assert "| cqdt validate (cold) (exit 1) |" in text
    assert "| cqdt check-pr (one changed file) | – | – | – | – | – |" in text
    assert "| build ≥ 2 × Hugo | 0.750 | FAIL |" in text
    assert "| memory | 1,234 MB | FAIL |" in text and "| same bytes | all identical | PASS |" in text
    assert "Note: a note" in text


def test_the_rebuild_row_is_the_median_of_its_runs(tmp_path, monkeypatch):
    sys.path.insert(0, str(REPO / "bench"))
    import run
    from measure import Measurement

    seconds = iter([0.9, 0.7, 1.6, 0.8, 0.75])
    monkeypatch.setattr(run, "change_one_submission", lambda root, skip: (f"xa-{len(skip)}", root))
    runner = run.Runner(tmp_path, 1000, [sys.executable, "-m", "scorer"], live=False)
    monkeypatch.setattr(runner, "cqdt", lambda name, args: Measurement(next(seconds), 1.0, 100.0, 0, 0.1))
    runner.changed = set()
    runner.rebuilds(tmp_path / "site")
    assert runner.result.rows["build_changed"].seconds == 0.8
    assert runner.changed == {f"xa-{i}" for i in range(run.REBUILDS)}
    assert runner.result.notes[-1].endswith("0.90 s, 0.70 s, 1.60 s, 0.80 s, 0.75 s")
