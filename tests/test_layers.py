"""The package's folders show the pipeline, and imports only run downward through them.

A newcomer reads the tree: core (read and check a case) → site (render pages) → exports (what
trainers take away) → authoring (what helps an editor write) → generator (the MkDocs build) →
tools (benchmarks, fuzzers) → doors (command line, MkDocs plugin, preview). A module may import
from its own folder and from folders before it, never from one after it.
"""
import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "scripts" / "casebook"
LAYERS = ["core", "site", "exports", "authoring", "generator", "tools", "doors"]


def imported_folders(path: Path) -> set[str]:
    """The casebook folders a module imports from (relative imports and absolute casebook.x ones)."""
    own = path.relative_to(PACKAGE).parts[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add(own)
        elif isinstance(node, ast.ImportFrom) and node.level == 2:
            found.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("casebook."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("casebook."))
    return found


def modules():
    return [p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts]


def test_every_module_lives_in_a_folder_that_says_what_it_owns():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert loose == [], f"put these modules in one of {LAYERS}: {loose}"
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert folders == sorted(LAYERS)
    for folder in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 20, f"{folder}/__init__.py should say what the folder owns"


def test_imports_only_run_downward():
    upward = []
    for path in modules():
        own = path.relative_to(PACKAGE).parts[0]
        for folder in imported_folders(path):
            if LAYERS.index(folder) > LAYERS.index(own):
                upward.append(f"{path.relative_to(PACKAGE)} imports {folder}")
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The rule above must be able to fail: a core module importing the site is caught."""
    fake = tmp_path / "core"
    fake.mkdir()
    (fake / "x.py").write_text("from ..site import routes\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path)
    assert imported_folders(fake / "x.py") == {"site"}


def test_no_package_file_is_hidden_by_gitignore():
    """A pattern such as `site/` (meant for the build output) once hid the site package from git."""
    import subprocess
    paths = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    hidden = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT,
                            capture_output=True, text=True).stdout.split()
    assert hidden == []


# A newcomer reads a module in one sitting and a function on one screen. A module's length is its
# count of lines; a function's runs from its `def` line to its last line (decorators left out; the
# docstring, comments, blank lines and any function nested in it counted). 400 lines a module and
# 40 a function are the limits (the longest left are 38 lines: a few sequences of steps a
# reader follows top to bottom; most functions are under 20).
MODULE_LINES = 400
FUNCTION_LINES = 40


def long_modules_and_functions(package: Path) -> list[str]:
    found = []
    for path in sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts):
        name = path.relative_to(package).as_posix()
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MODULE_LINES:
            found.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno}: {node.name} has {length} lines")
    return found


def test_no_module_or_function_is_too_long_to_read():
    assert long_modules_and_functions(PACKAGE) == []


def test_the_length_check_sees_a_long_module_and_a_long_function(tmp_path):
    (tmp_path / "core").mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(FUNCTION_LINES))
    (tmp_path / "core" / "long.py").write_text("def f():\n" + body + "\n" * MODULE_LINES, encoding="utf-8")
    assert long_modules_and_functions(tmp_path) == [f"core/long.py: {FUNCTION_LINES + 1 + MODULE_LINES} lines",
                                                     f"core/long.py:1: f has {FUNCTION_LINES + 1} lines"]
