"""The package's shape: data flows one way through the stages, and no module imports another that (directly or
through others) imports it back. Every import counts, also those inside functions and under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

import iupjong_xl

PACKAGE = Path(iupjong_xl.__file__).resolve().parent

# Lower layers never import higher ones; within a layer only the same folder imports itself.
LAYERS = {
    "errors": 0, "messages": 0, "rulebook": 1, "io": 2, "validate": 3, "consolidate": 4, "outputs": 5, "analyses": 6,
    "samples": 6, "service": 7, "excel": 8, "portal": 8, "cli": 9, "__init__": 0, "__main__": 10,
}
FRONT_ENDS = ("cli", "excel", "portal")
# What a front end may import of the package besides its own folder: the service (which re-exports the typed results
# and names a front end needs), the typed errors, the version; the command line also manages the add-in (build,
# install, doctor: the add-in's own packaging, not a stage below the service) and runs the portal's commands.
FRONT_END_MAY = {"iupjong_xl", "iupjong_xl.service", "iupjong_xl.errors", "iupjong_xl.messages"}
CLI_MAY = {"iupjong_xl.excel.build", "iupjong_xl.excel.install", "iupjong_xl.excel.doctor", "iupjong_xl.portal.commands"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = ["iupjong_xl", *rel.parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not _is_package(module):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(module: str) -> set[str]:
    """Modules of the package that `module` imports anywhere in its text."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            names = [f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name.startswith("iupjong_xl") and name != module:
                found.add(name)
    return found


def _layer(module: str) -> tuple[int, str]:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return LAYERS[top], top


def test_every_module_has_a_layer() -> None:
    assert {_layer(m)[1] for m in MODULES} <= set(LAYERS)


def test_imports_flow_one_way() -> None:
    wrong = []
    for module in MODULES:
        rank, top = _layer(module)
        for target in imports(module):
            t_rank, t_top = _layer(target)
            if module == "iupjong_xl" or target == "iupjong_xl":
                continue  # the package itself holds only the version
            if t_rank > rank or (t_rank == rank and t_top != top):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def _front_end_violations(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in graph.items():
        top = _layer(module)[1]
        if top not in FRONT_ENDS:
            continue
        allowed = FRONT_END_MAY | (CLI_MAY if top == "cli" else set())
        wrong += [f"{module} -> {t}" for t in sorted(targets) if t not in allowed and _layer(t)[1] != top]
    return wrong


def test_front_ends_call_only_the_service() -> None:
    assert _front_end_violations({m: imports(m) for m in MODULES}) == []


def test_the_front_end_check_catches_a_reach_below() -> None:
    assert _front_end_violations({
        "iupjong_xl.excel.buttons": {"iupjong_xl.io.reader", "iupjong_xl.service", "iupjong_xl.excel.live"},
        "iupjong_xl.cli.commands": {"iupjong_xl.excel.install", "iupjong_xl.analyses.directory"},
        "iupjong_xl.excel.coordinator": {"iupjong_xl.excel.install", "iupjong_xl.errors"},
        "iupjong_xl.service": {"iupjong_xl.io.reader"},
    }) == ["iupjong_xl.excel.buttons -> iupjong_xl.io.reader", "iupjong_xl.cli.commands -> iupjong_xl.analyses.directory"]


def test_no_import_cycles() -> None:
    graph = {m: imports(m) for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    assert cycles == []


def test_the_checker_sees_imports_inside_functions() -> None:
    # samples.write imports problems at the top; the CLI imports its commands' modules inside functions
    assert "iupjong_xl.samples.problems" in imports("iupjong_xl.samples.write")
    assert "iupjong_xl.service" in imports("iupjong_xl.cli.commands")


def test_only_cli_knows_click() -> None:
    users = {m for m, p in MODULES.items() if "import click" in p.read_text(encoding="utf-8")}
    assert users == {"iupjong_xl.cli.commands"}


def test_io_reads_and_outputs_write() -> None:
    """The one xlsx writer kit lives in outputs/: nothing in io/ writes workbooks."""
    writers = {m for m, p in MODULES.items() if "import xlsxwriter" in p.read_text(encoding="utf-8")}
    assert not {m for m in writers if m.startswith("iupjong_xl.io")}
    assert "iupjong_xl.outputs.xlsx" in writers


def test_no_module_reaches_into_xlsxwriter_internals() -> None:
    """The kit keeps its own record of what it wrote (outputs.xlsx.Sheet); no module reads or patches xlsxwriter's
    private state, so a new xlsxwriter release cannot silently change what the kit measures."""
    internals = ("str_table", "dim_rowmax", "dim_colmax", "col_info", "row_sizes", "fileclosed", "_prepare_formula",
                 "CellFormulaTuple", "_check_dimensions", "__dict__.update", ".table[")
    found = sorted((m, name) for m, p in MODULES.items() for name in internals
                   if name in p.read_text(encoding="utf-8") and m.startswith(("iupjong_xl.outputs", "iupjong_xl.analyses")))
    assert found == []
