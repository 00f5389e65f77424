"""Shared fixtures: the repository root, the CLI binary, and a runner for it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def cli_binary() -> Path:
    """The `hubplan` binary built by cargo (HUBPLAN_BIN overrides)."""
    env = os.environ.get("HUBPLAN_BIN")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("release", "debug"):
        p = target / profile / "hubplan"
        if p.exists():
            return p
    found = shutil.which("hubplan")
    if found:
        return Path(found)
    pytest.fail("the hubplan binary is not built: run `cargo build --release` first (or set HUBPLAN_BIN)")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cli():
    binary = cli_binary()

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, cwd=ROOT)
        if check and proc.returncode not in (0, 3):
            raise AssertionError(f"hubplan {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr}")
        return proc

    return run


@pytest.fixture(scope="session")
def cli_plan(cli, tmp_path_factory):
    """plan.json of `hubplan plan SCENARIO`, cached per scenario."""
    cache: dict[str, dict] = {}

    def plan(scenario: str, *extra: str) -> tuple[dict, Path]:
        key = scenario + "|" + "|".join(extra)
        out = tmp_path_factory.mktemp("cli") / "out"
        if key not in cache:
            cli("plan", scenario, "--out", out, "--quiet", *extra)
            cache[key] = (json.loads((out / "plan.json").read_text()), out)
        return cache[key]

    return plan
