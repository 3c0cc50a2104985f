"""Output folders written as a whole: a folder of calendar files swapped in at once.

A folder wfm wrote holds a marker file listing its files; only such a folder (or a
new or empty one) is ever replaced, so no file of anyone else's is deleted.

The swap is two renames (the old folder to `.NAME.<hex>.old`, the new one from
`.NAME.<hex>.tmp`). A run killed between them leaves no NAME, only the hidden
`.old`; the next run puts that back first, then removes leftover `.tmp`/`.old`
folders that are provably wfm's (that name pattern, a marker, nothing unlisted).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

from wfm.errors import WfmError

FOLDER_MARKER = ".wfm-calendars"
# Files an OS drops into any folder it shows; a folder holding them is still ours.
# Only plain files of these names are litter: a folder so named is someone's.
_OS_LITTER = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


def _litter(entry: Path) -> bool:
    return entry.name.lower() in _OS_LITTER and entry.is_file() and not entry.is_symlink()


def check_folder(folder: Path, *, suffix: str, parent_made_later: bool = False) -> None:
    """WfmError unless `write_folder` may replace `folder`.

    It may if it is new, empty, or a folder wfm wrote: one holding a
    `FOLDER_MARKER` file and nothing beyond it, the `suffix` files it lists and
    OS litter (.DS_Store, Thumbs.db, desktop.ini). Anything else is someone
    else's and is never deleted. The current folder and those above it are
    refused, as the swap would move them away.

    With `parent_made_later`, a missing parent folder is fine (the caller makes it).
    """
    folder = Path(folder)
    try:
        _check_folder(folder, suffix=suffix, parent_made_later=parent_made_later)
    except OSError as e:
        raise WfmError(
            f"{folder}: cannot read the folder ({e.strerror or e}); check its permissions "
            f"or give another folder"
        ) from None


def _check_folder(folder: Path, *, suffix: str, parent_made_later: bool) -> None:
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir() and not parent_made_later:
        raise WfmError(f"{folder}: folder {parent} does not exist; create it first")
    if folder.exists() and not folder.is_dir():
        raise WfmError(f"{folder}: exists and is not a folder; give a folder name")
    if not folder.is_dir():
        return
    resolved, here = folder.resolve(), Path.cwd().resolve()
    if resolved == here or resolved in here.parents:
        raise WfmError(
            f"{folder}: is the current folder or one above it, which wfm will not "
            f"replace; give a new folder such as {folder / 'calendars'}"
        )
    entries = {entry.name: entry for entry in folder.iterdir()}
    names = sorted(name for name, entry in entries.items() if not _litter(entry))
    if not names:
        return
    if FOLDER_MARKER not in names:
        raise WfmError(
            f"{folder}: holds {names[0]!r} and has no {FOLDER_MARKER} file, so wfm did "
            f"not write it and will not replace it; give a new or empty folder"
        )
    strangers = _strangers(entries, names, suffix=suffix)
    if strangers:
        raise WfmError(
            f"{folder}: holds {strangers[0]!r}, which wfm did not write, so the folder "
            f"is not replaced; move it elsewhere or give a new folder"
        )


def _strangers(entries: dict, names: list[str], *, suffix: str) -> list[str]:
    """The names in a marked folder that its marker does not list, or that are folders."""
    ours = _listed(entries[FOLDER_MARKER], suffix=suffix) | {FOLDER_MARKER}
    return [
        name
        for name in names
        if name not in ours or (entries[name].is_dir() and not entries[name].is_symlink())
    ]


def _provably_ours(folder: Path, *, suffix: str) -> bool:
    """A real folder holding a plain marker file, its listed files and litter only."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    entries = {entry.name: entry for entry in folder.iterdir()}
    marker = entries.get(FOLDER_MARKER)
    if marker is None or marker.is_symlink() or not marker.is_file():
        return False
    names = sorted(name for name, entry in entries.items() if not _litter(entry))
    return not _strangers(entries, names, suffix=suffix)


def _leftovers(target: Path) -> list[Path]:
    """`.NAME.<12 hex>.tmp`/`.old` beside `target`: a crashed swap's halves, newest first."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{12}}\.(tmp|old)")
    found = [p for p in target.parent.iterdir() if pattern.fullmatch(p.name)]
    return sorted(found, key=lambda p: (p.lstat().st_mtime_ns, p.name), reverse=True)


def recover_folder(folder: Path, *, suffix: str) -> None:
    """Repair what a run killed mid-swap left beside `folder`.

    A missing `folder` with a provably-ours `.old` beside it (the earlier
    calendars, moved away by the first rename) gets the newest one back. Then
    every provably-ours `.tmp`/`.old` left beside it is removed. Anything not
    provably wfm's is left alone. (Two runs into one folder at once are not
    supported: one may remove the other's half-written `.tmp`.)
    """
    target = Path(folder).resolve()
    try:
        leftovers = [p for p in _leftovers(target) if _provably_ours(p, suffix=suffix)]
    except OSError:
        return  # nothing to tidy that can be read; check_folder reports the folder itself
    try:
        if not os.path.lexists(target):
            old = [p for p in leftovers if p.suffix == ".old"]
            if old:
                os.replace(old[0], target)
                leftovers.remove(old[0])
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)
    except OSError as e:
        raise WfmError(
            f"{folder}: cannot tidy what an earlier run left beside it ({e.strerror or e}); "
            f"check the folder's permissions"
        ) from None


def _listed(marker: Path, *, suffix: str) -> set[str]:
    """The plain `suffix` file names a marker lists (others are not trusted)."""
    lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    return {name for name in lines if _plain(name) and name.endswith(suffix)}


def _plain(name: str) -> bool:
    return Path(name).name == name and name not in ("", ".", "..", FOLDER_MARKER)


def write_folder(files: Mapping[str, str], folder: Path, *, suffix: str) -> Path | None:
    """Make `folder` hold exactly `files` ({file name: text}), all or nothing.

    First a crashed earlier swap is repaired (`recover_folder`). The files, and
    a `FOLDER_MARKER` listing their names (sorted, written first, so that even
    a half-written staging folder is provably ours), are written into a new
    hidden folder beside `folder`, which then takes its place. An
    earlier `folder` must pass `check_folder` (new, empty, or written by wfm
    with nothing added), so no file of anyone else's is lost; it is removed
    only after the swap.

    Returns:
        None; or, if the earlier folder could not be removed after the swap,
        the hidden path it was left at (the caller should tell the user).

    Raises:
        WfmError: `folder` may not be replaced, a name is not a plain `suffix`
            file name, or the files cannot be written (the earlier folder is
            then left as it was).
    """
    recover_folder(folder, suffix=suffix)
    check_folder(folder, suffix=suffix)
    bad = sorted(name for name in files if not (_plain(name) and name.endswith(suffix)))
    if bad:
        raise WfmError(f"{folder}: {bad[0]!r} is not a plain file name ending in {suffix}")
    marker = (
        "# Written by wfm, which replaces this folder on the next run only while it\n"
        "# holds nothing but this file and the files listed below.\n"
        + "".join(f"{name}\n" for name in sorted(files))
    )
    target = Path(folder).resolve()
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
    retired = staging.with_suffix(".old")
    try:
        staging.mkdir()
        for name, text in {FOLDER_MARKER: marker, **files}.items():
            with open(staging / name, "x", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
    except BaseException as e:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not target.exists():
            os.replace(retired, target)
        if isinstance(e, OSError):
            raise WfmError(f"{folder}: cannot write the folder: {e.strerror or e}") from None
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return retired if os.path.lexists(retired) else None
