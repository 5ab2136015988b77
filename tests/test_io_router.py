"""TF.js's URL schemes on save and load (io.router), loading over http (io.remote), and
TF.js's non-strict load.

The http tests serve a saved model folder from a real local HTTP server (the standard
library's, on 127.0.0.1 in a thread), so requests, redirects and sizes go over a socket.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.io import ModelFormatError, remote

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tfjs"


def _model():
    model = tf.sequential()
    model.add(tf.layers.lstm({"units": 3, "inputShape": [4, 2]}))
    model.add(tf.layers.dense({"units": 1}))
    x = np.cos(0.3 * np.arange(2 * 4 * 2)).reshape(2, 4, 2).astype(np.float32)
    return model, x


# -- file:// and the handler objects -----------------------------------------------------------


@pytest.mark.parametrize("form", ["relative", "dot", "absolute", "handler"])
def test_file_urls_save_and_load_the_folder_they_name(tmp_path, monkeypatch, form):
    monkeypatch.chdir(tmp_path)
    model, x = _model()
    url = {
        "relative": "file://m",
        "dot": "file://./m",
        "absolute": f"file://{tmp_path}/m",
        "handler": tf.io.fileSystem("file://m"),
    }[form]
    saved = model.save(url)
    assert Path(saved) == tmp_path / "m"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no ./file:/... folder
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.json", "weights.bin"]
    for load_url in (url, "file://m/model.json", tmp_path / "m"):
        again = tf.loadLayersModel(load_url)
        np.testing.assert_array_equal(again.predict(x).numpy(), model.predict(x).numpy())


def test_save_returns_an_awaitable_path_with_tfjs_artifacts_info(tmp_path):
    model, _ = _model()

    async def main():
        return await model.save(f"file://{tmp_path}/m")

    result = asyncio.run(main())
    assert isinstance(result, Path) and result == tmp_path / "m"
    info = result.modelArtifactsInfo
    assert info == result.model_artifacts_info
    assert info["modelTopologyType"] == "JSON"
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    assert info["weightDataBytes"] == (tmp_path / "m" / "weights.bin").stat().st_size
    topology = json.dumps(doc["modelTopology"], separators=(",", ":"))
    assert info["modelTopologyBytes"] == len(topology)


def test_a_colon_in_a_plain_path_is_not_a_scheme(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model, x = _model()
    model.save("run:3/m")
    assert (tmp_path / "run:3" / "m" / "model.json").is_file()
    tf.load_layers_model("run:3/m")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("localstorage://my-model", ["localStorage", "web browser", "file://my-model"]),
        ("indexeddb://my-model", ["IndexedDB", "file://my-model"]),
        ("downloads://my-model", ["browser download", "file://my-model"]),
        ("gs://bucket/m", ["unknown URL scheme gs://", "local folder"]),
    ],
)
def test_browser_and_unknown_schemes_are_refused_with_what_to_use(
    tmp_path, monkeypatch, url, words
):
    monkeypatch.chdir(tmp_path)
    model, _ = _model()
    for call in (lambda: model.save(url), lambda: tf.loadLayersModel(url)):
        with pytest.raises(ValueError) as e:
            call()
        for word in words:
            assert word in str(e.value)
        assert url in str(e.value)
    assert list(tmp_path.iterdir()) == []


def test_saving_over_http_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model, _ = _model()
    with pytest.raises(ValueError, match="saving over http"):
        model.save("https://example.com/upload")
    with pytest.raises(ValueError, match="http:// or https://"):
        tf.io.http("file://m")
    assert list(tmp_path.iterdir()) == []


def test_browser_only_handlers_say_what_to_do():
    with pytest.raises(ValueError, match="file://my-model"):
        tf.io.browserDownloads("my-model")
    with pytest.raises(ValueError, match="loadLayersModel"):
        tf.io.browserFiles([])


# -- http(s) -----------------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    redirects: dict[str, str] = {}
    seen: list[str] = []

    def do_GET(self):
        self.seen.append(self.path)
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def served(tmp_path):
    """(base URL, folder served, handler class) of a local HTTP server on tmp_path/www."""
    root = tmp_path / "www"
    root.mkdir()

    class Handler(_Handler):
        redirects: dict[str, str] = {}
        seen: list[str] = []

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root, Handler
    finally:
        server.shutdown()
        server.server_close()


def test_http_load_gives_the_same_model(served):
    base, root, handler = served
    model, x = _model()
    model.save(root / "m", shard_size=64)
    url = f"{base}/m/model.json?v=2"
    loaded = tf.loadLayersModel(url)
    np.testing.assert_array_equal(loaded.predict(x).numpy(), model.predict(x).numpy())
    # the weight files are fetched beside model.json, with its query (TF.js's parseUrl)
    assert any(p.startswith("/m/group1-shard1of") and p.endswith("?v=2") for p in handler.seen)
    handled = tf.loadLayersModel(tf.io.http(f"{base}/m/model.json"))
    np.testing.assert_array_equal(handled.predict(x).numpy(), model.predict(x).numpy())


def test_http_errors_are_model_format_errors_naming_the_url(served):
    base, root, handler = served
    with pytest.raises(ModelFormatError, match="HTTP 404") as e:
        tf.loadLayersModel(f"{base}/nothing/model.json")
    assert f"{base}/nothing/model.json" in str(e.value)


def test_http_redirect_to_another_origin_is_refused(served):
    base, root, handler = served
    model, _ = _model()
    model.save(root / "m")
    handler.redirects["/m/weights.bin"] = "http://localhost:1/evil.bin"
    with pytest.raises(ModelFormatError, match="another origin"):
        tf.loadLayersModel(f"{base}/m/model.json")
    handler.redirects.clear()
    # same origin: followed; weights are fetched beside the URL given, as TF.js does
    handler.redirects["/moved/model.json"] = "/m/model.json"
    handler.redirects["/moved/weights.bin"] = "/m/weights.bin"
    tf.loadLayersModel(f"{base}/moved/model.json")


def test_http_weight_paths_cannot_leave_the_model_directory(served):
    base, root, handler = served
    model, _ = _model()
    model.save(root / "m")
    doc = json.loads((root / "m" / "model.json").read_text())
    for bad in ("../secret.bin", "/etc/passwd", "http://other/w.bin", "a\\..\\b.bin"):
        doc["weightsManifest"][0]["paths"] = [bad]
        (root / "m" / "model.json").write_text(json.dumps(doc))
        with pytest.raises(ModelFormatError):
            tf.loadLayersModel(f"{base}/m/model.json")
    assert not any("secret" in p or "passwd" in p for p in handler.seen)


def test_http_reads_are_bounded_by_the_manifest(served, monkeypatch):
    base, root, handler = served
    model, _ = _model()
    model.save(root / "m")
    declared = (root / "m" / "weights.bin").stat().st_size
    with open(root / "m" / "weights.bin", "ab") as f:
        f.write(b"\0" * (4 * 2**20))
    with pytest.raises(ModelFormatError, match="extra bytes"):
        tf.loadLayersModel(f"{base}/m/model.json")
    # non-strict: the listed bytes are read, the rest left unread (TF.js's decodeWeights)
    tf.loadLayersModel(f"{base}/m/model.json", {"strict": False})
    monkeypatch.setattr(remote, "MAX_MODEL_JSON_BYTES", 100)
    with pytest.raises(ModelFormatError, match="too large"):
        tf.loadLayersModel(f"{base}/m/model.json")
    assert declared > 0


def test_http_timeout_is_a_model_format_error(monkeypatch):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    monkeypatch.setattr(remote, "TIMEOUT_SECONDS", 0.3)
    try:
        with pytest.raises(ModelFormatError, match="no answer"):
            tf.loadLayersModel(f"http://127.0.0.1:{listener.getsockname()[1]}/m/model.json")
    finally:
        listener.close()


# -- strict and non-strict loads ---------------------------------------------------------------


def test_non_strict_load_takes_what_matches_like_tfjs(tmp_path):
    model, x = _model()
    folder = model.save(tmp_path / "m")
    doc = json.loads((folder / "model.json").read_text())
    specs = doc["weightsManifest"][0]["weights"]
    assert [s["name"] for s in specs][-1].endswith("bias")
    dropped = specs.pop()  # the manifest lists fewer weights than the file holds
    (folder / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ModelFormatError):
        tf.loadLayersModel(folder)
    for options in ({"strict": False}, {}):
        kwargs = {} if options else {"strict": False}
        loaded = tf.loadLayersModel(folder, options or None, **kwargs)
        by_name = {w.original_name: w.numpy() for w in loaded.weights}
        for w in model.weights:
            if w.original_name != dropped["name"]:
                np.testing.assert_array_equal(by_name[w.original_name], w.numpy())
        # the dense bias keeps its initial value (zeros), as TF.js leaves an unmatched variable
        np.testing.assert_array_equal(by_name[dropped["name"]], np.zeros(dropped["shape"]))
    assert tf.load_layers_model(folder, False).predict(x).shape == (2, 1)


def test_unknown_load_options_are_refused():
    with pytest.raises(ValueError, match="did you mean strict"):
        tf.loadLayersModel(FIXTURES / "lstm_default", {"stric": False})


def test_on_progress_is_called_when_done(tmp_path):
    calls = []
    tf.loadLayersModel(FIXTURES / "lstm_default", {"onProgress": calls.append})
    assert calls == [0.5, 1.0]  # TF.js's fractions: one weight file, found then read
    assert os.path.isdir(FIXTURES / "lstm_default")


def test_save_takes_tfjs_save_config(tmp_path):
    model, x = _model()
    model.compile({"optimizer": "adam", "loss": "meanSquaredError"})
    model.fit(x, np.ones((2, 1), np.float32), {"epochs": 1, "verbose": 0})
    model.layers[1].trainable = False
    model.save(tmp_path / "m", {"includeOptimizer": True, "trainableOnly": True})
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    assert "trainingConfig" in doc
    specs = [w for g in doc["weightsManifest"] for w in g["weights"]]
    names = [w["name"] for w in specs if w.get("group") != "optimizer"]
    assert not any(n.startswith(model.layers[1].name + "/") for n in names)
    assert any(n.startswith(model.layers[0].name + "/") for n in names)
    with pytest.raises(ValueError, match="did you mean includeOptimizer"):
        model.save(tmp_path / "m2", {"includeOptimiser": True})
