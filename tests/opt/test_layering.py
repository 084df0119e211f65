"""planner.opt never imports planner.sim (DESIGN §3): only a Plan crosses between them."""

from __future__ import annotations

import ast
from pathlib import Path

OPT = Path(__file__).resolve().parents[2] / "planner" / "opt"


def test_opt_does_not_import_the_simulator() -> None:
    imported: list[str] = []
    for path in sorted(OPT.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.append(node.module)
            elif isinstance(node, ast.Import):
                imported.extend(alias.name for alias in node.names)
    assert imported, "the scan found no imports at all"
    assert not [m for m in imported if m == "planner.sim" or m.startswith("planner.sim.")]
