"""Killed saves (issue 14, item 8): whatever instant a save dies at, a complete model (the old
or the new one) loads at the target, and the next save leaves no leftovers beside it.

A save is killed before each of its file-system calls in turn (a forked child with an audit
hook that calls os._exit: no cleanup runs, as with SIGKILL), and a few times by a real
SIGKILL at a random instant, both with the atomic exchange (renameat2) and with the fallback
of file systems without one (two renames, forced here). The recovery rule checked: a save or
a load of a target that is missing puts back the previous model a killed save renamed aside
(`.NAME.old-*`); every other leftover (`.NAME.saving-*`, `.NAME.old-*`) of that target is
deleted by the next save, never while a save is running and never a folder of the user's.
"""

from __future__ import annotations

import fcntl  # imported before forking: the children import nothing
import os
import random
import signal
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.io import ModelFormatError, handlers
from tfjs_fixtures import FIXTURES

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forks the saving process")

KILLED = 71
EVENTS = {  # the audit events of the calls a save makes on the file system
    "open",
    "os.mkdir",
    "os.rmdir",
    "os.rename",
    "os.replace",
    "os.remove",
    "os.link",
    "os.scandir",
    "os.listdir",
    "shutil.rmtree",
    "fcntl.flock",
    "ctypes.dlopen",
}
X = np.cos(0.3 * np.arange(2 * 4 * 2)).reshape(2, 4, 2).astype(np.float32)


@pytest.fixture(autouse=True)
def _no_fsync(monkeypatch):
    """A killed process is not a power cut: what it wrote is in the page cache either way, so
    fsync (about 20 ms a save on ext4) is skipped here; the order of the calls is the same."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


def _files(model, tmp: Path, **kwargs) -> dict[str, bytes]:
    """The files a save of `model` writes (name -> bytes)."""
    folder = model.save(tmp, **kwargs)
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """Three models with different weights and layouts: the files of each, and predictions."""
    tmp = tmp_path_factory.mktemp("versions")
    out = []
    for i, shards in enumerate([None, 100, None]):
        model = tf.load_layers_model(FIXTURES / "lstm_default")
        model.set_weights([w.numpy() * (1 + i) + i for w in model.get_weights()])
        files = _files(model, tmp / f"v{i}", shard_size=shards)
        out.append((files, model.predict(X).numpy()))
    return out


def _in_child(body, exchange: bool) -> int:
    """Run `body()` in a forked child; its exit status (0 once `body` returns)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            if not exchange:
                handlers._exchange = lambda a, b: False
            body()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _save_killed_at(step: int, target: Path, files: dict[str, bytes], exchange: bool) -> bool:
    """Save `files` at `target` in a child killed before its `step`-th file-system call; True
    if it was killed (False: the save finished first)."""

    def body() -> None:
        count = [0]

        def hook(event: str, _args: object) -> None:
            if event in EVENTS:
                count[0] += 1
                if count[0] == step:
                    os._exit(KILLED)

        sys.addaudithook(hook)
        handlers.write_model_folder(target, files)

    code = _in_child(body, exchange)
    assert code in (0, KILLED)
    return code == KILLED


def _predict(target: Path) -> np.ndarray:
    return tf.load_layers_model(target).predict(X).numpy()


def _is_one_of(got: np.ndarray, versions) -> int:
    matches = [i for i, (_, want) in enumerate(versions) if np.array_equal(got, want)]
    assert matches, "the target holds no complete model of a save"
    return matches[0]


def _copy_linked(src: Path, dst: Path) -> None:
    """Copy a folder of model folders, hard links kept as links (a snapshot to recover twice)."""
    seen: dict[tuple[int, int], Path] = {}
    dst.mkdir()
    for sub in src.iterdir():
        (dst / sub.name).mkdir()
        for f in sub.iterdir():
            st = f.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen:
                os.link(seen[key], dst / sub.name / f.name)
            else:
                (dst / sub.name / f.name).write_bytes(f.read_bytes())
                seen[key] = dst / sub.name / f.name


