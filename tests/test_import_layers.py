"""The import-layer contract of src/lstmkit: imports run one way, and no module imports itself back.

Read from the source with `ast` (nothing is imported), counting every import, at module level or
inside a function, except under `if TYPE_CHECKING:`. Two rules (ARCHITECTURE.md explains them):

1. Layers. Every top-level unit of the package (a module such as `lstmkit.losses` or a package
   such as `lstmkit.layers`) has a rank in `RANKS`; a unit may import units of a lower rank and
   itself, never one of the same or a higher rank. So a cycle between two units cannot exist,
   even through an import inside a function. The few exceptions are listed in `ALLOWED`, each
   with its reason, and one that is no longer needed fails the test (it must be removed).
2. No cycle at import time: among the imports run when a module is imported (those at module
   level), no module reaches itself again, inside a unit too.

A new top-level unit must be given a rank here (the test fails until it is).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "lstmkit"

# Bottom to top. Units of the same rank do not import each other.
RANKS: dict[str, int] = {
    # the array and its helpers
    "_format": 0,
    "_precision": 0,
    "_random": 0,
    "_names": 0,
    "_async": 0,  # running TF.js's awaitables (callbacks, mapAsync) from synchronous loops
    "tensor_buffer": 0,  # TensorBuffer and the awaitable read values: NumPy only
    "unavailable": 0,  # the TF.js APIs lstmkit lacks, each with what to use instead
    "_options": 1,  # uses _names
    "tensor": 1,
    "util": 1,  # tf.util: uses _random, _names and tensor_buffer
    # the engine (tape, ops, fused recurrent kernels) and the file format (knows files, no models)
    "engine": 2,
    "io": 2,
    "data": 2,  # tf.data: Dataset and its readers (tensor, _random, _async); the CO2 series
    # the objects layers and training are configured with
    "activations": 3,
    "config_objects": 3,  # Serializable: the base of initializers, regularizers, constraints
    "initializers": 4,
    "regularizers": 5,
    "constraints": 5,
    "preprocessing": 3,  # Keras's pad_sequences, timeseries_dataset_from_array (uses data)
    "utils": 4,  # tf.utils: Keras's utils names (re-exports preprocessing)
    "core_losses": 4,  # tf.losses' core functions (tfjs-core ops/losses) on engine ops
    "losses": 5,
    "optimizers": 5,
    "metrics": 6,
    "callbacks": 6,
    "train": 6,
    # layers, then models (graph, training, saving and loading)
    "layers": 7,
    "models": 8,
    "serialization": 8,  # tf.serialization: registerClass on the layer and optimizer registries
    # applications
    "timeseries": 9,
    "cli": 10,
    # the facade `import lstmkit as tf` and the old `lstmkit.autograd` name
    "": 11,
    "autograd": 11,
}

# (importing module, imported unit): why it may reach up. Imports inside a function only.
ALLOWED: dict[tuple[str, str], str] = {
    ("lstmkit.io", "models"): "PEP 562 compatibility names (lstmkit.io.save_model, ...), looked "
    "up in lstmkit.models.saving on first use",
}

# Known violations being removed (issue 12): allowed inside functions for now, and not required
# to exist (the work that removes them may land in any order). Do not add to this list.
PENDING: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in (SRC / PACKAGE).rglob("*.py")}


def _resolve(name: str) -> str:
    """The module an imported name lives in (`lstmkit.layers.lstm` -> `lstmkit.layers`)."""
    while name not in MODULES and "." in name:
        name = name.rpartition(".")[0]
    return name


def _imports(module: str) -> list[tuple[str, bool, int]]:
    """(imported module, inside a function, line) for each lstmkit import of `module`."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other, in_function)
                continue
            inner = in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            )
            if isinstance(child, ast.Import):
                found.extend((a.name, inner, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                for alias in child.names:
                    full = f"{source}.{alias.name}"
                    found.append((full if full in MODULES else source, inner, child.lineno))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return [
        (_resolve(name), inner, line)
        for name, inner, line in found
        if name == PACKAGE or name.startswith(PACKAGE + ".")
    ]


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


GRAPH = {m: _imports(m) for m in MODULES}


def test_every_unit_has_a_rank():
    missing = sorted({_unit(m) for m in MODULES} - set(RANKS))
    assert not missing, f"give these units a rank in RANKS (tests/test_import_layers.py): {missing}"


def test_imports_run_down_the_layers():
    wrong, used = [], set()
    for module, imports in GRAPH.items():
        for target, inner, line in imports:
            src, dst = _unit(module), _unit(target)
            if src == dst or RANKS[dst] < RANKS[src]:
                continue
            key = (module, dst)
            if key in ALLOWED and inner:
                used.add(key)
                continue
            if inner and any(module.startswith(m) and dst == d for m, d in PENDING):
                continue
            where = "inside a function" if inner else "at module level"
            wrong.append(
                f"{MODULES[module].relative_to(SRC)}:{line} imports {target} {where}: "
                f"{src or 'lstmkit'} (rank {RANKS[src]}) may not depend on "
                f"{dst or 'lstmkit'} (rank {RANKS[dst]})"
            )
    assert not wrong, "imports against the layers (see ARCHITECTURE.md):\n" + "\n".join(wrong)
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"exceptions no longer needed, remove them from ALLOWED: {stale}"


def test_no_import_cycle_at_import_time():
    graph = defaultdict(set)
    for module, imports in GRAPH.items():
        for target, inner, _ in imports:
            if not inner and target != module:
                graph[module].add(target)
                # importing a.b.c runs a and a.b first
                parent = target.rpartition(".")[0]
                while parent.startswith(PACKAGE) and parent != module:
                    if not module.startswith(parent + "."):
                        graph[module].add(parent)
                    parent = parent.rpartition(".")[0]
    cycles = _cycles(graph)
    assert not cycles, "import cycles at module level:\n" + "\n".join(
        " -> ".join(c) for c in cycles
    )


def test_no_import_cycle_even_inside_functions():
    """No module reaches back to one that imports it, not even by an import inside a function
    (a class that needs what builds on it is handed it, e.g. LayersModel's persistence table
    filled by models.saving); the ALLOWED exceptions aside."""
    graph = defaultdict(set)
    for module, imports in GRAPH.items():
        for target, inner, _ in imports:
            if target == module or module.startswith(target + "."):
                continue
            if inner and (module, _unit(target)) in ALLOWED:
                continue
            graph[module].add(target)
    cycles = _cycles(graph)
    assert not cycles, "import cycles (imports inside functions counted):\n" + "\n".join(
        " -> ".join(c) for c in cycles
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return out


def test_the_checker_sees_a_cycle_and_an_upward_import():
    """The rules can fail: a made-up graph with a cycle, and a rank check on a made-up import."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    assert RANKS[_unit("lstmkit.models.saving")] > RANKS[_unit("lstmkit.io.weights")]
    assert _resolve("lstmkit.layers.lstm") == "lstmkit.layers"
