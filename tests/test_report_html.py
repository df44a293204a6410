"""The HTML report in a real browser: headless Chromium, file://, network off."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import require_tool

from detector.schema import Document

pytestmark = [pytest.mark.slow, pytest.mark.browser]

EVIL = (
    '</script><script>document.title="pwned";document.body.appendChild('
    'document.createElement("pwned"))</script>'
    '<img src=x onerror="document.title=\'pwned\'"><svg onload="document.title=\'pwned\'">'
)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(browser: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        browser, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        f"--user-data-dir={tmp / 'profile'}", "--proxy-server=127.0.0.1:9",
        "--virtual-time-budget=3000", *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def html_file(tmp_path_factory) -> Path:
    from detector.render.html import render_report_html
    from detector.report import build_report

    base = (
        "The ministers discussed the programme of coordinated actions in the field of "
        "foreign policy for the years ahead and agreed to meet again in the autumn to "
        "review progress on regional security, trade corridors and cultural exchange "
        "between the two countries, officials said after the meeting in the capital."
    )
    docs = [
        Document("orig", f"{EVIL}\n\n{base}\n\nUnrelated closing words here.", outlet="wire", date="2024-01-02"),
        Document("copy1", f"Intro text first.\n\n{base}\n\n{EVIL}", outlet="daily", date="2024-01-03"),
        Document("copy2", f"{base}\n\nAnother ending.", outlet="weekly", date="2024-01-05"),
    ]
    report = build_report(docs, framing=False, workers=1)
    assert report.clusters
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_report_html(report), encoding="utf-8")
    return path


def test_html_renders_non_blank_screenshot(html_file: Path, tmp_path: Path) -> None:
    browser = _chromium()
    require_tool(browser is not None, "headless chromium")
    shot = tmp_path / "shot.png"
    res = _run(browser, tmp_path, f"--screenshot={shot}", "--window-size=1200,900", html_file.as_uri())
    assert shot.exists(), res.stderr[-2000:]
    from PIL import Image

    img = Image.open(shot).convert("L")
    lo, hi = img.getextrema()
    assert hi - lo > 100  # text and colours, not a blank page
    assert sum(1 for n in img.histogram() if n) > 20


def test_hostile_document_executes_nothing(html_file: Path, tmp_path: Path) -> None:
    browser = _chromium()
    require_tool(browser is not None, "headless chromium")
    res = _run(browser, tmp_path, "--dump-dom", html_file.as_uri())
    dom = res.stdout
    assert "<title>detector report</title>" in dom, res.stderr[-2000:]
    assert "pwned</title>" not in dom
    assert "<pwned>" not in dom
    assert "<img" not in dom
    # the filter script ran (it fills in the count), so scripts were enabled
    assert "clusters shown" in dom
