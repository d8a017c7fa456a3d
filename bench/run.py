"""The benchmark: cqdt at nationwide size, against plain parsing, Pelican and Hugo.

    python bench/run.py [--sizes 1000,12000] [--seed 1] [--years 1] [--keep DIR]

For each size N it generates (once, cached under bench/out/roots/) a synthetic
data root with bench/generate.py, copies it to a work folder, and runs each
step as a whole `cqdt --data ROOT ...` process, measuring wall time, CPU time
and peak memory (bench/measure.py). Baselines run in the same session on the
same N. It prints a table and the targets (PASS/FAIL), and writes the same to
bench/out/latest.json. A command cqdt does not have yet is reported as
"chưa có / not available" instead of measured.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))

from baselines import hugo_binary, write_hugo_project, write_pelican_project  # noqa: E402
from generate import generate, git, select_units  # noqa: E402
from measure import Measurement, run_measured  # noqa: E402

LIVE_CQDT = str(Path(sys.executable).with_name("cqdt"))
SNAPSHOT_CQDT = f"{sys.executable} -m scorer"
NOT_AVAILABLE = "chưa có / not available"
# A rebuild takes under a second: one run is mostly the machine's noise. The row is the median
# of this many, each after one more changed file.
REBUILDS = 5
RATIO_LINE = re.compile(r"^(    value: \{numerator: )(\d+)(, denominator: \d+\})$", re.MULTILINE)
# The targets: (key, description, limit).
TARGETS = (
    ("cold_vs_parse", "cold validate + cold score ≤ 1.5 × parsing with ruamel's C safe loader", 1.5),
    ("warm_vs_cold", "warm re-score after one change ≤ 5 % of cold score", 0.05),
    ("check_pr_seconds", "cqdt check-pr with one changed file < 2 s", 2.0),
    ("pr_summary_vs_parse", "cold pr-summary (a fresh CI runner, one pull request) ≤ 1.5 × parsing", 1.5),
    ("build_vs_hugo", "full site build ≥ 2 × Hugo's unit pages per second", 2.0),
    ("rebuild_vs_build", "rebuild after one change ≤ 25 % of the full build", 0.25),
    ("peak_mb", "peak memory of every cqdt step < 1 GiB", 1024.0),
    ("identical", "results byte-identical between cold, warm and parallel runs", None),
)


@dataclass
class SizeRun:
    """Everything measured for one N."""

    units: int
    rows: dict[str, Measurement | None] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    identical: dict[str, bool | None] = field(default_factory=dict)  # None: a run failed, not compared
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- cqdt's abilities

def _help(cqdt: list[str], *args: str) -> str:
    done = subprocess.run([*cqdt, *args, "--help"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""


# The heading over the subcommands: Vietnamese since cqdt's help was translated, English before.
COMMANDS_HEADING = re.compile(r"^(?:Lệnh|Commands):$", re.MULTILINE)


def cqdt_commands(cqdt: list[str]) -> set[str]:
    """Subcommands `cqdt --help` lists."""
    text = COMMANDS_HEADING.split(_help(cqdt), maxsplit=1)
    return set(re.findall(r"^  ([a-z][a-z0-9-]*)\s", text[1], re.MULTILINE)) if len(text) == 2 else set()


def command_options(cqdt: list[str], command: str) -> set[str]:
    """Long options of one subcommand."""
    return set(re.findall(r"(--[a-z][a-z0-9-]*)", _help(cqdt, command)))


# ---------------------------------------------------------------- data roots

def _fingerprint() -> str:
    """Changes whenever anything that shapes a generated root changes."""
    digest = hashlib.sha256()
    sources = [BENCH / "generate.py", REPO / "scorer" / "forms" / "scaffold.py", REPO / "scorer" / "reading" / "schemas.py"]
    sources += sorted((REPO / "criteria").rglob("*")) + sorted((REPO / "scorer" / "reading" / "json_schemas").rglob("*"))
    for path in sources:
        if path.is_file():
            digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(metadata.version("vietnam-provinces").encode())
    return digest.hexdigest()[:12]


def snapshot_head(target: Path) -> str:
    """Export the committed HEAD to `target` (so edits made meanwhile do not change what runs)."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          check=True, capture_output=True, text=True).stdout.strip()


