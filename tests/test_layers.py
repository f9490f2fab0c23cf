"""The layering contracts in pyproject.toml ([tool.importlinter]) hold, so that an import reaching up a layer, or
closing a cycle, fails the suite. `lint-imports` from the repository root prints the same report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename=sys.argv[1], limit_to_contracts=tuple(sys.argv[2:]), no_cache=True, "
        "no_logo=True))")


def lint(config: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """Run import-linter on this checkout (not an installed kmsearch), in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", LINT, str(config), *contracts], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("contract", ["layers", "no-cycles", "workers"])
def test_contract_is_kept(contract: str) -> None:
    result = lint(ROOT / "pyproject.toml", contract)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_contract_fails(tmp_path: Path) -> None:
    """The check can fail: the layers upside down are broken by every import kmsearch has."""
    config = tmp_path / "upside-down.toml"
    config.write_text('[tool.importlinter]\nroot_package = "kmsearch"\n\n[[tool.importlinter.contracts]]\n'
                      'id = "upside-down"\nname = "upside down"\ntype = "layers"\n'
                      'layers = ["kmsearch.errors", "kmsearch.config", "kmsearch.cli"]\n', encoding="utf-8")
    result = lint(config, "upside-down")
    assert result.returncode == 1
    assert "kmsearch.config is not allowed to import kmsearch.errors" in result.stdout, result.stdout


# The catalogue package holds every SQL statement; its reader may grow past the others.
MAX_MODULE_LINES = {"kmsearch/index/catalog/": 450}
MODULE_LINES = 410
FUNCTION_LINES = 80


def test_modules_and_functions_stay_readable() -> None:
    """No module outside the catalogue is over ~400 lines and no function over ~80, so that a newcomer can read
    any one of them at a sitting. Split a module or a function that grows past them."""
    import ast

    too_long = []
    for path in sorted((ROOT / "kmsearch").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        source = path.read_text(encoding="utf-8")
        limit = next((n for prefix, n in MAX_MODULE_LINES.items() if name.startswith(prefix)), MODULE_LINES)
        if source.count("\n") > limit:
            too_long.append(f"{name}: {source.count(chr(10))} lines (at most {limit})")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}: {length} lines (at most {FUNCTION_LINES})")
    assert not too_long, "\n".join(too_long)
