"""A plan's files as one set: staged, moved in under a lock, with a manifest last."""

from __future__ import annotations

import fcntl

import pytest

from wfm.errors import WfmError
from wfm.plan_set import LOCK, MANIFEST, STAGING_PREFIX, check_manifest, plan_set


def test_files_appear_only_when_the_set_is_complete(tmp_path) -> None:
    out = tmp_path / "plan"
    with plan_set(out) as staging:
        (staging / "a.csv").write_text("new a\n")
        assert not (out / "a.csv").exists()  # nothing of the target changes meanwhile
        (staging / "b.csv").write_text("new b\n")
    assert (out / "a.csv").read_text() == "new a\n"
    assert check_manifest(out) is None
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]


def test_a_failing_run_leaves_the_earlier_set_untouched(tmp_path) -> None:
    out = tmp_path / "plan"
    with plan_set(out) as staging:
        (staging / "a.csv").write_text("old a\n")
        (staging / "b.csv").write_text("old b\n")
    with pytest.raises(RuntimeError), plan_set(out) as staging:
        (staging / "a.csv").write_text("new a\n")
        raise RuntimeError("the solve failed")
    assert (out / "a.csv").read_text() == "old a\n"
    assert check_manifest(out) is None


def test_a_second_plan_into_the_same_folder_is_refused(tmp_path) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    with open(out / LOCK, "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(WfmError, match="another wfm plan"), plan_set(out):
            pass


def test_a_mix_of_runs_is_named(tmp_path) -> None:
    out = tmp_path / "plan"
    with plan_set(out) as staging:
        (staging / "a.csv").write_text("a\n")
    (out / "a.csv").write_text("edited\n")
    assert "a.csv" in check_manifest(out)
    (out / MANIFEST).unlink()
    assert "different runs" in check_manifest(out)


def test_a_killed_runs_staging_folder_is_cleaned(tmp_path) -> None:
    out = tmp_path / "plan"
    stale = out / f"{STAGING_PREFIX}deadbeef0000"
    stale.mkdir(parents=True)
    (stale / "a.csv").write_text("half\n")
    with plan_set(out) as staging:
        (staging / "a.csv").write_text("a\n")
    assert not stale.exists()