def source_fingerprint() -> str:
    """Hash of cqdt's own code in the working tree, which its cache keys depend on."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "scorer").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_root(units: int, seed: int, years: int) -> Path:
    """A generated root for these arguments, generated on first use."""
    target = OUT / "roots" / f"n{units}-s{seed}-y{years}-{_fingerprint()}"
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".staging-"))
        generate(staging / "root", units, seed, years)
        (staging / "root").rename(target)
        staging.rmdir()
    return target


def fresh_copy(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    return target


# ---------------------------------------------------------------- changes as a unit would make them

def change_one_submission(root: Path, skip: set[str]) -> tuple[str, Path]:
    """Lower one ratio answer of an unreviewed commune; returns (unit id, file)."""
    for path in sorted(root.glob("submissions/*/xa/*.yaml")):
        if path.name.endswith(".review.yaml") or path.stem in skip:
            continue
        if path.with_name(f"{path.stem}.review.yaml").exists():
            continue
        text = path.read_text(encoding="utf-8")
        match = next((m for m in RATIO_LINE.finditer(text) if int(m[2]) > 0), None)
        if match is None:
            continue
        changed = text[:match.start()] + f"{match[1]}{int(match[2]) - 1}{match[3]}" + text[match.end():]
        path.write_text(changed, encoding="utf-8")
        return path.stem, path
    raise SystemExit("no commune submission to change in the generated root")


# ---------------------------------------------------------------- one size

class Runner:
    """Runs and records the steps of one size in its own work folder."""

    def __init__(self, work: Path, units: int, cqdt: list[str], live: bool):
        self.work = work
        self.root = work / "root"
        self.outputs = work / "outputs"
        self.result = SizeRun(units)
        self.command = cqdt
        self.live = live
        self.commands = cqdt_commands(cqdt)
        # Both the documented cache variable and the XDG fallback point into the work folder.
        self.env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "CQDT_CACHE_DIR": str(work / "cache" / "cqdt")}

    def clear_caches(self) -> None:
        """Make the next cqdt run cold: no cache in the root nor in the user cache folder."""
        git(self.root, "clean", "-fdxq")
        shutil.rmtree(self.work / "cache", ignore_errors=True)

    def cqdt(self, name: str, args: list[str], output: str | None = None,
             prefix: tuple[str, ...] = ()) -> Measurement | None:
        """Measure one cqdt step; None when that command does not exist yet."""
        if args[0] not in self.commands:
            self.result.rows[name] = None
            return None
        stdout = self.outputs / (output or f"{name}.out")
        stderr = self.outputs / f"{name}.err"
        measurement = run_measured([*prefix, *self.command, "--data", str(self.root), *args], cwd=self.root,
                                   env=self.env, stdout=stdout, stderr=stderr)
        self.result.rows[name] = measurement
        if measurement.exit_code != 0:
            tail = stderr.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            self.result.notes.append(f"{name}: exit {measurement.exit_code}: {' | '.join(tail)}")
        return measurement

    def succeeded(self, *names: str) -> bool:
        return all(self.result.rows.get(n) is not None and self.result.rows[n].exit_code == 0 for n in names)

    def same(self, key: str, first: str, second: str) -> None:
        """Compare two runs' outputs, named <row>.json; None when either run failed."""
        if not self.succeeded(first.removesuffix(".json"), second.removesuffix(".json")):
            self.result.identical[key] = None
            return
        self.result.identical[key] = (self.outputs / first).read_bytes() == (self.outputs / second).read_bytes()

    def run(self, source: Path) -> SizeRun:
        before = source_fingerprint() if self.live else None
        fresh_copy(source, self.root)
        self.outputs.mkdir(parents=True, exist_ok=True)
        self.parse_baseline()
        self.scoring()
        self.pull_request()
        self.site()
        self.pelican()
        self.hugo()
        if self.live and source_fingerprint() != before:
            self.result.notes.append("scorer/ changed during this run: warm figures may have started cold")
        return self.result

    def parse_baseline(self) -> None:
        self.result.rows["parse"] = run_measured(
            [sys.executable, str(BENCH / "baselines.py"), "parse", str(self.root)],
            stdout=self.outputs / "parse.out")

    def scoring(self) -> None:
        score_options = command_options(self.command, "score")
        self.clear_caches()
        self.cqdt("validate_cold", ["validate"])
        self.clear_caches()
        self.cqdt("score_cold", ["score", "--format", "json"], "score_cold.json")
        self.cqdt("score_warm", ["score", "--format", "json"], "score_warm.json")
        self.same("cold = warm", "score_cold.json", "score_warm.json")
        self.clear_caches()
        if "--jobs" in score_options:
            self.cqdt("score_serial", ["score", "--format", "json", "--jobs", "1"], "score_serial.json")
        else:  # cqdt sizes its worker pool from the CPUs it may use
            self.cqdt("score_serial", ["score", "--format", "json"], "score_serial.json", ("taskset", "-c", "0"))
        self.same("parallel = serial", "score_cold.json", "score_serial.json")

    def pull_request(self) -> None:
        git(self.root, "checkout", "-q", "-b", "bench-pr")
        unit_id, path = change_one_submission(self.root, set())
        owner = next(u for u in select_units(self.result.units) if u.id == unit_id).owners[0]
        git(self.root, "add", path.relative_to(self.root).as_posix())
        git(self.root, "commit", "-q", "--no-gpg-sign", "-m", f"{unit_id}: sửa số liệu")
        self.changed = {unit_id}
        self.cqdt("score_warm_changed", ["score", "--format", "json"], "score_warm_changed.json")
        self.clear_caches()
        self.cqdt("score_cold_changed", ["score", "--format", "json"], "score_cold_changed.json")
        self.same("warm after change = cold", "score_warm_changed.json", "score_cold_changed.json")
        self.cqdt("check_pr", ["check-pr", "--base", "main", "--actor", owner, "--head", "HEAD"])
        # What the pull-request workflow runs on a fresh runner: nothing in cqdt's cache.
        self.clear_caches()
        self.cqdt("pr_summary_cold", ["pr-summary", "--base", "main", "--actor", owner, "--head", "HEAD"])

    def _build_args(self, target: Path) -> list[str]:
        options = command_options(self.command, "build")
        return ["build", "--output", str(target)] if "--output" in options else ["build"]

    def site(self) -> None:
        if "build" not in self.commands:
            self.result.rows["build_cold"] = self.result.rows["build_full"] = self.result.rows["build_changed"] = None
            return
        cold, full, fresh = self.work / "site-cold", self.work / "site", self.work / "site-fresh"
        self.clear_caches()
        # Scoring and rendering together, from an empty cache: for the record.
        self.cqdt("build_cold", self._build_args(cold))
        # The figure compared with Hugo: the data is scored (as after the publish workflow's
        # `cqdt score`), the output folder is empty, every page is rendered and written.
        self.cqdt("build_full", self._build_args(full))
        self.rebuilds(full)
        if "--output" not in command_options(self.command, "build"):
            self.result.notes.append("cqdt build has no --output: rebuild not compared with a fresh build")
            return
        self.clear_caches()
        self.cqdt("build_fresh", self._build_args(fresh))
        same = _same_tree(full, fresh) if self.succeeded("build_full", "build_changed", "build_fresh") else None
        self.result.identical["site rebuild = fresh build"] = same
        self.result.rows.pop("build_fresh")

    def rebuilds(self, full: Path) -> None:
        """The rebuild after one change, REBUILDS times (each after one more changed file): its
        row is the median run, and a note gives every run's time."""
        runs = []
        for _ in range(REBUILDS):
            unit_id, _ = change_one_submission(self.root, self.changed)
            self.changed.add(unit_id)
            measured = self.cqdt("build_changed", self._build_args(full))
            if measured is None or measured.exit_code != 0:
                return  # the failed run is the row
            runs.append(measured)
        ordered = sorted(runs, key=lambda m: m.seconds)
        self.result.rows["build_changed"] = ordered[len(ordered) // 2]
        self.result.notes.append("rebuild after one change, each run after one more changed file (the median is the row): "
                                 + ", ".join(f"{m.seconds:.2f} s" for m in runs))

    def _names(self) -> list[str]:
        return [u.name for u in select_units(self.result.units)]

    def pelican(self) -> None:
        project = self.work / "pelican"
        write_pelican_project(project, self._names())
        pelican = Path(sys.executable).with_name("pelican")
        self.result.rows["pelican"] = run_measured(
            [str(pelican), "content", "-s", "pelicanconf.py", "-o", "output", "-q"], cwd=project)
        self.result.pages["pelican"] = len(list((project / "output" / "pages").glob("*.html")))

    def hugo(self) -> None:
        binary = hugo_binary()
        if binary is None:
            self.result.rows["hugo"] = None
            return
        project = self.work / "hugo"
        write_hugo_project(project, self._names())
        self.result.rows["hugo"] = run_measured([str(binary), "--quiet", "-d", "public"], cwd=project)
        self.result.pages["hugo"] = len(list((project / "public" / "don-vi").glob("*/index.html")))


def _same_tree(left: Path, right: Path) -> bool:
    """Same files with the same bytes under both folders."""
    def files(folder: Path) -> list[str]:
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    names = files(left)
    if names != files(right):
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, names, shallow=False)
    return not mismatch and not errors


