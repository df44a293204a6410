"""Check an ``.npz`` archive from its zip directory and ``.npy`` headers, before reading it.

``numpy.load`` of an ``.npz`` decompresses a member whole when it is
accessed, and allocates the array its header declares. A hostile model file
can therefore exhaust memory before any validation of the arrays runs: a
44 MB archive with three 3 GB members of zeros (deflate compresses them
1000:1), or a member whose header declares the shape ``(10**13,)``.
:func:`check_npz` looks only at what costs nothing to read:

* the zip central directory: member names, and each member's declared
  uncompressed size (``zipfile`` never decompresses past it, so the
  declared size bounds the memory a later read can take);
* the first bytes of each member: the ``.npy`` magic and header (dtype,
  shape, order), through a stream that decompresses only those bytes.

It refuses, with one :class:`~detector.errors.ModelError` line naming the
file: a member that is not ``NAME.npy``, a name outside the expected set,
a missing name, a declared size above ``max_member_bytes`` or a total above
``max_total_bytes``, an object (pickle) dtype or a dtype kind not allowed,
and a header whose shape and dtype do not add up to the member's declared
size (the ``(10**13,)`` case). Cost: O(members) and a few KB of
decompression, whatever the archive claims to hold.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detector.errors import ModelError

__all__ = ["MemberHeader", "check_npz"]

_HEADER_READ = 1 << 16  # bytes of a member read to parse its .npy header (v2/v3 headers may be long)


@dataclass(frozen=True)
class MemberHeader:
    """What an ``.npy`` member declares, read without loading its data.

    Attributes:
        name: member name without ``.npy``.
        dtype: numpy dtype string (e.g. ``<f4``).
        shape: array shape.
        nbytes: data bytes the shape and dtype imply.
        declared: uncompressed size the zip directory declares (header + data).
    """

    name: str
    dtype: str
    shape: tuple[int, ...]
    nbytes: int
    declared: int


def _header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> tuple[Any, tuple[int, ...], int]:
    """``(dtype, shape, header length)`` of one member, decompressing only its header."""
    import io

    import numpy as np

    name = info.filename
    try:
        with archive.open(info) as stream:
            head = stream.read(min(info.file_size, _HEADER_READ))
    except (OSError, EOFError, zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
        raise ModelError(f"{where}: model file is corrupted (member {name!r}: {exc})") from None
    buf = io.BytesIO(head)
    try:
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_1_0(buf)
        elif version in ((2, 0), (3, 0)):
            shape, _fortran, dtype = np.lib.format.read_array_header_2_0(buf)
        else:
            raise ValueError(f"npy format version {version}")
    except ValueError as exc:
        # numpy refuses an object dtype in a header only when asked to load it;
        # a malformed or truncated header lands here
        raise ModelError(f"{where}: member {name!r} has no valid .npy header ({exc})") from None
    return dtype, tuple(int(n) for n in shape), buf.tell()


def check_npz(
    path: str | Path | Any,
    *,
    members: Collection[str],
    max_member_bytes: int,
    max_total_bytes: int,
    kinds: str = "fiub",
    where: str | None = None,
    kind: str = "framing model",
) -> dict[str, MemberHeader]:
    """Validate an ``.npz`` archive's directory and headers; read no array data.

    Args:
        path: a file path or a seekable binary file object (its position is
            restored).
        members: the member names (without ``.npy``) the archive must hold,
            exactly.
        max_member_bytes: largest declared uncompressed size of one member.
        max_total_bytes: largest declared uncompressed size of all members.
        kinds: numpy dtype kinds allowed (``f`` float, ``i``/``u`` integers,
            ``b`` bool); object dtypes are never allowed.
        where: the name used in error messages (default: ``path``).
        kind: what the archive should be, as error messages name it
            ("not a framing model file", "not a stance model file").

    Returns:
        Each member's declared dtype, shape and sizes, by name.

    Raises:
        ModelError: not a zip archive, unexpected or missing members, a
            member or the total over its limit, an object or unexpected
            dtype, or a header that disagrees with the declared size.
    """
    import math

    where = where or str(path)
    pos = path.tell() if hasattr(path, "tell") else None
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ModelError(f"{where}: model file not found") from None
    except (OSError, EOFError, zipfile.BadZipFile, ValueError) as exc:
        raise ModelError(f"{where}: not a {kind} file ({type(exc).__name__})") from None
    try:
        with archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            odd = [n for n in names if not n.endswith(".npy") or "/" in n]
            if odd:
                raise ModelError(f"{where}: not a {kind} file (unexpected member {odd[0]!r})")
            found = [n[:-4] for n in names]
            if len(set(found)) != len(found):
                raise ModelError(f"{where}: not a {kind} file (a member name repeats)")
            extra, missing = sorted(set(found) - set(members)), sorted(set(members) - set(found))
            if extra:
                raise ModelError(f"{where}: not a {kind} file (unexpected members {extra})")
            if missing:
                raise ModelError(f"{where}: not a {kind} file (missing members {missing})")
            total = sum(i.file_size for i in infos)
            if total > max_total_bytes:
                raise ModelError(
                    f"{where}: model file would unpack to {total:,} bytes, over the limit of "
                    f"{max_total_bytes:,}"
                )
            out: dict[str, MemberHeader] = {}
            for info, name in zip(infos, found, strict=True):
                if info.file_size > max_member_bytes:
                    raise ModelError(
                        f"{where}: member {name!r} would unpack to {info.file_size:,} bytes, "
                        f"over the limit of {max_member_bytes:,}"
                    )
                dtype, shape, header_len = _header(archive, info, where)
                if dtype.hasobject:
                    raise ModelError(f"{where}: member {name!r} holds untrusted objects (dtype {dtype.str})")
                if dtype.kind not in kinds:
                    raise ModelError(f"{where}: member {name!r} has dtype {dtype.str}, not numbers")
                nbytes = math.prod(shape) * dtype.itemsize
                if header_len + nbytes != info.file_size:
                    raise ModelError(
                        f"{where}: member {name!r} declares shape {shape} {dtype.str} "
                        f"({nbytes:,} bytes) but holds {info.file_size - header_len:,}"
                    )
                out[name] = MemberHeader(name, dtype.str, shape, nbytes, info.file_size)
            return out
    finally:
        if pos is not None:
            path.seek(pos)
