"""The code's layering: rules imports nothing of ours, dialogs imports only rules, bot
imports both; no import cycle among our modules; every module imports on its own; no
function-local import of our modules except where a measured cost says why."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rules", "dialogs", "bot")
MAY_IMPORT = {"rules": {"rules"}, "dialogs": {"rules", "dialogs"}, "bot": set(PACKAGES)}
# Where a function-local import of our own modules is allowed, and why (a measured cost).
LOCAL_IMPORTS_ALLOWED = {
    "bot/cli.py": "each command loads only what it runs: `clearline assess` would pay for "
                  "the whole app (see the comment in bot/cli.py)",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES
            for path in sorted((ROOT / package).rglob("*.py"))}


def _target(node: ast.ImportFrom, name: str, here: str, is_package: bool) -> str:
    """The module an ``ImportFrom`` names, made absolute."""
    if node.level:
        base = here.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, *([node.module] if node.module else [])])
    return node.module or ""


def imports_of(path: Path, modules: dict[str, Path], *, top_level: bool) -> list[tuple[str, int]]:
    """Our modules ``path`` imports, with the line: at module level (``top_level``: not in
    a function; the ``if TYPE_CHECKING`` blocks are skipped too), or inside functions."""
    here = module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom) and in_function != top_level:
                names = []
                if isinstance(child, ast.Import):
                    names = [alias.name for alias in child.names]
                else:
                    base = _target(child, "", here, is_package)
                    for alias in child.names:
                        sub = f"{base}.{alias.name}"
                        names.append(sub if sub in modules else base)
                for name in names:
                    if name.split(".")[0] in PACKAGES:
                        found.append((name, child.lineno))
            visit(child, inner)

    visit(tree, False)
    return found


def graph() -> dict[str, set[str]]:
    """Module-level imports among our modules. (Python runs a package's ``__init__``
    before each of its submodules; that is not an edge here, an explicit import of the
    package is.)"""
    modules = our_modules()
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges[name] = {target for target, _ in imports_of(path, modules, top_level=True)
                       if target != name}
    return edges


def test_layering_rules_then_dialogs_then_bot():
    wrong = [f"{module} imports {target}" for module, targets in graph().items()
             for target in sorted(targets)
             if target.split(".")[0] not in MAY_IMPORT[module.split(".")[0]]]
    assert wrong == [], wrong


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle (as a path that returns to its start), or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := walk(target)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for start in sorted(edges):
        if start not in state and (cycle := walk(start)):
            return cycle
    return []


def test_no_import_cycle_among_our_modules():
    assert find_cycle(graph()) == []


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_no_function_local_imports_of_our_modules():
    modules = our_modules()
    found = [f"{path.relative_to(ROOT)}:{line} imports {target}"
             for path in modules.values()
             if str(path.relative_to(ROOT)) not in LOCAL_IMPORTS_ALLOWED
             for target, line in imports_of(path, modules, top_level=False)]
    assert found == [], found


# Imported alone: each module in a child process forked from one that has every module
# imported, after forgetting all of ours but what the module itself imports (its closure by
# the graph above, with the packages it sits in): an import that works only because another
# of our modules was loaded first fails here. Only the module's own body runs again in each
# child (a fresh interpreter for each of the ~70 modules would load dialogs again each time,
# about a second on this machine).
IMPORT_EACH = r"""
import json, os, sys
closures = json.loads(sys.stdin.read())
for name in closures:
    __import__(name)
ours = lambda m: m.split(".")[0] in ("rules", "dialogs", "bot")
failed = []
for name, keep in closures.items():
    pid = os.fork()
    if pid == 0:
        for loaded in [m for m in sys.modules if ours(m) and m not in keep]:
            del sys.modules[loaded]
            parent, _, child = loaded.rpartition(".")
            if parent in sys.modules:  # nor reachable as an attribute of its package
                vars(sys.modules[parent]).pop(child, None)
        try:
            __import__(name)
        except BaseException as exc:
            print(f"{name}: {type(exc).__name__}: {exc}", flush=True)
            os._exit(1)
        os._exit(0)
    if os.waitpid(pid, 0)[1] != 0:
        failed.append(name)
print("FAILED", *failed)
sys.exit(1 if failed else 0)
"""


def closure(name: str, edges: dict[str, set[str]]) -> set[str]:
    """What importing ``name`` loads before its own body runs: the packages it sits in and
    everything it imports, transitively (not ``name`` itself)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        parts = current.split(".")
        for target in [*(".".join(parts[:i]) for i in range(1, len(parts))),
                       *edges.get(current, ())]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen - {name}


def test_each_module_imports_alone():
    edges = graph()
    closures = {name: sorted(closure(name, edges)) for name in sorted(edges)}
    done = subprocess.run([sys.executable, "-c", IMPORT_EACH], input=json.dumps(closures),
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.strip().endswith("FAILED"), done.stdout[-3000:]


def test_tests_find_helpers_through_pytest_pythonpath_and_never_import_bench():
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and node.attr == "path" and (
                    isinstance(node.value, ast.Name) and node.value.id == "sys"):
                found.append(f"{where} edits or reads sys.path")
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{where} imports {name}" for name in names
                      if name.split(".")[0] in ("bench", "benchlib")]
    assert found == [], found


def test_every_data_file_of_our_packages_is_installed() -> None:
    """A plain `pip install .` (a deploy) ships each file the packages read: every file
    of theirs in git that is not Python matches their `package-data` in pyproject.toml."""
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]
    tracked = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    data = [path for path in tracked if not path.endswith(".py")]
    assert data, "git lists no data files"
    missing = [path for path in data
               if not any(fnmatch.fnmatch(path.split("/", 1)[1], pattern)
                          for pattern in globs.get(path.split("/", 1)[0], []))]
    assert not missing, f"not in package-data (a deploy would lack them): {missing}"