# ---------------------------------------------------------------- targets and report

def _seconds(run: SizeRun, name: str) -> float | None:
    row = run.rows.get(name)
    return row.seconds if row is not None and row.exit_code == 0 else None


def targets(run: SizeRun) -> list[dict]:
    """Each target with its measured value and PASS / FAIL (None: not measurable yet)."""
    s = {name: _seconds(run, name) for name in run.rows}
    values: dict[str, float | bool | None] = {}
    if s.get("validate_cold") and s.get("score_cold") and s.get("parse"):
        values["cold_vs_parse"] = (s["validate_cold"] + s["score_cold"]) / s["parse"]
    if s.get("score_warm_changed") and s.get("score_cold"):
        values["warm_vs_cold"] = s["score_warm_changed"] / s["score_cold"]
    values["check_pr_seconds"] = s.get("check_pr")
    if s.get("pr_summary_cold") and s.get("parse"):
        values["pr_summary_vs_parse"] = s["pr_summary_cold"] / s["parse"]
    if s.get("build_full") and s.get("hugo"):
        values["build_vs_hugo"] = s["hugo"] / s["build_full"]
    if s.get("build_full") and s.get("build_changed"):
        values["rebuild_vs_build"] = s["build_changed"] / s["build_full"]
    peaks = [row.peak_mb for name, row in run.rows.items()
             if row is not None and name not in ("parse", "pelican", "hugo")]
    values["peak_mb"] = max(peaks) if peaks else None
    compared = [same for same in run.identical.values() if same is not None]
    values["identical"] = all(compared) if compared else None
    report = []
    for key, text, limit in TARGETS:
        value = values.get(key)
        if value is None:
            ok = None
        elif key == "identical":
            ok = bool(value)
        elif key == "build_vs_hugo":
            ok = value >= limit
        elif key in ("check_pr_seconds", "peak_mb"):
            ok = value < limit
        else:
            ok = value <= limit
        report.append({"target": key, "text": text, "value": value, "limit": limit, "ok": ok})
    return report


