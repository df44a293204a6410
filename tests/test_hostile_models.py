"""Issue 15 item 12: model files are checked from their zip directory and headers before any array is read."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from detector.errors import ModelError
from detector.npzcheck import check_npz
from detector.persist import _MEMBERS

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "detector" / "models" / "framing-v1.npz"
LIMIT = 256 << 20


def _header(shape: tuple[int, ...], descr: str = "<f4") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _model_with(path: Path, replace: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> Path:
    """The shipped model's members, some replaced (None: dropped), some added."""
    with zipfile.ZipFile(SHIPPED) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            name = info.filename[:-4]
            data = replace.get(name, src.read(info)) if name in replace else src.read(info)
            if data is not None:
                out.writestr(info.filename, data)
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return path


def _check(path: Path | object) -> dict:
    return check_npz(path, members=_MEMBERS, max_member_bytes=LIMIT, max_total_bytes=LIMIT)


def test_shipped_model_headers_match_its_arrays() -> None:
    headers = _check(SHIPPED)
    with np.load(SHIPPED, allow_pickle=False) as npz:
        for name, h in headers.items():
            arr = npz[name]
            assert (h.dtype, h.shape, h.nbytes) == (arr.dtype.str, arr.shape, arr.nbytes)
    with open(SHIPPED, "rb") as handle:  # a file object works too, and keeps its position
        handle.seek(3)
        assert _check(handle).keys() == headers.keys() and handle.tell() == 3


def test_header_declaring_a_huge_shape_is_refused_unread(tmp_path: Path) -> None:
    path = _model_with(tmp_path / "m.npz", {"coef": _header((10**13,)) + b"\0" * 16})
    with pytest.raises(ModelError, match=r"'coef' declares shape \(10000000000000,\)"):
        _check(path)


@pytest.mark.parametrize(
    ("replace", "add", "message"),
    [
        ({"gate": _header((4,), "|O") + b"\0" * 32}, None, r"untrusted objects \(dtype \|O\)"),
        ({"gate": _header((4,), "<U3") + b"\0" * 48}, None, "dtype <U3, not numbers"),
        ({"gate": b"not an npy file at all"}, None, "no valid .npy header"),
        ({"gate": None}, None, r"missing members \['gate'\]"),
        ({}, {"evil.npy": _header((1,)) + b"\0" * 4}, r"unexpected members \['evil'\]"),
        ({}, {"README.txt": b"hi"}, "unexpected member 'README.txt'"),
    ],
)
def test_unexpected_members_and_dtypes_are_refused(
    tmp_path: Path, replace: dict, add: dict | None, message: str
) -> None:
    path = _model_with(tmp_path / "m.npz", replace, add)
    with pytest.raises(ModelError, match=message):
        _check(path)


def test_decompression_bomb_is_refused_from_the_directory(tmp_path: Path) -> None:
    """300 MB of zeros deflate to 0.3 MB: refused by declared size, nothing decompressed."""
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(SHIPPED) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "coef.npy":
                out.writestr(info.filename, src.read(info))
        n = 300 << 20
        with out.open("coef.npy", "w", force_zip64=True) as member:
            member.write(_header((n // 4,)))
            zeros = bytes(1 << 20)
            for _ in range(n >> 20):
                member.write(zeros)
    assert path.stat().st_size < 2 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(ModelError, match=r"would unpack to 31\d,\d{3},\d{3} bytes, over the limit"):
        _check(path)
    assert time.perf_counter() - start < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB: nothing unpacked


def test_not_a_zip_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"\x80\x04not a zip")
    with pytest.raises(ModelError, match="not a framing model file"):
        _check(bad)
    with pytest.raises(ModelError, match="not found"):
        _check(tmp_path / "missing.npz")


def test_flag_with_a_huge_shape_model_is_one_line(tmp_path: Path) -> None:
    model = _model_with(tmp_path / "m.npz", {"coef": _header((10**13,)) + b"\0" * 16})
    doc = tmp_path / "a.txt"
    doc.write_text("The West applies double standards.", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "detector", "flag", str(doc), "--model", str(model)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "declares shape" in lines[0] and str(model) in lines[0], done.stderr
