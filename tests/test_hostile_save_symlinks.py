"""Symlinks and swaps on load (issue 14, item 9): every file of a load is opened relative to
the model folder's descriptor with O_NOFOLLOW, links are resolved by hand inside the folder,
and what was opened is checked with fstat; a link swapped in between a check and the open
is never followed out of the folder.

The racing tests swap a link in a loop for a bounded time (a quarter of a second each) and
check that no load ever returns the outside file's bytes. The layout fuzz compares the
loader with an independent oracle, os.path.realpath: a file that resolves inside the folder
loads with its bytes, anything else is refused (150 layouts by default; more with
`LSTMKIT_FUZZ_EXAMPLES=5000 pytest tests/test_hostile_save_symlinks.py`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from guards import deadline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstmkit as tf
from lstmkit.io import ModelFormatError, handlers, safe_open
from tfjs_fixtures import FIXTURES

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX links")

RACE_SECONDS = 0.25


@pytest.fixture(params=[True, False], ids=["dir-fd", "by-path"])
def dir_fd(request, monkeypatch):
    """Both ways of opening: relative to the folder's descriptor, and the by-path fallback of
    systems without dir_fd (Windows), forced here."""
    if not request.param:
        monkeypatch.setattr(safe_open, "DIR_FD_OPENS", False)
    return request.param


@pytest.fixture
def hang_guard():
    """A generous alarm: a load that blocks (a FIFO opened for reading) fails, not hangs."""

    with deadline(30):
        yield


def _two_models(tmp_path: Path):
    """A saved model (its folder) and, outside it, the same-sized weights of another model."""
    model = tf.load_layers_model(FIXTURES / "lstm_default")
    folder = model.save(tmp_path / "m")
    other = tf.load_layers_model(FIXTURES / "lstm_default")
    other.set_weights([w.numpy() * 2 + 1 for w in other.get_weights()])
    other_folder = other.save(tmp_path / "other")
    outside = tmp_path / "outside.bin"
    shutil.copy(other_folder / "weights.bin", outside)
    assert outside.stat().st_size == (folder / "weights.bin").stat().st_size
    assert outside.read_bytes() != (folder / "weights.bin").read_bytes()
    return folder, outside


def _load_error(folder) -> str:
    with pytest.raises(ModelFormatError) as e:
        tf.load_layers_model(folder)
    return str(e.value)


# -- deterministic refusals and what stays allowed ------------------------------------------


@pytest.mark.parametrize(
    "link",
    ["{outside}", "../outside.bin", "sub/../../outside.bin", "chain1", "{tmp}/./m/../outside.bin"],
)
def test_weight_links_leaving_the_folder_are_refused(tmp_path, dir_fd, link):
    folder, outside = _two_models(tmp_path)
    (folder / "weights.bin").unlink()
    (folder / "sub").mkdir()
    (folder / "chain1").symlink_to("chain2")  # a chain of links that ends outside
    (folder / "chain2").symlink_to(outside)
    (folder / "weights.bin").symlink_to(link.format(outside=outside, tmp=tmp_path))
    message = _load_error(folder)
    assert message == (
        f"{folder / 'model.json'}: weight path 'weights.bin' leads outside the model folder."
    )


def test_a_folder_link_leaving_the_folder_is_refused(tmp_path, dir_fd):
    folder, outside = _two_models(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(outside, elsewhere / "weights.bin")
    (folder / "weights.bin").unlink()
    (folder / "sub").symlink_to(elsewhere)
    doc = json.loads((folder / "model.json").read_text())
    doc["weightsManifest"][0]["paths"] = ["sub/weights.bin"]
    (folder / "model.json").write_text(json.dumps(doc))
    assert "'sub/weights.bin' leads outside the model folder" in _load_error(folder)


@pytest.mark.parametrize(
    "layout",
    [
        {"weights.bin": "inside.bin"},
        {"weights.bin": "sub/../inside.bin"},
        {"weights.bin": "{folder}/inside.bin"},  # absolute, but inside
        {"weights.bin": "../m/inside.bin"},  # out and back in, as realpath resolves it
        {"weights.bin": "a", "a": "b", "b": "inside.bin"},
        {"weights.bin": "sub/w", "sub/w": "../inside.bin"},  # relative to the link's folder
        {"weights.bin": "dir/inside.bin", "dir": "."},
    ],
)
def test_links_that_stay_inside_load(tmp_path, dir_fd, layout):
    """TF.js's file:// loader follows links; inside the folder they still load."""
    folder, _ = _two_models(tmp_path)
    model = tf.load_layers_model(folder)
    (folder / "weights.bin").rename(folder / "inside.bin")
    (folder / "sub").mkdir()
    for name, text in layout.items():
        (folder / name).symlink_to(text.format(folder=folder))
    x = np.ones((1, 4, 2), np.float32)
    np.testing.assert_array_equal(
        tf.load_layers_model(folder).predict(x).numpy(), model.predict(x).numpy()
    )