ROW_LABELS = {
    "parse": "baseline: parse all files, ruamel C safe loader",
    "validate_cold": "cqdt validate (cold)",
    "score_cold": "cqdt score --format json (cold)",
    "score_warm": "cqdt score (warm, nothing changed)",
    "score_serial": "cqdt score, one CPU (cold)",
    "score_warm_changed": "cqdt score (warm, one file changed)",
    "score_cold_changed": "cqdt score (cold, after the change)",
    "check_pr": "cqdt check-pr (one changed file)",
    "pr_summary_cold": "cqdt pr-summary (cold: a fresh CI runner)",
    "build_cold": "cqdt build (full, cache empty: scores and renders)",
    "build_full": "cqdt build (full, data scored, output empty)",
    "build_changed": f"cqdt build (after one change, median of {REBUILDS})",
    "pelican": "baseline: Pelican, N markdown pages",
    "hugo": "baseline: Hugo, N markdown pages",
}
PAGE_ROWS = {"build_full": None, "pelican": "pelican", "hugo": "hugo"}


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def format_size(run: SizeRun, report: list[dict]) -> str:
    lines = [f"N = {run.units:,} units",
             f"{'step':<48}{'wall s':>10}{'CPU s':>10}{'peak MB':>10}{'pages/s':>10}{'load':>7}"]
    for name, label in ROW_LABELS.items():
        if name not in run.rows:
            continue
        row = run.rows[name]
        if row is None:
            lines.append(f"{label:<48}{NOT_AVAILABLE:>40}")
            continue
        rate = None
        if name in PAGE_ROWS and row.exit_code == 0:
            rate = run.pages.get(PAGE_ROWS[name] or "", run.units) / row.seconds
        failed = "" if row.exit_code == 0 else f"  (exit {row.exit_code})"
        lines.append(f"{label:<48}{_fmt(row.seconds):>10}{_fmt(row.cpu_seconds):>10}{_fmt(row.peak_mb, 0):>10}"
                     f"{_fmt(rate, 0):>10}{_fmt(row.load_before, 1):>7}{failed}")
    lines.append("")
    for item in report:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[item["ok"]]
        value = item["value"]
        shown = NOT_AVAILABLE if value is None else (str(value) if isinstance(value, bool) else _fmt(value, 3))
        lines.append(f"  [{verdict}] {item['text']}: {shown}")
    for key, same in sorted(run.identical.items()):
        lines.append(f"         {key}: {({True: 'identical', False: 'DIFFERENT', None: 'not compared'})[same]}")
    lines += [f"  note: {note}" for note in run.notes]
    return "\n".join(lines)