def _check_next_save_cleans(parent: Path, files: dict[str, bytes]) -> None:
    """The next save leaves the new model and the user's file, and nothing beside them."""
    target = parent / "m"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        handlers.write_model_folder(target, files)
    assert sorted(p.name for p in parent.iterdir()) == ["m"]  # no leftovers
    held = {p.name: p.read_bytes() for p in target.iterdir()}
    assert held == {**files, "metadata.json": b"mine"}


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_a_save_killed_at_every_step_leaves_a_model(tmp_path, versions, exchange):
    (old, _), (new, _), (last, _) = versions
    kills = 0
    for step in range(1, 200):
        parent = tmp_path / f"s{step}"
        parent.mkdir()
        handlers.write_model_folder(parent / "m", old)
        (parent / "m" / "metadata.json").write_text("mine")
        if not _save_killed_at(step, parent / "m", new, exchange):
            break
        kills += 1
        snapshot = tmp_path / f"s{step}-copy"
        _copy_linked(parent, snapshot)
        # a load finds a complete model (putting back the previous one if the target is gone)
        _is_one_of(_predict(parent / "m"), versions[:2])
        assert (parent / "m" / "metadata.json").read_text() == "mine"
        _check_next_save_cleans(parent, last)
        # the same state, repaired by a save with no load first
        _check_next_save_cleans(snapshot, last)
    else:
        pytest.fail("the save never finished")
    assert kills >= 12  # every call of the save was a kill point
    assert _is_one_of(_predict(parent / "m"), versions) == 1  # the unkilled save: new model


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_real_sigkills_at_random_instants(tmp_path, versions, exchange):
    """A child saves two models in turn, as fast as it can, until SIGKILL comes."""
    rng = random.Random(1400 + exchange)
    (old, _), (new, _), (last, _) = versions
    for round_ in range(6):
        parent = tmp_path / f"r{round_}"
        parent.mkdir()
        handlers.write_model_folder(parent / "m", old)
        (parent / "m" / "metadata.json").write_text("mine")
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                if not exchange:
                    handlers._exchange = lambda a, b: False
                while True:
                    handlers.write_model_folder(parent / "m", new)
                    handlers.write_model_folder(parent / "m", old)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.002, 0.05))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == -signal.SIGKILL
        _is_one_of(_predict(parent / "m"), versions[:2])
        _check_next_save_cleans(parent, last)


def test_a_load_waits_for_a_save_between_its_renames(tmp_path, versions):
    """Without an exchange, the target is briefly missing while a save swaps folders: a load
    (or a save) then waits for that save and takes the model it put in place."""
    (old, _), (new, new_pred), _ = versions
    target = tmp_path / "m"
    handlers.write_model_folder(target, old)
    ready_r, ready_w = os.pipe()

    def body() -> None:
        renames = [0]

        def hook(event: str, _args: object) -> None:
            if event == "os.rename":
                renames[0] += 1
                if renames[0] == 2:  # the target is renamed aside, the new one not yet in
                    os.write(ready_w, b"x")
                    time.sleep(0.3)

        sys.addaudithook(hook)
        handlers.write_model_folder(target, new)

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            handlers._exchange = lambda a, b: False
            body()
            code = 0
        finally:
            os._exit(code)
    os.read(ready_r, 1)
    assert not target.exists()
    np.testing.assert_array_equal(_predict(target), new_pred)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_forced_fallback_saves_leave_nothing(tmp_path, versions, monkeypatch):
    monkeypatch.setattr(handlers, "_exchange", lambda a, b: False)
    (old, _), (new, new_pred), _ = versions
    handlers.write_model_folder(tmp_path / "m", old)
    handlers.write_model_folder(tmp_path / "m", new)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    np.testing.assert_array_equal(_predict(tmp_path / "m"), new_pred)


