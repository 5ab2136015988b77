"""`ModelFormatError`: what every bad, truncated or hostile model file raises."""

from __future__ import annotations

from pathlib import Path


class ModelFormatError(ValueError):
    """A model file (model.json or a weight file) cannot be read as a TF.js layers model.

    The message starts with the file's path and says what is wrong with it, so a user can tell
    a damaged download from a model lstmkit cannot build. It is a ValueError, so code that
    already catches ValueError around loading keeps working.
    """

    def __init__(self, path: str | Path | None, problem: str):
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(problem if path is None else f"{path}: {problem}")
