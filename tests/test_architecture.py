"""The layout holds: no import cycle (function-level imports included), no streamlit in the library, readers
that depend on nothing but the model, and faces (app/, cli/) that use a package only through its __init__."""

import ast
from pathlib import Path

from tests.support import ROOT

# outreach.bounds: the size, depth and count limits every reader checks (a leaf: it imports only errors)
SOURCES_MAY_IMPORT = {"outreach.model", "outreach.errors", "outreach.text", "outreach.paths", "outreach.bounds"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {module_name(p): p for d in ("outreach", "app") for p in (ROOT / d).rglob("*.py")}
# compiled modules (Cython sources): `from outreach.sources import _marc_walk` imports that module, not its package
COMPILED = {module_name(p) for p in (ROOT / "outreach").rglob("*.pyx")}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in FILES.items()}
PACKAGES = {name for name, p in FILES.items() if p.name == "__init__.py"}
# names an __init__ binds to something else than its submodule (`from outreach.channels import compose` is the
# function); and its public surface, `__all__`
BOUND = {name: {a.asname or a.name for n in ast.walk(TREES[name]) if isinstance(n, ast.ImportFrom)
                and n.module != name for a in n.names} for name in PACKAGES}
PUBLIC = {name: {e.value for n in TREES[name].body if isinstance(n, ast.Assign) and n.targets[0].id == "__all__"
                 for e in n.value.elts} for name in PACKAGES}


def imports(name: str) -> set[str]:
    """Every module `name` imports, wherever the import statement is (`from x import y` counts as x.y when y is
    a submodule that x does not bind itself)."""
    found = set()
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {node.module if a.name in BOUND.get(node.module, ()) or f"{node.module}.{a.name}" not in FILES.keys() | COMPILED
                      else f"{node.module}.{a.name}" for a in node.names}
    return found


GRAPH = {name: {m for m in imports(name) if m in FILES and m != name} for name in FILES}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(name):
        state[name] = "open"
        path.append(name)
        for dep in sorted(graph.get(name, ())):
            if state.get(dep) == "open":
                return path[path.index(dep):] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        state[name] = "done"
        path.pop()
        return []

    return next((found for name in sorted(graph) if name not in state and (found := visit(name))), [])


def package(name: str) -> str:
    return ".".join(name.split(".")[:2])


def test_no_import_cycle_between_modules_nor_between_packages():
    assert find_cycle(GRAPH) == []
    packages = {}
    for name, deps in GRAPH.items():
        packages.setdefault(package(name), set()).update(package(d) for d in deps if package(d) != package(name))
    assert find_cycle(packages) == []


def test_library_never_imports_streamlit():
    assert [n for n in FILES if n.startswith("outreach") and any(m.split(".")[0] == "streamlit"
                                                                for m in imports(n))] == []


def test_readers_depend_only_on_model_errors_text_paths():
    bad = {n: sorted(m for m in GRAPH[n] if not m.startswith("outreach.sources") and m not in SOURCES_MAY_IMPORT)
           for n in FILES if n.startswith("outreach.sources")}
    assert {n: m for n, m in bad.items() if m} == {}


def test_faces_use_packages_through_their_init():
    faces = [n for n in FILES if n.startswith(("app", "outreach.cli"))]
    around = {n: sorted(m for m in GRAPH[n] if m.rpartition(".")[0] in PACKAGES - {"app", "app.pages", "outreach",
                                                                                   "outreach.cli"}
                        and m.rpartition(".")[2] not in PUBLIC[m.rpartition(".")[0]]
                        and m not in PACKAGES)  # a sub-package is used through its own __init__
              for n in faces}
    assert {n: m for n, m in around.items() if m} == {}