def test_only_the_targets_own_leftovers_are_touched(tmp_path, versions):
    """A save deletes stale `.NAME.saving-*` / `.NAME.old-*` folders of its own target only:
    never another target's, a name off the pattern, a symlink, a folder holding a sub-folder,
    nor a file found nowhere else (that folder stays, with a warning naming it)."""
    (old, _), (new, new_pred), _ = versions
    handlers.write_model_folder(tmp_path / "m", old)
    stale = [".m.saving-abcd1234", ".m.old-zz_9xy00"]
    keep = [".other.saving-abcd1234", ".m.saving-mine", ".m.saving-abcd12345", "m.old-abcd1234"]
    for name in stale + keep:
        (tmp_path / name).mkdir()
        for f, data in old.items():
            (tmp_path / name / f).write_bytes(data)
    (tmp_path / ".m.old-nested00").mkdir()
    (tmp_path / ".m.old-nested00" / "runs").mkdir()
    (tmp_path / ".m.saving-linked00").symlink_to(tmp_path / ".m.saving-mine")
    (tmp_path / ".m.old-unique00").mkdir()
    (tmp_path / ".m.old-unique00" / "weights.bin").write_bytes(b"x")
    (tmp_path / ".m.old-unique00" / "notes.txt").write_text("only copy")
    keep += [".m.old-nested00", ".m.saving-linked00", ".m.old-unique00"]
    with pytest.warns(UserWarning, match=r"\.m\.old-unique00: an interrupted save .* notes\.txt"):
        handlers.write_model_folder(tmp_path / "m", new)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep + ["m"])
    assert sorted(p.name for p in (tmp_path / ".m.old-unique00").iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in (tmp_path / ".m.saving-mine").iterdir()) == sorted(old)
    np.testing.assert_array_equal(_predict(tmp_path / "m"), new_pred)


def test_a_missing_target_is_put_back_from_the_newest_old_folder(tmp_path, versions):
    (old, old_pred), (new, _), (last, last_pred) = versions
    for name, files in [(".m.old-aaaaaaaa", new), (".m.old-bbbbbbbb", old)]:  # b is newer
        (tmp_path / name).mkdir()
        for f, data in files.items():
            (tmp_path / name / f).write_bytes(data)
        time.sleep(0.01)
    (tmp_path / ".m.saving-cccccccc").mkdir()
    (tmp_path / ".m.saving-cccccccc" / "model.json").write_bytes(b"{half")
    np.testing.assert_array_equal(_predict(tmp_path / "m"), old_pred)
    np.testing.assert_array_equal(_predict(f"file://{tmp_path / 'm' / 'model.json'}"), old_pred)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    handlers.write_model_folder(tmp_path / "m", last)
    np.testing.assert_array_equal(_predict(tmp_path / "m"), last_pred)
    # with no leftover, a missing model stays the plain error
    with pytest.raises(ModelFormatError, match="nowhere: cannot read the model file"):
        tf.load_layers_model(tmp_path / "nowhere")


def test_leftovers_of_a_live_save_are_left_alone(tmp_path, versions):
    """While a save holds the parent's lock its folders are its own: a load that finds the
    target missing waits (here at most 50 ms), then leaves them as they are."""
    (old, _), _, _ = versions
    aside = tmp_path / ".m.old-live0000"
    aside.mkdir()
    for f, data in old.items():
        (aside / f).write_bytes(data)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a save in progress holds it
        assert handlers.recover(tmp_path / "m", wait=0.05) is False
        assert sorted(p.name for p in tmp_path.iterdir()) == [".m.old-live0000"]
    finally:
        os.close(fd)
    assert handlers.recover(tmp_path / "m", wait=0.05) is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == sorted(old)


def test_an_old_model_that_cannot_be_put_back_is_kept(tmp_path, versions, monkeypatch):
    """If the rename back fails, nothing is deleted, and the error says where the model is."""
    (old, _), _, _ = versions
    aside = tmp_path / ".m.old-keep0000"
    aside.mkdir()
    for f, data in old.items():
        (aside / f).write_bytes(data)
    (tmp_path / ".m.saving-half0000").mkdir()
    real = os.rename

    def refuse(src, dst, *args, **kwargs):
        if Path(dst) == tmp_path / "m":
            raise PermissionError(13, "Permission denied")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", refuse)
    with pytest.raises(ModelFormatError) as e:
        tf.load_layers_model(tmp_path / "m")
    assert str(e.value) == (
        f"{tmp_path / 'm'}: cannot read the model file: No such file or directory. An "
        f"interrupted save left the previous model in {aside}, which could not be put back: "
        f"rename it to {tmp_path / 'm'}."
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [".m.old-keep0000", ".m.saving-half0000"]
    assert sorted(p.name for p in aside.iterdir()) == sorted(old)
