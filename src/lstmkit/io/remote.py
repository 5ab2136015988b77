"""Loading a model over http(s), as TF.js's `tf.io.http` handler (`tfjs-core/src/io/http.ts`).

`tf.load_layers_model("https://host/path/model.json")` fetches model.json, then each weight
file at `https://host/path/<manifest path><?query of model.json>` (TF.js's `parseUrl`). It is
made safe the way the folder loader is:

- only http and https, through an opener with no file://, ftp:// or data: handler;
- redirects only to the same origin (scheme, host and port); anything else is refused;
- a weight path must be a plain relative path (the folder rules: no `..`, no absolute path,
  no URL), is percent-quoted, and must stay under model.json's directory on the same origin;
- every read is bounded before it happens: model.json by `MAX_MODEL_JSON_BYTES`, each weight
  group by the bytes its validated manifest declares (a group of strings by
  `MAX_STRING_GROUP_BYTES`), a too-large Content-Length is refused before reading;
- every socket operation times out after `TIMEOUT_SECONDS`.

The bytes then go through the same strict JSON parser and weight decoder as files on disk.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from .errors import ModelFormatError
from .handlers import MAX_MODEL_JSON_BYTES, relative_parts, size_problem

TIMEOUT_SECONDS = 30.0
"""Seconds each connect or read may wait before the load fails."""

MAX_STRING_GROUP_BYTES = 256 * 2**20
"""Bytes a weight group holding strings may have (their lengths are only in the data)."""

_CHUNK = 2**20


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only when it stays on the origin of the request."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urllib.parse.urljoin(req.full_url, newurl)
        if _origin(target) != _origin(req.full_url):
            raise ModelFormatError(
                req.full_url,
                f"the server redirects (HTTP {code}) to {target}, another origin; lstmkit "
                "follows redirects only within the same scheme, host and port. Load from "
                f"{target} directly if you trust it.",
            )
        return super().redirect_request(req, fp, code, msg, headers, target)


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _SameOriginRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


class HttpSource:
    """A model.json URL and the weight files beside it on the same server."""

    def __init__(self, url: str, headers: dict[str, str] | None = None):
        if _origin(url)[0] not in ("http", "https") or not _origin(url)[1]:
            raise ValueError(f"tf.loadLayersModel: {url!r} is not an http(s) URL with a host.")
        self.location = url
        self.headers = dict(headers or {})
        cut = url.rfind("/")
        query = url.rfind("?")
        self.prefix = url[: cut + 1]
        self.suffix = url[query:] if query > cut else ""
        self._opener = _opener()

    def read_model_json(self) -> bytes:
        """model.json, at most MAX_MODEL_JSON_BYTES."""
        data, more = self._get(self.location, MAX_MODEL_JSON_BYTES, refuse_larger=True)
        if more:
            raise ModelFormatError(
                self.location,
                f"more than {MAX_MODEL_JSON_BYTES} bytes is too large for a model.json.",
            )
        return data

    def weight_url(self, rel: str) -> str:
        """The URL of a manifest path: under model.json's directory, same origin."""
        parts = relative_parts(rel, self.location)
        url = self.prefix + urllib.parse.quote("/".join(parts), safe="/") + self.suffix
        if _origin(url) != _origin(self.location) or not url.startswith(self.prefix):
            raise ModelFormatError(
                self.location, f"weight path {rel!r} leads outside the model's directory."
            )
        return url

    def read_group(
        self,
        paths: list[str],
        min_bytes: int,
        exact: bool,
        allow_extra: bool,
        progress: Callable[[], None] | None = None,
    ) -> tuple[bytes, str | None]:
        """One group's bytes, read up to what the manifest declares (see handlers.read_group);
        `progress` is called when a file's response arrives and when its bytes are read."""
        urls = [self.weight_url(p) for p in paths]
        chunks: list[bytes] = []
        sizes: list[int] = []
        want = min_bytes if exact else MAX_STRING_GROUP_BYTES
        more = False
        for url in urls:
            if want == 0 and (allow_extra or more):
                sizes.append(0)
                if progress is not None:
                    progress()
                    progress()
                continue
            data, file_more = self._get(url, want, opened=progress)
            if progress is not None:
                progress()
            chunks.append(data)
            sizes.append(len(data) + (1 if file_more else 0))
            want -= len(data)
            more = more or file_more
        got = sum(len(c) for c in chunks)
        if not exact and more:
            raise ModelFormatError(
                self.location,
                f"the weight files {paths} hold more than {MAX_STRING_GROUP_BYTES} bytes, the "
                "limit for a group of string weights.",
            )
        if got < min_bytes or (exact and more):
            problem = size_problem(paths, sizes, min_bytes)
            if got < min_bytes or not allow_extra:
                raise ModelFormatError(self.location, problem)
            return b"".join(chunks), problem
        return b"".join(chunks), None

    def _get(
        self,
        url: str,
        limit: int,
        refuse_larger: bool = False,
        opened: Callable[[], None] | None = None,
    ) -> tuple[bytes, bool]:
        """At most `limit` bytes of `url`, and whether it holds more (with `refuse_larger`,
        a Content-Length above `limit` returns at once, before any byte is read)."""
        request = urllib.request.Request(url, headers=self.headers)
        try:
            with self._opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                length = response.headers.get("Content-Length")
                declared = int(length) if length and length.isdigit() else None
                if refuse_larger and declared is not None and declared > limit:
                    return b"", True
                if opened is not None:
                    opened()
                out = bytearray()
                while len(out) < limit:
                    chunk = response.read(min(_CHUNK, limit - len(out)))
                    if not chunk:
                        break
                    out += chunk
                more = (declared is not None and declared > len(out)) or (
                    declared is None and len(out) == limit and bool(response.read(1))
                )
                return bytes(out), more
        except ModelFormatError:
            raise
        except urllib.error.HTTPError as e:
            raise ModelFormatError(url, f"HTTP {e.code} {e.reason}; is the URL right?") from None
        except TimeoutError:
            raise ModelFormatError(
                url, f"no answer within {TIMEOUT_SECONDS:g} s; try again or download the files."
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            raise ModelFormatError(url, f"cannot download: {reason}.") from None


def source(url: str, options: dict[str, Any] | None = None) -> HttpSource:
    """The HttpSource for a URL and TF.js's `requestInit` (only its `headers` are used)."""
    init = (options or {}).get("request_init") or {}
    headers = init.get("headers") if isinstance(init, dict) else None
    if headers is not None and not (
        isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())
    ):
        raise ValueError("tf.io.http: requestInit.headers must be a dict of strings.")
    return HttpSource(url, headers)