def test_a_symlinked_model_folder_still_loads(tmp_path, dir_fd):
    """The folder itself is the user's own path: a link to it is followed."""
    folder, _ = _two_models(tmp_path)
    (tmp_path / "latest").symlink_to(folder)
    tf.load_layers_model(tmp_path / "latest")
    tf.load_layers_model(f"file://{tmp_path / 'latest' / 'model.json'}")


def test_model_json_links(tmp_path, dir_fd):
    folder, _ = _two_models(tmp_path)
    (folder / "model.json").rename(folder / "real.json")
    (folder / "model.json").symlink_to("real.json")
    tf.load_layers_model(folder)  # inside: fine
    (folder / "real.json").rename(tmp_path / "out.json")
    (folder / "model.json").unlink()
    (folder / "model.json").symlink_to(tmp_path / "out.json")
    assert _load_error(folder) == (
        f"{folder / 'model.json'}: a symlink leading outside the model folder; load the "
        "folder it points to, or copy the file in."
    )


def test_loops_fifos_and_files_in_the_way(tmp_path, dir_fd, hang_guard):
    folder, _ = _two_models(tmp_path)
    weights = folder / "weights.bin"
    weights.unlink()
    weights.symlink_to("weights.bin")
    assert "weights.bin: weight file not found" in _load_error(folder)
    weights.unlink()
    os.mkfifo(weights)  # opening a FIFO for reading would block: it must not
    assert _load_error(folder).endswith("weights.bin: weight path is not a regular file.")
    weights.unlink()
    weights.symlink_to("sub")
    (folder / "sub").mkdir()
    assert _load_error(folder).endswith("weights.bin: weight path is not a regular file.")
    weights.unlink()
    weights.write_bytes(b"\0" * 304)
    doc = json.loads((folder / "model.json").read_text())
    doc["weightsManifest"][0]["paths"] = ["weights.bin/x"]
    (folder / "model.json").write_text(json.dumps(doc))
    assert "weights.bin/x: weight file not found." in _load_error(folder)


def test_too_many_links_are_refused(tmp_path):
    folder, _ = _two_models(tmp_path)
    (folder / "weights.bin").rename(folder / "l0")
    n = safe_open.MAX_SYMLINKS + 1
    for i in range(1, n + 1):
        (folder / f"l{i}").symlink_to(f"l{i - 1}")
    (folder / "weights.bin").symlink_to(f"l{n}")
    assert "more than 40 symlinks or 256 steps on its path" in _load_error(folder)
    (folder / "weights.bin").unlink()
    (folder / "weights.bin").symlink_to(f"l{n - 2}")  # 40 links in all: still followed
    tf.load_layers_model(folder)


# -- races: a link swapped in between the check and the open --------------------------------


