"""The shape of the code (docs/architecture.md): imports point one way, no module takes part in
an import cycle, no file is longer than 500 lines and no function longer than 60.

Nothing here touches the database; the import graph is read from the source, not imported.
"""

import ast
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The project's packages in the order their imports point (config on top, portal at the bottom).
PACKAGES = (
    "config",
    "evaluation",
    "community",
    "certificates",
    "modules",
    "applications",
    "cohorts",
    "portal",
)
# Application code outside those packages.
SCRIPTS = ("manage.py",)

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60
# The tests are held to the file limit too, and the benchmarks (tooling people read and change
# like application code) to both limits. A test function may be longer: a journey through the
# portal reads best from its first step to its last.
TESTS = "tests"
TOOLING = ("tests/bench",)


def application_files(root: Path = ROOT, packages: Iterable[str] = PACKAGES, scripts=SCRIPTS) -> list[Path]:
    """Every .py file of application code: the packages without their migrations, and the scripts."""
    files = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                files.append(path)
    files.extend(root / script for script in scripts if (root / script).exists())
    return sorted(files)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for the packages (their migrations left out)."""
    return {module_name(path, root): path for path in application_files(root, packages, scripts=())}


class _ImportCollector(ast.NodeVisitor):
    """Every import statement of one module with its line and whether it sits in a function body."""

    def __init__(self):
        self.imports: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
        self._function_depth = 0

    def _function(self, node):
        self._function_depth += 1
        self.generic_visit(node)
        self._function_depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node):
        self.imports.append((node, self._function_depth > 0))

    visit_ImportFrom = visit_Import


def _known_prefix(name: str, modules) -> str | None:
    """The longest leading part of a dotted name that is a project module (``portal.mail.models``
    for ``import portal.mail.models``): the edge goes to the module named, not to its packages."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def import_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """Importer -> {imported project module: line of the first such import}.

    ``from package import name`` is an edge to ``package.name`` when that is a submodule, else to
    the package itself (its ``__init__``). Relative imports are resolved. An import inside a
    function body of a module named ``tasks.py`` is left out: a task may import its own service
    when it runs (the service queues the task, the task calls the service).
    """
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        collector = _ImportCollector()
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        edges: dict[str, int] = {}
        for node, in_function in collector.imports:
            if in_function and path.name == "tasks.py":
                continue
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_known_prefix(alias.name, modules) for alias in node.names]
            else:
                if node.level:
                    package = name if is_package else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{node.module}" if node.module else package
                else:
                    base = node.module or ""
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.append(submodule if submodule in modules else _known_prefix(base, modules))
            for target in targets:
                if target is not None and target != name:
                    edges.setdefault(target, node.lineno)
        graph[name] = edges
    return graph


def strongly_connected_components(graph: dict[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively; each component sorted, components in a stable order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return sorted(components)


def cycle_in(component: list[str], graph: dict[str, Iterable[str]]) -> list[str]:
    """One shortest cycle through the component's first module, as a path that ends where it starts."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(graph.get(node, ())):
                if successor not in members:
                    continue
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    return [start]


def import_cycles(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> list[str]:
    """Each import cycle, described with the file and line of every import in it."""
    modules = project_modules(root, packages)
    graph = import_graph(modules)
    reports = []
    for component in strongly_connected_components(graph):
        if len(component) < 2:
            continue
        cycle = cycle_in(component, graph)
        steps = [
            f"    {importer} -> {imported}  ({modules[importer].relative_to(root)}:{graph[importer][imported]})"
            for importer, imported in zip(cycle, cycle[1:], strict=False)
        ]
        reports.append(f"  {len(component)} modules: {', '.join(component)}\n" + "\n".join(steps))
    return reports


def suite_files(root: Path = ROOT) -> list[Path]:
    return sorted((root / TESTS).rglob("*.py"))


def tooling_files(root: Path = ROOT) -> list[Path]:
    return sorted(path for folder in TOOLING for path in (root / folder).rglob("*.py"))


def long_files(root: Path = ROOT) -> list[str]:
    offenders = []
    for path in [*application_files(root), *suite_files(root)]:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_FILE_LINES:
            offenders.append(f"  {path.relative_to(root)}:1  {lines} lines")
    return offenders


def long_functions(root: Path = ROOT) -> list[str]:
    offenders = []
    for path in [*application_files(root), *tooling_files(root)]:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    offenders.append(f"  {path.relative_to(root)}:{node.lineno}  {node.name}  {lines} lines")
    return sorted(offenders)


def test_import_contracts_hold():
    """import-linter's contracts in pyproject.toml (every import counts, also inside functions)."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    if not lint_imports.exists():
        pytest.fail(f"{lint_imports} is missing: install the dev dependencies (make setup).", pytrace=False)
    result = subprocess.run(  # noqa: S603 (a fixed executable of this virtualenv)
        [str(lint_imports), "--no-logo", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        pytest.fail(f"import contracts broken:\n{result.stdout}\n{result.stderr}", pytrace=False)


def test_no_import_cycles():
    if cycles := import_cycles():
        pytest.fail(
            "import cycles (each component must be a single module):\n" + "\n".join(cycles), pytrace=False
        )


def test_no_file_longer_than_limit():
    if offenders := long_files():
        pytest.fail(f"files over {MAX_FILE_LINES} lines:\n" + "\n".join(offenders), pytrace=False)


def test_no_function_longer_than_limit():
    """Decorators do not count: from the ``def`` line to the function's last line."""
    if offenders := long_functions():
        pytest.fail(f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(offenders), pytrace=False)


# The checks check themselves.


def test_cycle_finder_finds_a_two_module_cycle():
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert strongly_connected_components(graph) == [["a", "b"], ["c"]]
    assert cycle_in(["a", "b"], graph) == ["a", "b", "a"]


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_tasks_may_import_their_service_in_the_task_body_only(tmp_path):
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/services.py": "from app import tasks\nfrom . import jobs\n",
            "app/tasks.py": "def send():\n    from app.services import deliver\n",
            "app/jobs.py": "def send():\n    from .services import deliver\n",
        },
    )
    cycles = import_cycles(tmp_path, ["app"])
    # jobs.py is not a tasks module: its function-level import closes a cycle; tasks.py's does not.
    assert len(cycles) == 1
    assert "app.jobs, app.services" in cycles[0]
    assert "app/jobs.py:2" in cycles[0]

    (tmp_path / "app/tasks.py").write_text("from app.services import deliver\n", encoding="utf-8")
    cycles = import_cycles(tmp_path, ["app"])
    assert any("app.services, app.tasks" in cycle for cycle in cycles)


def test_a_facade_is_no_cycle_unless_its_submodule_imports_it(tmp_path):
    _write(
        tmp_path,
        {
            "lib/__init__.py": "",
            "lib/mail/__init__.py": "from lib.mail.outbox import enqueue\n",
            "lib/mail/outbox.py": "from lib.mail.models import Message\nfrom lib.mail import models\n",
            "lib/mail/models.py": "Message = object\n",
        },
    )
    assert import_cycles(tmp_path, ["lib"]) == []

    (tmp_path / "lib/mail/models.py").write_text("from lib.mail import enqueue\n", encoding="utf-8")
    cycles = import_cycles(tmp_path, ["lib"])
    assert len(cycles) == 1
    assert "lib.mail, lib.mail.models, lib.mail.outbox" in cycles[0]
