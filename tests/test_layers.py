"""The layout's promise, checked on the source: each part imports only from itself and from the
layers below it, and no module imports itself back through others (README, "Project layout")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kiosk"

# Lowest first. A part may import from itself and from any part in a lower layer, never from its
# own layer's other parts or from above.
LAYERS: list[set[str]] = [
    {"kiosk"},  # the package itself: the version
    {"texts", "files", "exits", "progress", "processes"},
    {"journal"},  # the durable JSON-lines journal, on files' atomic write
    {"config"},
    {"camera", "hardware", "hotspot"},
    {"vision", "photos", "printing"},
    {"share"},
    {"booth"},
    {"status", "readiness"},
    {"preflight"},
    {"assembly"},  # puts the booth and the server together for the command line
    {"cli"},
    {"__main__"},
]


def module_name(path: Path) -> str:
    parts = ["kiosk", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "kiosk"


def imports_of(path: Path) -> set[str]:
    """Every kiosk module ``path`` imports, wherever in the file (lazy imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("kiosk"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kiosk"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / submodule.replace(".", "/")).with_suffix(".py")
                found.add(submodule if is_module.exists() else node.module)
    return found


def all_imports() -> dict[str, set[str]]:
    return {module_name(path): imports_of(path) for path in sorted(PACKAGE.rglob("*.py"))}


def layer(part: str) -> int:
    for index, parts in enumerate(LAYERS):
        if part in parts:
            return index
    raise AssertionError(f"kiosk.{part} is in no layer: add it to LAYERS and the README")


def test_every_part_has_a_layer() -> None:
    for module in all_imports():
        layer(part_of(module))


def test_no_part_imports_from_its_own_layer_or_above() -> None:
    wrong = []
    for module, imported in all_imports().items():
        own = part_of(module)
        for target in imported:
            other = part_of(target)
            if other != own and layer(other) >= layer(own):
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = all_imports()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in graph.get(module, ()):
            # Importing a submodule runs its package's __init__ first, but that is no edge back.
            if not module.startswith(target + "."):
                visit(target, [*path, module])
        done.add(module)

    for module in graph:
        visit(module, [])


def test_the_checker_sees_a_wrong_import(tmp_path: Path) -> None:
    source = tmp_path / "loop.py"
    source.write_text("from kiosk.booth.machine import Phase\nimport kiosk.cli\n")
    assert imports_of(source) == {"kiosk.booth.machine", "kiosk.cli"}
    assert layer(part_of("kiosk.cli")) > layer(part_of("kiosk.booth.machine"))


# --- rooms that stay small, one owner for the storage layout ------------------------------------

MAX_MODULE_LINES = 500
MAX_CLI_LINES = 400
LAYOUT_MODULE = PACKAGE / "config" / "storage.py"
# What lies directly in the storage folder (kiosk.config.storage.StorageLayout names them).
STORAGE_NAMES = {
    "photos",
    "index",
    "keys",
    "cloud",
    "voice",
    "models",
    "share-state",
    "photos-journal.jsonl",
    "visits.jsonl",
    "performance.json",
}


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these rooms: {long}"
    cli = len((PACKAGE / "cli.py").read_text(encoding="utf-8").splitlines())
    assert cli < MAX_CLI_LINES, "the command line only parses and dispatches"


def storage_joins(source: str) -> list[str]:
    """Every ``a / b`` in ``source`` that builds a path under the storage folder: a left side
    that is the storage folder, or a right side naming one of its entries."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = ast.unparse(node.left)
            right = node.right
            names_an_entry = isinstance(right, ast.Constant) and right.value in STORAGE_NAMES
            if names_an_entry or re.search(r"storage\.dir|storage_dir|\broot$", left):
                found.append(ast.unparse(node))
    return found


def test_only_the_layout_joins_paths_under_the_storage_folder() -> None:
    wrong = [
        f"{path.relative_to(PACKAGE)}: {join}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != LAYOUT_MODULE
        for join in storage_joins(path.read_text(encoding="utf-8"))
    ]
    assert not wrong, "ask StorageLayout instead:\n" + "\n".join(wrong)


def test_the_join_checker_sees_a_path_built_by_hand() -> None:
    assert storage_joins('p = config.storage.dir / "photos"\nq = storage_dir / record.file\n') == [
        "config.storage.dir / 'photos'",
        "storage_dir / record.file",
    ]
    assert storage_joins('m = models_dir / "face.tflite"\n') == []
