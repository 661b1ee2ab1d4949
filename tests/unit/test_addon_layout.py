"""Odoo's own test runner only runs the test modules the addon's tests package imports."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2] / "amazon_connector" / "tests"


def test_every_test_module_is_imported_by_the_tests_package():
    tree = ast.parse((TESTS / "__init__.py").read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    modules = {path.stem for path in TESTS.glob("test_*.py")}
    assert modules, "the addon has Odoo tests"
    assert modules - imported == set()
