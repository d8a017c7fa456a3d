"""Render a benchmark result (bench/out/latest.json) as the Markdown tables of bench/README.md.

    python bench/report.py [bench/out/latest.json]

The README's figures are pasted from this output, so they are the measured
numbers and nothing else.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from run import PAGE_ROWS, ROW_LABELS

BENCH = Path(__file__).resolve().parent


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _target_value(item: dict) -> str:
    value = item["value"]
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "all identical" if value else "DIFFERENT"
    if item["target"] == "check_pr_seconds":
        return f"{value:.2f} s"
    if item["target"] == "peak_mb":
        return f"{value:,.0f} MB"
    return f"{value:.3f}"


def size_tables(size: dict) -> str:
    """The steps table and the targets table of one N."""
    lines = ["| step | wall s | CPU s | peak MB | pages/s | load |", "|---|---:|---:|---:|---:|---:|"]
    for name, label in ROW_LABELS.items():
        row = size["rows"].get(name)
        if name not in size["rows"]:
            continue
        if row is None:
            lines.append(f"| {label} | – | – | – | – | – |")
            continue
        rate = None
        if name in PAGE_ROWS and row["exit_code"] == 0:
            rate = size["pages"].get(PAGE_ROWS[name] or "", size["units"]) / row["seconds"]
        failed = "" if row["exit_code"] == 0 else f" (exit {row['exit_code']})"
        lines.append(f"| {label}{failed} | {_number(row['seconds'])} | {_number(row['cpu_seconds'])} | "
                     f"{_number(row['peak_mb'], 0)} | {_number(rate, 0) if rate else ''} | "
                     f"{_number(row['load_before'], 1)} |")
    lines += ["", "| target | value | verdict |", "|---|---:|---|"]
    for item in size["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[item["ok"]]
        lines.append(f"| {item['text']} | {_target_value(item)} | {verdict} |")
    return "\n".join(lines)


def report(result: dict) -> str:
    machine = result["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in machine["versions"].items() if version)
    parts = [f"Machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB RAM, "
             f"Python {machine['python']}; {versions}. cqdt at commit `{machine['cqdt_commit']}` "
             f"({machine['cqdt_source']}), seed {result['seed']}, {result['years']} year(s)."]
    for size in result["sizes"]:
        parts += ["", f"N = {size['units']:,} units:", "", size_tables(size)]
        parts += [f"\nNote: {note}" for note in size["notes"]]
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else BENCH / "out" / "latest.json"
    sys.stdout.write(report(json.loads(path.read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main(sys.argv[1:])
