"""The Tensor methods `engine.ops` binds at import and the ones tensor/core.py declares for type
checkers (its `if TYPE_CHECKING:` block) are the same names: a bound method nobody declared
is invisible to mypy and editors, a declared one nobody binds is a lie."""

from __future__ import annotations

import ast
from pathlib import Path

import lstmkit  # noqa: F401  (binds the methods)
from lstmkit.tensor import Tensor

TENSOR_PY = Path(__file__).resolve().parents[1] / "src" / "lstmkit" / "tensor" / "core.py"


def _declared() -> set[str]:
    tree = ast.parse(TENSOR_PY.read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    block = next(
        n
        for n in cls.body
        if isinstance(n, ast.If) and isinstance(n.test, ast.Name) and n.test.id == "TYPE_CHECKING"
    )
    names = {n.name for n in block.body if isinstance(n, ast.FunctionDef)}
    # TF.js's camelCase spellings, declared as aliases of the snake_case ones (`argMax = arg_max`)
    for n in block.body:
        if isinstance(n, ast.Assign):
            names |= {t.id for t in n.targets if isinstance(t, ast.Name)}
    return names


def _defined_in_class_body() -> set[str]:
    tree = ast.parse(TENSOR_PY.read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    names = set()
    for n in cls.body:
        if isinstance(n, ast.FunctionDef):
            names.add(n.name)
        elif isinstance(n, ast.Assign):
            names |= {t.id for t in n.targets if isinstance(t, ast.Name)}
    return names


def test_bound_methods_are_declared_for_type_checkers():
    runtime = {n for n in vars(Tensor) if not n.startswith("_") or n.startswith("__")}
    bound = (
        runtime - _defined_in_class_body() - {"__doc__", "__module__", "__hash__", "__weakref__"}
    )
    declared = _declared()
    assert bound - declared == set(), "bound by engine.ops but not declared in tensor/core.py"
    assert declared - set(vars(Tensor)) == set(), "declared in tensor/core.py but never bound"