def machine() -> dict:
    """Facts about the machine and software the figures came from."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    versions = {}
    for package in ("ruamel.yaml", "ruamel.yaml.clib", "jsonschema", "pelican", "markdown", "hugo"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpus": len(os.sched_getaffinity(0)), "cpu_model": cpu, "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(), "system": platform.platform(), "cqdt_commit": commit,
        "versions": versions,
    }


def to_json(run: SizeRun, report: list[dict]) -> dict:
    return {
        "units": run.units,
        "rows": {name: (row.as_dict() if row else None) for name, row in run.rows.items()},
        "pages": run.pages,
        "identical": run.identical,
        "targets": report,
        "notes": run.notes,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,12000", help="comma-separated unit counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep work folders (roots, outputs, sites) here")
    parser.add_argument("--live", action="store_true",
                        help="measure the working tree as it is (default: a snapshot of the committed HEAD)")
    parser.add_argument("--cqdt", help="command that starts cqdt, split on spaces "
                        f"(default: '{SNAPSHOT_CQDT}' on the snapshot, or '{LIVE_CQDT}' with --live)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    facts = machine()
    base = args.keep or Path(tempfile.mkdtemp(prefix="cqdt-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    if args.live:
        facts["cqdt_source"] = "working tree"
    else:
        snapshot = base / "cqdt-src"
        shutil.rmtree(snapshot, ignore_errors=True)
        facts["cqdt_commit"] = snapshot_head(snapshot)
        facts["cqdt_source"] = "committed HEAD"
        # Every process started from here imports cqdt from the snapshot.
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot), os.environ.get("PYTHONPATH")]))
    command = args.cqdt or (LIVE_CQDT if args.live else SNAPSHOT_CQDT)
    print(f"{facts['cpus']} CPU ({facts['cpu_model']}), {facts['memory_gib']} GiB, Python {facts['python']}, "
          f"cqdt {facts['cqdt_commit']} ({facts['cqdt_source']}): {command}", flush=True)
    report = {"machine": facts, "cqdt": command, "seed": args.seed, "years": args.years, "sizes": []}
    try:
        for size in sizes:
            work = base / f"n{size}"
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
            run = Runner(work, size, command.split(), args.live).run(cached_root(size, args.seed, args.years))
            checks = targets(run)
            print("\n" + format_size(run, checks), flush=True)
            report["sizes"].append(to_json(run, checks))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\n{(OUT / 'latest.json').relative_to(REPO)}")


if __name__ == "__main__":
    main()
