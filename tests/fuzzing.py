"""Running cqdt on hostile input as CI would, and what every run must keep to.

Each command runs as a real process (a segmentation fault is seen as a signal, a hang as a
timeout) with a memory bound (RLIMIT_AS) and a CPU bound (RLIMIT_CPU) set in the child.
For every run: exit 0 or 1, no traceback, every refused file named, no output line the
Actions runner would read as a command other than our own annotations, and, for a command
only asked to check, the data root byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

from scorer.core.inert import log_line

MEMORY_BOUND = 768 * 1024 * 1024  # address space of one cqdt process
SECONDS_BOUND = 30  # wall clock (and CPU seconds) of one cqdt process, whatever it was given
# Hostile text carries this word wherever it tries markup: it may reach the summary only as code.
CANARY = "EVIL"


@dataclass
class Tally:
    """How many runs and inputs went through, and how long it took (printed at the end)."""

    runs: dict[str, int] = field(default_factory=dict)
    inputs: int = 0
    seconds: float = 0.0

    def line(self, what: str) -> str:
        commands = ", ".join(f"{name} {count}" for name, count in sorted(self.runs.items()))
        return f"{what}: {self.inputs} inputs, {sum(self.runs.values())} cqdt processes ({commands}) in {self.seconds:.1f} s"


# Each fuzz module's tally, printed at the end of the run (conftest.pytest_terminal_summary).
TALLIES: dict[str, Tally] = {}


def tally(what: str) -> Tally:
    return TALLIES.setdefault(what, Tally())


@dataclass
class Run:
    command: str
    code: int
    stdout: str
    stderr: str


def _bounds() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS_BOUND, SECONDS_BOUND))


def cqdt(root: Path, command: str, *args: str, tally: Tally, env: dict[str, str] | None = None) -> Run:
    """Run `python -m scorer --data ROOT COMMAND ARGS` in a bounded child process."""
    argv = [sys.executable, "-m", "scorer", "--data", str(root), command, *args]
    started = time.monotonic()
    try:
        done = subprocess.run(argv, env={**os.environ, **(env or {})}, preexec_fn=_bounds,
                              capture_output=True, timeout=SECONDS_BOUND, check=False)
    except subprocess.TimeoutExpired as err:
        raise AssertionError(f"cqdt {command} ran over {SECONDS_BOUND} s") from err
    tally.seconds += time.monotonic() - started
    tally.runs[command] = tally.runs.get(command, 0) + 1
    run = Run(command, done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))
    assert run.code >= 0, f"cqdt {command}: killed by signal {-run.code}\n{run.stderr[-2000:]}"
    assert run.code in (0, 1), f"cqdt {command}: exit {run.code}\n{run.stderr[-2000:]}"
    assert "Traceback (most recent call last)" not in run.stderr, f"cqdt {command}:\n{run.stderr[-3000:]}"
    assert_no_workflow_command(run)
    return run


def one_by_one(items: list, check) -> None:
    """check(items) at once; if it fails, check each item alone, so the failure names its input."""
    try:
        check(items)
    except AssertionError:
        for item in items:
            check([item])
        raise


def named(run: Run, display: str) -> bool:
    """Whether the run's output names a file (as cqdt shows a name: escaped for the log)."""
    return log_line(display) in run.stdout + run.stderr


_ANNOTATION = re.compile(r"::error file=[^:,]*(,line=\d+)?(,col=\d+)?::")


def assert_no_workflow_command(run: Run) -> None:
    """The runner reads "::name ...::" at a line's start and "##[name]" anywhere as commands
    (actions/runner, ActionCommand): only our own annotations may look like one."""
    for line in re.split("\r\n|\r|\n", run.stdout + "\n" + run.stderr):
        stripped = line.lstrip()
        if stripped.startswith("::"):
            assert _ANNOTATION.match(stripped), f"{run.command}: a workflow command in the output: {line[:200]!r}"
        elif "##[" in line:
            raise AssertionError(f"{run.command}: '##[' in the output: {line[:200]!r}")


def assert_inert_markdown(markdown: str) -> None:
    """Rendered as GitHub renders it, the summary has no link, image or HTML, and the canary
    word of hostile text appears only inside code spans."""
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    for tag in ("<a ", "<img", "<script", "<iframe", "<details", "<!--"):
        assert tag not in rendered, f"{tag} in the rendered summary"
    outside = re.sub(r"<code>.*?</code>", "", rendered, flags=re.DOTALL)
    assert CANARY not in html.unescape(outside), "hostile text outside code in the summary"


def tree_digest(root: Path) -> str:
    """Digest of every file under root (names and bytes, .git included)."""
    digest = hashlib.sha256()
    for folder, folders, names in sorted(os.walk(root)):
        folders.sort()
        for name in sorted(names):
            path = Path(folder) / name
            digest.update(os.fsencode(path.relative_to(root)) + b"\0")
            digest.update(path.read_bytes() if path.is_file() and not path.is_symlink() else b"-")
    return digest.hexdigest()