def _swapper(path: Path, regular: Path, target: Path, stop: threading.Event) -> threading.Thread:
    """A thread that keeps replacing `path` (atomically) by a hard link of `regular` and by a
    symlink to `target`, until `stop` is set."""

    def run() -> None:
        link, hard = path.with_name(".swap-link"), path.with_name(".swap-hard")
        while not stop.is_set():
            with contextlib.suppress(FileExistsError, FileNotFoundError):
                os.symlink(target, link)
                os.replace(link, path)
            with contextlib.suppress(FileExistsError, FileNotFoundError):
                os.link(regular, hard)
                os.replace(hard, path)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _race(folder: Path, name: str, outside: Path, attempt) -> tuple[int, int]:
    """Run `attempt()` while `name` in `folder` flips between its file and a link to
    `outside`; (loads that succeeded, loads refused)."""
    keep = folder.parent / f"keep-{name}"
    os.link(folder / name, keep)
    stop = threading.Event()
    thread = _swapper(folder / name, keep, outside, stop)
    ok = refused = 0
    deadline = time.monotonic() + RACE_SECONDS
    try:
        while time.monotonic() < deadline:
            try:
                attempt()
                ok += 1
            except ModelFormatError:
                refused += 1
    finally:
        stop.set()
        thread.join()
    return ok, refused


def test_a_weight_link_swapped_in_is_never_followed(tmp_path, dir_fd):
    folder, outside = _two_models(tmp_path)
    good = (folder / "weights.bin").read_bytes()
    bad = outside.read_bytes()
    manifest = folder / "model.json"
    ModelFolder = safe_open.ModelFolder

    def attempt() -> None:
        data, _ = handlers.read_group(ModelFolder(folder), ["weights.bin"], 304, True, manifest)
        assert data != bad, "the outside file's bytes were read"
        assert data == good

    ok, refused = _race(folder, "weights.bin", outside, attempt)
    assert ok + refused > 50  # the race ran (hundreds of reads or more)


def test_whole_loads_never_take_an_outside_file(tmp_path):
    """The same race on whole loads, on model.json and on the weights."""
    folder, outside = _two_models(tmp_path)
    x = np.ones((1, 4, 2), np.float32)
    want = tf.load_layers_model(folder).predict(x).numpy()
    doc = json.loads((folder / "model.json").read_text())
    doc["userDefinedMetadata"] = {"outside": True}
    (tmp_path / "outside.json").write_text(json.dumps(doc))

    def attempt() -> None:
        model = tf.load_layers_model(folder)
        assert getattr(model, "user_defined_metadata", None) is None, "outside model.json read"
        np.testing.assert_array_equal(model.predict(x).numpy(), want)

    _race(folder, "weights.bin", outside, attempt)
    _race(folder, "model.json", tmp_path / "outside.json", attempt)


# -- a fuzz of link layouts against realpath ------------------------------------------------

NAMES = ["a", "b", "d", "weights.bin"]
LINK_TEXTS = st.sampled_from(
    [
        "a",
        "b",
        "d",
        "d/a",
        "d/b",
        "weights.bin",
        ".",
        "..",
        "../outside.bin",
        "../m/a",
        "d/../a",
        "../../outside.bin",
        "{outside}",
        "{folder}/a",
        "{folder}/d/b",
        "{folder}",
        "/nonexistent/x",
        "",
    ]
)
ENTRY = st.one_of(st.just("file"), st.just("dir"), LINK_TEXTS.map(lambda t: ("link", t)))


def _build_layout(root: Path, layout: dict[str, object]) -> Path:
    folder = root / "m"
    folder.mkdir()
    (root / "outside.bin").write_bytes(b"OUTSIDE!")
    for where in ("", "d/"):
        for name in NAMES:
            entry = layout.get(where + name)
            path = folder / where / name
            if where and ((folder / "d").is_symlink() or not (folder / "d").is_dir()):
                continue
            if entry == "file":
                path.write_bytes(f"in:{where}{name}".encode()[:8].ljust(8, b"."))
            elif entry == "dir":
                path.mkdir()
            elif isinstance(entry, tuple) and entry[1]:
                path.symlink_to(entry[1].format(outside=root / "outside.bin", folder=folder))
    return folder


