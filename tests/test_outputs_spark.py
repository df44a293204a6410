"""Issue 15 item 16: `--engine spark` JSON is byte-identical to the local engine's."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool

pytestmark = [pytest.mark.slow, pytest.mark.spark]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample" / "sample.jsonl"


def test_spark_report_json_bytes_equal_local(tmp_path: Path) -> None:
    require_tool(importlib.util.find_spec("pyspark") is not None, "pyspark")
    require_tool(shutil.which("java") is not None, "Java (17) for Spark")

    def run(*extra: str) -> bytes:
        out = tmp_path / f"{extra[1]}.json"
        proc = subprocess.run(
            [sys.executable, "-m", "detector", "report", str(SAMPLE), "--no-framing",
             "--format", "json", "-o", str(out), *extra],
            capture_output=True, text=True, cwd=ROOT, timeout=900, check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return out.read_bytes()

    local = run("--engine", "local")
    spark = run("--engine", "spark", "--master", "local[2]")
    assert b'"passage_kinds"' in local
    assert spark == local
