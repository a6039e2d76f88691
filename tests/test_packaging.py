"""The installed tool carries its own schemas, grammar and profiles (never the repo's)."""
from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_every_engine_package_is_listed_in_pyproject():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts)
             for p in (REPO / "engine").rglob("__init__.py")
             if "__pycache__" not in p.parts}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert "engine.schemas" in listed


def test_wheel_contains_schemas_grammar_and_cli(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "-q", "-w", str(tmp_path), str(REPO)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("tenor-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("cli.py", "engine/schemas/contract.schema.json",
                     "engine/schemas/preview.schema.json", "engine/rules/grammar.lark",
                     "engine/billing/engine.py"):
        assert required in names, required
