"""Build ``labelled.jsonl`` by concatenating ``parts/*.jsonl`` (sorted by name).

Every record is validated (``text`` a non-empty string, ``labels`` a list of
known labels, ``lang`` and ``source`` strings) and re-serialised with a fixed
key order, so the output is byte-for-byte reproducible. Exact duplicate texts
are kept once (the first occurrence wins; conflicting labels are an error),
and any sentence that also appears in a held-out file (``heldout.jsonl``,
``heldout_real.jsonl``, ``heldout_state.jsonl``; after whitespace and case
folding) is dropped with a warning: a held-out file must never leak into
training.

Usage::

    python corpora/framing/build_labelled.py [--check]

``--check`` verifies that ``labelled.jsonl`` is up to date without writing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the one list of labels lives in the package; this script only checks against it
sys.path.insert(0, str(HERE.parent.parent))
from detector.framing import LABELS as _LABELS  # noqa: E402

LABELS = frozenset(_LABELS)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _records(path: Path) -> list[dict]:
    out = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{where}: invalid JSON ({exc.msg})") from exc
        text = rec.get("text")
        labels = rec.get("labels")
        if not isinstance(text, str) or not text.strip():
            raise SystemExit(f"{where}: 'text' must be a non-empty string")
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise SystemExit(f"{where}: 'labels' must be a list of strings")
        unknown = sorted(set(labels) - LABELS)
        if unknown:
            raise SystemExit(f"{where}: unknown labels {unknown}")
        out.append(
            {
                "text": text,
                "labels": sorted(set(labels)),
                "lang": str(rec.get("lang") or ""),
                "source": str(rec.get("source") or ""),
                "_where": where,
            }
        )
    return out


def build(parts_dir: Path, heldout: Path | None) -> tuple[str, dict[str, int]]:
    """Return the labelled.jsonl text and per-label counts."""
    held = set()
    for path in (heldout, HERE / "heldout_real.jsonl", HERE / "heldout_state.jsonl"):
        if path is not None and path.exists():
            held |= {_key(r["text"]) for r in _records(path)}
    seen: dict[str, dict] = {}
    lines = []
    counts: dict[str, int] = {"(none)": 0}
    for part in sorted(parts_dir.glob("*.jsonl")):
        for rec in _records(part):
            key = _key(rec["text"])
            if key in held:
                print(f"{rec['_where']}: dropped, also in a held-out file", file=sys.stderr)
                continue
            if key in seen:
                if seen[key]["labels"] != rec["labels"]:
                    raise SystemExit(
                        f"{rec['_where']}: duplicate of {seen[key]['_where']} with other labels"
                    )
                continue
            seen[key] = rec
            body = {k: rec[k] for k in ("text", "labels", "lang", "source")}
            lines.append(json.dumps(body, ensure_ascii=False))
            for label in rec["labels"] or ["(none)"]:
                counts[label] = counts.get(label, 0) + 1
    return "".join(line + "\n" for line in lines), counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify labelled.jsonl")
    args = parser.parse_args(argv)
    text, counts = build(HERE / "parts", HERE / "heldout.jsonl")
    target = HERE / "labelled.jsonl"
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            print("labelled.jsonl is out of date; run build_labelled.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    total = text.count("\n")
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    print(f"wrote {target.name}: {total} sentences ({summary})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