def _oracle(folder: Path, rel: str) -> bytes | None:
    """What a load may return: the bytes of the regular file `rel` resolves to, if that file
    is inside the folder; None (refused) otherwise."""
    real = os.path.realpath(folder / rel)
    root = os.path.realpath(folder)
    if os.path.commonpath([root, real]) != root:
        return None
    try:
        if not Path(real).is_file():
            return None
        return Path(real).read_bytes()
    except OSError:
        return None


@pytest.mark.fuzz
@settings(
    max_examples=int(os.environ.get("LSTMKIT_FUZZ_EXAMPLES", 150)),
    deadline=None,
    derandomize="LSTMKIT_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    layout=st.dictionaries(
        st.sampled_from(NAMES + ["d/" + n for n in NAMES]), ENTRY, max_size=8
    ).map(lambda d: {**d, "d": d.get("d", "dir")}),
    rel=st.sampled_from(["weights.bin", "a", "d/a", "d/weights.bin"]),
    by_path=st.booleans(),
)
def test_link_layouts_load_what_realpath_finds_inside(tmp_path_factory, layout, rel, by_path):
    root = tmp_path_factory.mktemp("layout")
    folder = _build_layout(root, layout)
    manifest = folder / "model.json"
    want = _oracle(folder, rel)
    old = safe_open.DIR_FD_OPENS
    safe_open.DIR_FD_OPENS = old and not by_path
    try:
        got = handlers.read_group(folder, [rel], 8, True, manifest)[0]
    except ModelFormatError:
        got = None
    finally:
        safe_open.DIR_FD_OPENS = old
    assert got != b"OUTSIDE!"
    assert got == want, (layout, rel)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
def test_a_load_holds_a_few_descriptors_whatever_the_shards(tmp_path):
    """At most the folder's descriptor, its sub-folders' on the path and one weight file are
    open at once: 304 one-byte shards load under a limit of 8 descriptors more than are open."""
    import resource

    model = tf.load_layers_model(FIXTURES / "lstm_default")
    folder = model.save(tmp_path / "m", shard_size=1)
    assert len(list(folder.glob("*.bin"))) == 304
    x = np.ones((1, 4, 2), np.float32)
    want = model.predict(x).numpy()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            highest = max(int(fd) for fd in os.listdir("/proc/self/fd"))
            resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 1 + 8, hard))
            filler = []  # fill the free numbers below the limit, then free 8 of them
            with contextlib.suppress(OSError):
                while True:
                    filler.append(os.open(os.devnull, os.O_RDONLY))
            for fd in filler[-8:]:
                os.close(fd)
            got = tf.load_layers_model(folder).predict(x).numpy()
            code = 0 if np.array_equal(got, want) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_walk_of_one_file_is_bounded(tmp_path, monkeypatch):
    """A link made to cost (a/../ 300 times) is refused after MAX_WALK_STEPS components:
    opening one file costs at most that many opens, however its links are made."""
    folder, _ = _two_models(tmp_path)
    (folder / "weights.bin").rename(folder / "inside.bin")
    (folder / "a").mkdir()
    (folder / "weights.bin").symlink_to("a/../" * 300 + "inside.bin")
    opens = []
    real_open = os.open

    def counting_open(*args, **kwargs):
        opens.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    with pytest.raises(ModelFormatError, match="more than 40 symlinks or 256 steps"):
        handlers.read_group(folder, ["weights.bin"], 304, True, folder / "model.json")
    assert len(opens) <= safe_open.MAX_WALK_STEPS + 1  # + the folder itself
    monkeypatch.undo()
    (folder / "weights.bin").unlink()
    (folder / "weights.bin").symlink_to("a/../" * 100 + "inside.bin")  # 201 steps: fine
    tf.load_layers_model(folder)
