"""Reading a repository's history with the git command: diffs and blobs.

Only plumbing output (`-z`, raw formats) is parsed, so file names with spaces,
quotes or non-ASCII letters come through unchanged.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"
REGULAR_MODE = "100644"
MISSING_MODE = "000000"


class GitError(Exception):
    """A git command failed; the message is git's own, for a person to read."""


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git in cwd and return its standard output."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError as err:
        raise GitError("không tìm thấy lệnh git") from err
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} thất bại")
    return done.stdout


def _name(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Change:
    """One changed path between two commits, as `git diff --raw` reports it.

    status is A (added), M (modified), D (deleted), T (type changed),
    R (renamed: old_path → path) or C (copied: old_path → path).
    """

    status: str
    path: str
    old_mode: str
    new_mode: str
    old_path: str | None = None


def changes(cwd: Path, base: str, head: str = "HEAD") -> list[Change]:
    """Changes a pull request makes: from the merge base of base and head to head."""
    return _raw_changes(git(cwd, "diff", "--raw", "-z", "-M", "--no-ext-diff", "--no-textconv", f"{base}...{head}"))


def changes_between(cwd: Path, before: str, after: str) -> list[Change]:
    """Changes from one commit (or tree) to another, a rename being a deletion and an addition."""
    return _raw_changes(git(cwd, "diff", "--raw", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", before, after))


def _raw_changes(out: bytes) -> list[Change]:
    fields = out.split(b"\0")
    found: list[Change] = []
    index = 0
    while index < len(fields) and fields[index]:
        meta = fields[index].decode("ascii").lstrip(":").split()
        old_mode, new_mode, status = meta[0], meta[1], meta[4][0]
        if status in "RC":
            found.append(Change(status, _name(fields[index + 2]), old_mode, new_mode, _name(fields[index + 1])))
            index += 3
        else:
            found.append(Change(status, _name(fields[index + 1]), old_mode, new_mode))
            index += 2
    return found


def blob_sizes(cwd: Path, ref: str, paths: list[str]) -> dict[str, int | None]:
    """Sizes of files at a commit (None where there is no such file), without reading them."""
    return {path: int(size) if kind == "blob" else None
            for path, (_, kind, size) in zip(paths, _batch_check(cwd, [(ref, p) for p in paths]), strict=False)}


def blob_ids(cwd: Path, pairs: list[tuple[str, str]]) -> list[str | None]:
    """The blob id at each (commit, path); None where the commit is unknown or lacks the path."""
    return [object_id if kind == "blob" else None for object_id, kind, _ in _batch_check(cwd, pairs)]


def _batch_check(cwd: Path, pairs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(object id, type, size) of each (commit, path), in one git call; type "missing" where
    there is no such object."""
    if not pairs:
        return []
    request = b"".join(f"{ref}:{path}\n".encode("utf-8", "surrogateescape") for ref, path in pairs)
    out = git(cwd, "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)", stdin=request)
    found = []
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        parts = line.split(" ")
        # "<commit>:<path> missing" (the path may hold spaces) where there is no such object.
        found.append((parts[0], parts[1], parts[2]) if len(parts) == 3 and not line.endswith(" missing")
                     else ("", "missing", "0"))
    return found


def show_files(cwd: Path, ref: str, paths: list[str]) -> dict[str, bytes | None]:
    """Contents of files at a commit (None where the file does not exist), in one git call."""
    if not paths:
        return {}
    request = b"".join(f"{ref}:{p}\n".encode("utf-8", "surrogateescape") for p in paths)
    out = git(cwd, "cat-file", "--batch", stdin=request)
    result: dict[str, bytes | None] = {}
    position = 0
    for path in paths:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if header[-1] == b"missing" or header[1] != b"blob":
            result[path] = None
            continue
        size = int(header[2])
        result[path] = out[position:position + size]
        position += size + 1
    return result


def export_folders(cwd: Path, ref: str, folders: list[str], target: Path) -> None:
    """Write the named folders as they are at a commit into target (those that exist there)."""
    listed = git(cwd, "ls-tree", "-z", "--name-only", ref, "--", *folders).split(b"\0")
    present = [name for name in listed if name]
    if present:
        archive = git(cwd, "archive", "--format=tar", ref, "--", *(n.decode("utf-8", "surrogateescape") for n in present))
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")


def top_level(cwd: Path) -> Path | None:
    """The work tree's top folder, or None when cwd is not inside a git work tree."""
    try:
        return Path(git(cwd, "rev-parse", "--show-toplevel").decode().strip())
    except GitError:
        return None


def data_prefix(root: Path) -> str | None:
    """The data root's path inside its repository ("" or "sub/folder/"), or None outside git."""
    top = top_level(root)
    if top is None:
        return None
    inner = root.resolve().relative_to(top.resolve()).as_posix()
    return "" if inner == "." else inner + "/"
