"""Issue 13: the real state-media data and the calibration of the shipped model.

``corpora/framing/state_media.py`` (annotation format, split by story, never
sentence-level leakage) and ``train_shipped.calibrate_total`` (total flag
budget on real negatives, least confident flag first).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
FRAMING = ROOT / "corpora" / "framing"
sys.path.insert(0, str(FRAMING))

from state_media import heldout_story, parse, side  # noqa: E402
from train_shipped import calibrate_total  # noqa: E402


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_state_media_split_has_no_story_on_both_sides() -> None:
    records = parse(FRAMING / "state_media.txt")
    train = _rows(FRAMING / "parts" / "state_train.jsonl")
    held = _rows(FRAMING / "heldout_state.jsonl")
    assert len(train) + len(held) == len({" ".join(r["text"].split()).casefold() for r in records})
    story_of = {r["source"]: r["story"] for r in records}
    train_stories = {story_of[r["source"]] for r in train}
    held_stories = {story_of[r["source"]] for r in held}
    assert not train_stories & held_stories
    assert {" ".join(r["text"].split()).casefold() for r in train}.isdisjoint(
        " ".join(r["text"].split()).casefold() for r in held
    )
    # the held-out split has every label in some language, and both languages
    labels = {lb for r in held for lb in r["labels"]}
    assert len(labels) == 9 and {r["lang"] for r in held} == {"en", "ru"}
    assert len(held) >= 200


def test_state_media_sentences_carry_their_source() -> None:
    for r in _rows(FRAMING / "heldout_state.jsonl") + _rows(FRAMING / "parts" / "state_train.jsonl"):
        assert r["source"].startswith(("http://", "https://"))
        assert r["lang"] in ("en", "ru") and r["text"] == r["text"].strip()


def test_parse_reports_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "state_media.txt"
    bad.write_text("## https://x.example/a | en | -\nzz | A sentence.\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"state_media\.txt:2: unknown label code 'zz'"):
        parse(bad)
    bad.write_text("just text\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"state_media\.txt:1:"):
        parse(bad)


def test_heldout_directive_and_hash_split(tmp_path: Path) -> None:
    path = tmp_path / "state_media.txt"
    path.write_text(
        "## https://x.example/a | en | -\nmp | One.\n#! split heldout\n## https://x.example/b | ru | -\n- | Два.\n",
        encoding="utf-8",
    )
    a, b = parse(path)
    assert a["heldout"] is False and b["heldout"] is True
    assert heldout_story("https://x.example/a") == heldout_story("https://x.example/a")


def _story_on(held: bool) -> str:
    """A story key whose hash puts it on the held-out side (``held``) or not."""
    return next(f"story-{i}" for i in range(1000) if heldout_story(f"story-{i}") is held)


def test_train_directive_forces_training_and_refuses_held_out_stories(tmp_path: Path) -> None:
    held_key, train_key = _story_on(True), _story_on(False)
    path = tmp_path / "state_media.txt"
    path.write_text(
        f"## https://x.example/a | en | {train_key}\nmp | One.\n"
        f"#! split train\n## https://x.example/b | ru | -\n- | Два.\n"
        f"## https://x.example/c | en | {train_key}\nrp | Three.\n",
        encoding="utf-8",
    )
    assert [side(r) for r in parse(path)] == ["train", "train", "train"]
    # a training-only document of a story that is held out (by hash or by directive) is refused
    path.write_text(
        f"## https://x.example/a | en | {held_key}\nmp | One.\n#! split train\n"
        f"## https://x.example/b | en | {held_key}\nrp | Two.\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match=r"state_media\.txt:4: training-only document of story"):
        parse(path)
    path.write_text(
        "#! split heldout\n## https://x.example/a | en | s1\nmp | One.\n#! split train\n"
        "## https://x.example/b | en | s1\nrp | Two.\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match=r"state_media\.txt:5: training-only document"):
        parse(path)
    # the same document URL twice is refused
    path.write_text("## https://x.example/a | en | -\nmp | One.\n## https://x.example/a | en | -\n- | Two.\n",
                    encoding="utf-8")
    with pytest.raises(SystemExit, match=r"state_media\.txt:3: document https://x\.example/a already given at"):
        parse(path)


def test_every_real_state_sentence_is_on_one_side_only() -> None:
    records = parse(FRAMING / "state_media.txt")
    train_only = [r for r in records if r["train_only"]]
    assert train_only and all(side(r) == "train" for r in train_only)
    held_stories = {r["story"] for r in records if side(r) == "heldout"}
    assert not {r["story"] for r in train_only} & held_stories


def test_calibrate_total_meets_the_budget_least_confident_first() -> None:
    eligible = np.array(
        [
            [0.90, 0.00],  # strong label-0 flag
            [0.35, 0.00],  # weak label-0 flag (ratio 1.17)
            [0.00, 0.62],  # label-1 flag (ratio 1.24)
            [0.00, 0.10],  # below threshold
        ]
    )
    base = np.array([0.30, 0.50])
    t = calibrate_total(eligible, base, 2)
    flagged = (eligible >= t).any(axis=1)
    assert flagged.tolist() == [True, False, True, False]
    assert t[0] > 0.35 and t[1] == 0.50
    t0 = calibrate_total(eligible, base, 0)
    assert not (eligible >= t0).any()
    # a flag at >= 0.99 cannot be removed: the others still go
    strong = np.array([[0.995, 0.0], [0.0, 0.6]])
    t1 = calibrate_total(strong, base, 0)
    assert (strong >= t1).any(axis=1).tolist() == [True, False]
