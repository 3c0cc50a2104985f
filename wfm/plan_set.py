"""A plan's files written as one set: staged, moved in under a lock, then a manifest.

`wfm plan` writes many files into one folder. Written one by one, a failed or
killed run, or two plans at once, could leave files from different runs side by
side. Here every file is first written into a hidden staging folder inside the
target (so nothing of the target changes while the plan is still being
written); an exclusive lock keeps a second plan out; the files are then moved in
(each rename atomic) and `.wfm-plan` is written last, listing each file with its
SHA-256. A folder whose files do not match its manifest holds a mix of runs, and
`check_manifest` says which file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import uuid
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from wfm.errors import WfmError

MANIFEST = ".wfm-plan"
LOCK = ".wfm-plan.lock"
STAGING_PREFIX = ".wfm-staging-"


@contextlib.contextmanager
def plan_set(out: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into `out` as one set.

    Raises:
        WfmError: another `wfm plan` is writing `out`, or the files cannot be moved.
    """
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a+") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WfmError(
                f"{out}: another wfm plan is writing this folder; wait for it or give another --out"
            ) from None
        _remove_stale_staging(out)
        staging = out / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
        staging.mkdir()
        try:
            yield staging
            _publish(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _remove_stale_staging(out: Path) -> None:
    """Staging folders a killed run left (the lock is ours, so none is in use)."""
    for entry in out.iterdir():
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _publish(staging: Path, out: Path) -> None:
    """Move the staged files (and folders) into `out`; then write the manifest."""
    (out / MANIFEST).unlink(missing_ok=True)  # a half-moved set has no manifest
    names = []
    for entry in sorted(staging.iterdir()):
        target = out / entry.name
        if entry.is_dir():
            continue  # folders (calendars/) are swapped in by their own writer
        try:
            os.replace(entry, target)
        except OSError as e:
            raise WfmError(f"{target}: cannot write: {e.strerror or e}") from None
        names.append(entry.name)
    write_manifest(out, names)


def write_manifest(out: Path, names: Iterable[str]) -> None:
    """Write `.wfm-plan`: each of the files `names` in `out` with its SHA-256."""
    lines = [f"{_digest(out / name)}  {name}\n" for name in names]
    text = "# Written by wfm plan: each file of this run with its SHA-256.\n" + "".join(lines)
    (out / MANIFEST).write_text(text, encoding="utf-8")


def check_manifest(out: Path, *, names: Collection[str] | None = None) -> str | None:
    """None if every file `.wfm-plan` lists is as written; else what is not.

    Args:
        out: the plan folder.
        names: check only the listed files of these names (None: all of them).
    """
    manifest = out / MANIFEST
    if not manifest.exists():
        return f"{out}: no {MANIFEST}: the files may come from different runs of wfm plan"
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        digest, _, name = line.partition("  ")
        if names is not None and name not in names:
            continue
        path = out / name
        if not path.exists() or _digest(path) != digest:
            return f"{path}: not the file this plan wrote (changed since, or from another run)"
    return None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
