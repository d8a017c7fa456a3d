"""Seconds per `to_xlsx` call on synthetic results: the per-cell openpyxl version against now.

    python bench/xlsx_speed.py [--sizes 1000,10000] [--repeat 3] [--baseline REV]

Each size is a commune tier of N units (18 cells a row) with seeded scores; the baseline is
scorer/export_xlsx.py as of git revision REV (by default the last openpyxl version), loaded
beside the current module, and both workbooks are read back to check they hold the same cells
(numbers compared to 9 decimals: the baseline stored some scores as 0.5600000000000001).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import random
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scorer.core.model import Cycle, Publication, Results, Unit, UnitResult  # noqa: E402
from scorer.export.xlsx import to_xlsx  # noqa: E402
from scorer.reading.catalogue import load_criteria_set  # noqa: E402
from scorer.reading.paths import DataRoot  # noqa: E402

OPENPYXL_REVISION = "1434e30c2b22f2013305e1461c59998538b2053d"
YEAR = 2024
STEP = Decimal("0.05")


def synthetic_results(count: int, seed: int = 1) -> Results:
    """`count` communes of one year: about 1 in 20 not submitted, 1 in 10 awaiting re-verification."""
    criteria_set = load_criteria_set(DataRoot(REPO), "qd-1609-2018")
    groups = criteria_set.tiers["xa"].groups
    rng = random.Random(seed)
    drafts = []
    for serial in range(count):
        submitted = rng.random() > 0.05
        scores = {g.id: (g.max * Decimal(rng.random())).quantize(STEP) if submitted else Decimal(0)
                  for g in groups}
        total = sum(scores.values(), Decimal(0))
        unit = Unit(id=f"xa-{serial:05d}", name=f"Xã Thử Nghiệm {serial}", tier="xa", kind="commune",
                    district=f"huyen-{serial // 15:04d}")
        drafts.append((unit, submitted, scores, total, rng.random() < 0.1))
    ranked = sorted((d for d in drafts if d[1]), key=lambda d: (-d[3], d[0].id))
    ranks = {d[0].id: place for place, d in enumerate(ranked, start=1)}
    units = tuple(
        UnitResult(unit=unit, status="verified" if submitted else "not_submitted",
                   submission_path=None, submission_sha256=None, group_scores=scores, total=total,
                   self_group_scores=scores, self_total=total, level=rng.choice((1, 2, 3, 4, None)),
                   rank=ranks.get(unit.id), gap=None, criteria=(), review_stages=(),
                   stale_reviews=("huyen",) if stale else ())
        for unit, submitted, scores, total, stale in drafts
    )
    cycle = Cycle(year=YEAR, criteria_set=criteria_set.id, demo=True, deadlines={}, verification_working_days=10,
                  holidays=(), state="published", publication=Publication("1/QĐ-UBND", date(YEAR + 1, 3, 1)))
    return Results(year=YEAR, cycle=cycle, criteria_set=criteria_set, units=units)


def module_at(revision: str):
    """scorer/export_xlsx.py as of `revision`, imported as a sibling of the current module."""
    source = subprocess.run(["git", "show", f"{revision}:scorer/export_xlsx.py"], cwd=REPO,
                            check=True, capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("scorer.export_xlsx_baseline", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "scorer"
    exec(compile(source, f"{revision[:7]}:scorer/export_xlsx.py", "exec"), module.__dict__)
    return module


def seconds_per_call(export, results: Results, repeat: int) -> tuple[float, bytes]:
    """The best of `repeat` timed calls, and the bytes of the last one."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        data = export(results, ("xa",))
        best = min(best, time.perf_counter() - start)
    return best, data


def cells(data: bytes) -> list[tuple]:
    """Every row of every sheet, as openpyxl reads the values back (floats to 9 decimals)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return [(sheet.title, *(round(v, 9) if isinstance(v, float) else v for v in row))
            for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", default=OPENPYXL_REVISION, help="git revision of the version to beat")
    options = parser.parse_args(argv)
    baseline = module_at(options.baseline).to_xlsx
    print(f"{'units':>8}{'before s':>11}{'after s':>11}{'speed-up':>10}{'KB before':>11}{'KB after':>10}")
    for size in (int(s) for s in options.sizes.split(",")):
        results = synthetic_results(size)
        before, old = seconds_per_call(baseline, results, options.repeat)
        after, new = seconds_per_call(to_xlsx, results, options.repeat)
        if cells(old) != cells(new):
            raise SystemExit(f"{size} units: the workbooks hold different cells")
        print(f"{size:>8}{before:>11.3f}{after:>11.3f}{before / after:>9.1f}×"
              f"{len(old) / 1024:>11.0f}{len(new) / 1024:>10.0f}", flush=True)


if __name__ == "__main__":
    main()
