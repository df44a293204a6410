"""Shared fixtures: seed texts, a fixed-width console, small corpora built in code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
BUNDLED_SEEDS = ROOT / "benchmarks" / "data" / "seeds"


def seed_paths() -> list[Path]:
    """The five seed texts (from ../shared/seeds, or the copies bundled for benchmarks)."""
    for folder in (SEEDS_DIR, BUNDLED_SEEDS):
        paths = sorted(folder.glob("0*.txt"))
        if len(paths) == 5:
            return paths
    raise FileNotFoundError("seed texts not found in ../shared/seeds or benchmarks/data/seeds")


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """Seed texts by id (file name without .txt)."""
    return {p.stem: p.read_text(encoding="utf-8") for p in seed_paths()}


def in_ci() -> bool:
    """True on CI, where a missing outside tool must fail rather than skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(ok: bool, what: str) -> None:
    """Skip on a developer machine without ``what``; fail in CI."""
    if not ok:
        if in_ci():
            pytest.fail(f"{what} is required in CI but missing")
        pytest.skip(f"{what} not available")
