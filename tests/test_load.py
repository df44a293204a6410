"""Tests of the load stage: every input format, every input error, skip_bad."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from detector.errors import InputError
from detector.load import LoadStats, iter_documents, load_document
from detector.schema import Document

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "benchmarks" / "data" / "seeds"

RUSSIAN = "Заметили ошибку? Выделите её и нажмите Ctrl+Enter. 🇧🇾🤝🇷🇺 #МИД"


def write_bytes(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def write_jsonl(path: Path, records: list[object], *, gz: bool = False) -> str:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    return write_bytes(path, gzip.compress(data) if gz else data)


def write_csv(path: Path, rows: list[list[str]], *, gz: bool = False) -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    data = buf.getvalue().encode("utf-8")
    return write_bytes(path, gzip.compress(data) if gz else data)


def load_all(*sources: str, **kwargs: object) -> list[Document]:
    return list(iter_documents(list(sources), **kwargs))  # type: ignore[arg-type]


def is_unicode(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def error_of(fn: object, *args: object, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as info:
        result = fn(*args, **kwargs)  # type: ignore[operator]
        if not isinstance(result, Document):
            list(result)
    return info.value


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch):
    """Replace sys.stdin by a text wrapper over the given bytes."""

    def feed(data: bytes) -> io.BytesIO:
        raw = io.BytesIO(data)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(raw, encoding="utf-8"))
        return raw

    return feed


# --------------------------------------------------------------------------- .txt


def test_txt_id_text_and_source(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "article-1.txt", RUSSIAN.encode())
    doc = load_document(path)
    assert doc == Document(id="article-1", text=RUSSIAN, source=path)
    assert doc.line is None and doc.extra == {}


def test_txt_keeps_crlf_blanks_and_controls(tmp_path: Path) -> None:
    text = "  Title\r\n\r\nBody\twith \x1b[31mANSI\x1b[0m and \u202eRLO.\r\n\n  "
    doc = load_document(write_bytes(tmp_path / "a.txt", text.encode()))
    assert doc.text == text


def test_txt_bom_dropped_once(tmp_path: Path) -> None:
    doc = load_document(write_bytes(tmp_path / "a.txt", b"\xef\xbb\xbf\xef\xbb\xbfHi\r\n"))
    assert doc.text == "\ufeffHi\r\n"  # only the leading byte-order mark is not text


def test_txt_empty_and_bom_only(tmp_path: Path) -> None:
    assert load_document(write_bytes(tmp_path / "e.txt", b"")).text == ""
    assert load_document(write_bytes(tmp_path / "b.txt", b"\xef\xbb\xbf")).text == ""


def test_txt_gz_and_unknown_suffix(tmp_path: Path) -> None:
    gz = write_bytes(tmp_path / "story.txt.gz", gzip.compress(RUSSIAN.encode()))
    assert load_document(gz) == Document(id="story", text=RUSSIAN, source=gz)
    md = write_bytes(tmp_path / "notes.md", b"# plain")
    assert load_document(md).id == "notes.md"
    assert [d.id for d in load_all(md)] == ["notes.md"]  # a named file is read as text


def test_txt_larger_than_head(tmp_path: Path) -> None:
    text = ("Лавров заявил: «многополярный мир».\r\n" * 2000) + "end"
    doc = load_document(write_bytes(tmp_path / "big.txt.gz", gzip.compress(text.encode())))
    assert doc.text == text


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_fields_aliases_and_extra(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            {
                "id": "a",
                "text": "x",
                "outlet": "TASS",
                "date": "2024-05-01",
                "url": "u",
                "lang": "ru",
            },
            {"id": 7, "text": "y", "series": "RIA", "tags": ["a", 1], "n": None},
            {"id": "c", "text": "z", "outlet": "BelTA", "series": "belta-ru"},
            {"id": "d", "text": "", "outlet": "", "series": "S", "date": 2024},
        ],
    )
    a, b, c, d = load_all(path)
    assert a == Document("a", "x", "TASS", "2024-05-01", "u", "ru", source=path, line=1)
    assert (b.id, b.outlet, b.extra, b.line) == ("7", "RIA", {"tags": ["a", 1], "n": None}, 2)
    assert (c.outlet, c.extra) == ("BelTA", {"series": "belta-ru"})  # outlet wins over series
    assert (d.text, d.outlet, d.date, d.extra) == ("", "S", "2024", {})


def test_jsonl_blank_lines_crlf_bom_and_line_numbers(tmp_path: Path) -> None:
    data = (
        b'\xef\xbb\xbf{"id": "a", "text": "one\\r\\ntwo"}\r\n'
        b"\r\n"
        b"   \n"
        b'{"id": "b", "text": "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \\ud83d\\ude00"}'
    )
    stats = LoadStats()
    docs = load_all(write_bytes(tmp_path / "x.jsonl", data), stats=stats)
    assert [(d.id, d.text, d.line) for d in docs] == [("a", "one\r\ntwo", 1), ("b", "привет 😀", 4)]
    assert (stats.documents, stats.skipped, stats.files) == (2, 0, 1)


@pytest.mark.parametrize("name", ["c.ndjson", "c.json", "c.JSONL", "c.jsonl.gz", "c.json.gz"])
def test_jsonl_suffixes_and_gzip(tmp_path: Path, name: str) -> None:
    path = write_jsonl(tmp_path / name, [{"id": "a", "text": RUSSIAN}], gz=name.endswith(".gz"))
    assert load_document(path).text == RUSSIAN
    assert [d.text for d in load_all(path)] == [RUSSIAN]


def test_custom_id_and_text_fields(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [{"doc": "a", "body": "t", "id": "other"}])
    (doc,) = load_all(path, id_field="doc", text_field="body")
    assert (doc.id, doc.text, doc.extra) == ("a", "t", {"id": "other"})


def test_jsonl_escaped_controls_and_nul(tmp_path: Path) -> None:
    text = "a\x00b\x1b]52;c;ZXZpbA==\x07\u2028\x85end"
    path = write_jsonl(tmp_path / "h.jsonl", [{"id": "h", "text": text}])
    assert load_document(path).text == text


def test_jsonl_raw_separators_do_not_split_lines(tmp_path: Path) -> None:
    # U+2028, U+0085 and a raw TAB inside a string: one record, not three lines
    data = '{"id": "a", "text": "x\u2028y\x85z\tw"}\n'.encode()
    assert load_document(write_bytes(tmp_path / "s.jsonl", data)).text == "x\u2028y\x85z\tw"


# --------------------------------------------------------------------------- CSV


def test_csv_fields_multiline_and_start_lines(tmp_path: Path) -> None:
    rows = [
        ["id", "text", "outlet", "date", "extra col"],
        ["a", "line one\r\nline two\nthree", "TASS", "", "x"],
        ["b", RUSSIAN, "", "2024-01-02", ""],
    ]
    path = write_csv(tmp_path / "c.csv", rows)
    a, b = load_all(path)
    assert (a.id, a.text, a.outlet, a.date, a.line) == ("a", rows[1][1], "TASS", None, 2)
    assert a.extra == {"extra col": "x"}
    assert (b.text, b.outlet, b.date, b.line) == (RUSSIAN, None, "2024-01-02", 5)


def test_csv_series_bom_blank_lines_and_gzip(tmp_path: Path) -> None:
    data = '\ufeffid,text,series\r\n\r\n1,"a, ""quoted"" word",RIA\r\n'.encode()
    path = write_bytes(tmp_path / "s.csv.gz", gzip.compress(data))
    (doc,) = load_all(path)
    assert (doc.id, doc.text, doc.outlet, doc.line) == ("1", 'a, "quoted" word', "RIA", 3)


def test_csv_bare_cr_line_ends(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "mac.csv", b'id,text\r1,"a\rb"\r2,c\r')
    assert [(d.id, d.text, d.line) for d in load_all(path)] == [("1", "a\rb", 2), ("2", "c", 4)]


def test_csv_field_larger_than_default_limit(tmp_path: Path) -> None:
    big = "слово " * 60_000  # ~360,000 characters, beyond csv's 131,072 default
    path = write_csv(tmp_path / "big.csv", [["id", "text"], ["big", big]])
    assert load_document(path).text == big


# --------------------------------------------------------------------------- folders


def test_folder_recursive_sorted_dotfiles_skipped(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write_bytes(root / "b.txt", b"B")
    write_bytes(root / "a" / "z.txt", b"Z")
    write_bytes(root / "a" / "rec.jsonl.gz", gzip.compress(b'{"id": "r1", "text": "R"}\n'))
    write_csv(root / "c" / "t.csv", [["id", "text"], ["c1", "C"]])
    write_bytes(root / ".hidden.txt", b"H")
    write_bytes(root / ".git" / "x.txt", b"G")
    write_bytes(root / "README.md", b"ignored")
    write_bytes(root / "img.png", b"\x89PNG\0")
    stats = LoadStats()
    docs = load_all(str(root), stats=stats)
    # files below an outlet folder: outlet = that folder, one-document ids = relative paths
    assert [d.id for d in docs] == ["r1", "a/z", "b", "c1"]
    assert [d.outlet for d in docs] == ["a", "a", None, "c"]
    assert docs[1].source == os.path.join(str(root), "a", "z.txt")
    assert (stats.files, stats.ignored, stats.documents) == (4, 2, 4)


def test_folder_symlink_loop_terminates(tmp_path: Path) -> None:
    write_bytes(tmp_path / "d" / "a.txt", b"A")
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    assert [d.id for d in load_all(str(tmp_path / "d"))] == ["a"]


def test_seed_folder_loads_with_file_names_as_ids() -> None:
    docs = load_all(str(SEEDS))
    assert [d.id for d in docs] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert len(docs) == 5
    for doc in docs:
        assert doc.text == (SEEDS / f"{doc.id}.txt").read_bytes().decode("utf-8-sig")


# --------------------------------------------------------------------------- stdin


def test_stdin_plain_text(stdin) -> None:
    stdin(b"\xef\xbb\xbf  (not {json})\r\n" + RUSSIAN.encode())
    doc = load_document("-")
    assert (doc.id, doc.text, doc.source) == ("stdin", "  (not {json})\r\n" + RUSSIAN, "-")


def test_stdin_id_given_and_empty(stdin) -> None:
    stdin(b"")
    assert load_document("-", id="mine") == Document(id="mine", text="", source="-")


def test_stdin_jsonl_in_iter_documents(stdin) -> None:
    stdin(b'\n  \n{"id": "a", "text": "A"}\n{"id": "b", "text": "B"}\n')
    docs = load_all("-")
    assert [(d.id, d.source, d.line) for d in docs] == [("a", "-", 3), ("b", "-", 4)]


def test_stdin_plain_text_in_iter_documents(stdin) -> None:
    stdin(b" \n" * 10_000 + b"x")  # sniffing reads past the first 8 KB of blanks
    (doc,) = load_all("-")
    assert (doc.id, doc.text) == ("stdin", " \n" * 10_000 + "x")


def test_stdin_single_record_and_several(stdin) -> None:
    stdin(b'{"id": "a", "text": "A", "outlet": "o"}\n')
    assert (load_document("-").id, load_document("-").text) == ("a", "")  # stdin now drained
    stdin(b'{"id": "a", "text": "A"}\n{"id": "b", "text": "B"}\n')
    err = error_of(load_document, "-")
    assert "more than one record" in str(err) and str(err).startswith("<stdin>")


def test_stdin_gzip(stdin) -> None:
    stdin(gzip.compress(b'{"id": "g", "text": "zipped"}\n' * 1 + b'{"id": "h", "text": "2"}\n'))
    assert [d.id for d in load_all("-")] == ["g", "h"]


def test_stdin_is_streamed(stdin) -> None:
    line = json.dumps({"id": "x", "text": "w" * 1000}).encode() + b"\n"
    data = b"".join(line.replace(b'"x"', f'"{i}"'.encode()) for i in range(2000))
    raw = stdin(data)
    docs = iter_documents(["-"])
    assert next(docs).id == "0"
    assert raw.tell() < len(data) // 10  # only a buffer's worth read so far


# --------------------------------------------------------------------------- #ID selection


def test_record_selection_jsonl_and_csv(tmp_path: Path) -> None:
    jl = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": "A"}, {"id": 42, "text": "B"}])
    doc = load_document(jl + "#42")
    assert (doc.id, doc.text, doc.source, doc.line) == ("42", "B", jl, 2)
    assert load_document(jl + "#a", id="left").id == "left"
    cs = write_csv(tmp_path / "c.csv.gz", [["id", "text"], ["x", "X"], ["y", "Y"]], gz=True)
    assert load_document(cs + "#y").text == "Y"


def test_record_selection_errors(tmp_path: Path) -> None:
    jl = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}])
    err = error_of(load_document, jl + "#zz")
    assert err.path == jl and "no record with id 'zz'" in str(err) and "2 records" in str(err)
    assert "no record id after '#'" in str(error_of(load_document, jl + "#"))
    err = error_of(load_document, jl)
    assert "more than one record" in str(err) and f"{jl}#a" in str(err)
    txt = write_bytes(tmp_path / "t.txt", b"x")
    assert "selects nothing" in str(error_of(load_document, txt + "#a"))
    err = error_of(load_document, str(tmp_path / "missing.jsonl") + "#a")
    assert err.path.endswith("missing.jsonl") and "no such file" in str(err)
    empty = write_bytes(tmp_path / "e.jsonl", b"\n\n")
    assert "holds no records" in str(error_of(load_document, empty))


def test_hash_in_existing_file_name(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "issue#3.txt", b"hash")
    assert load_document(path) == Document(id="issue#3", text="hash", source=path)


# --------------------------------------------------------------------------- input errors


@pytest.mark.parametrize(
    ("name", "data", "line", "reason"),
    [
        ("bin.txt", b"GIF89a\x00\x01", None, "binary file, not text"),
        ("bin.jsonl", b'{"id": 1}\n\x00\x00', None, "binary file, not text"),
        ("u16.txt", "hi".encode("utf-16"), None, "UTF-16"),
        ("bad.txt", "ок\nпока".encode() + b"\xff rest", 2, "not valid UTF-8"),
        ("cp1251.txt", "Привет".encode("cp1251"), 1, "not valid UTF-8"),
        ("notgz.txt.gz", b"plain text", None, "not a gzip file"),
        ("bad.jsonl", b'{"id": "a", "text": "A"}\n{"id": "b", text: 1}\n', 2, "malformed JSON"),
        ("pretty.json", b'{\n  "id": "a",\n  "text": "A"\n}\n', 1, "pretty-printed"),
        ("arr.json", b'[{"id": "a", "text": "A"}]\n', 1, "JSON array, not JSON Lines"),
        ("list.jsonl", b'\n["a", "b"]\n', 2, "not an object (got array)"),
        ("null.jsonl", b"null\n", 1, "not an object (got null)"),
        ("arr1.jsonl", b'[{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]', 1, "jq -c"),
        ("u8.jsonl", b'{"id": "a", "text": "\xc3\x28"}\n', 1, "not valid UTF-8"),
        ("noid.jsonl", b'{"text": "A"}\n', 1, "missing 'id' field"),
        ("nullid.jsonl", b'{"id": null, "text": "A"}\n', 1, "'id' is null"),
        ("emptyid.jsonl", b'{"id": "", "text": "A"}\n', 1, "empty 'id'"),
        ("floatid.jsonl", b'{"id": 1.5, "text": "A"}\n', 1, "string or an integer, not number"),
        ("boolid.jsonl", b'{"id": true, "text": "A"}\n', 1, "string or an integer, not boolean"),
        ("notext.jsonl", b'{"id": "a"}\n', 1, "missing 'text' field"),
        ("numtext.jsonl", b'{"id": "a", "text": 5}\n', 1, "'text' must be a string, not number"),
        ("listtext.jsonl", b'{"id": "a", "text": ["x"]}\n', 1, "not array"),
        (
            "outlet.jsonl",
            b'{"id": "a", "text": "t", "outlet": {}}\n',
            1,
            "'outlet' must be a string",
        ),
        (
            "sur.jsonl",
            b'{"id": "a", "text": "x\\ud800y"}\n',
            1,
            "unpaired surrogate escape \\ud800",
        ),
        ("rawsur.jsonl", b'{"id": "a", "text": "\xed\xa0\x80"}\n', 1, "not valid UTF-8"),
        ("surid.jsonl", b'{"id": "\\udfff", "text": "y"}\n', 1, "unpaired surrogate"),
        ("surx.jsonl", b'{"id": "a", "text": "", "k": ["\\uDBFF"]}\n', 1, "unpaired surrogate"),
        ("notext.csv", b"id,body\n1,x\n", 1, "CSV has no 'text' column (columns: 'id', 'body')"),
        ("noid.csv", b"text\nx\n", 1, "CSV has no 'id' column"),
        ("twice.csv", b"id,text,text\n1,x,y\n", 1, "names 'text' twice"),
        ("width.csv", b'id,text\n1,"a\nb"\n2,x,extra\n', 4, "3 fields but the header has 2"),
        ("emptyid.csv", b"id,text\n1,x\n,y\n", 3, "empty 'id'"),
        ("u8.csv", b"id,text\n1,ok\n2,\xe9t\xe9\n", 3, "not valid UTF-8"),
        ("quote.csv", b'id,text\n1,"x"y"\n', None, None),  # lenient csv: not an error
    ],
)
def test_input_errors_name_file_and_line(
    tmp_path: Path, name: str, data: bytes, line: int | None, reason: str | None
) -> None:
    path = write_bytes(tmp_path / name, data)
    if reason is None:
        assert load_all(path)
        return
    for call in (load_all, load_document):
        err = error_of(call, path)
        assert err.path == path
        assert reason in err.reason, err.reason
        assert err.line == line
        message = str(err)
        assert message.startswith(path if line is None else f"{path}:{line}: ")
        assert "\n" not in message


@pytest.mark.parametrize(
    ("data", "byte", "line"),
    [
        (b"abc\xff", 3, 1),
        (b"\xef\xbb\xbfab\ncd\xc3", 8, 2),  # offsets count the BOM
        (b"ok\n\xe2\x82", 3, 2),  # truncated multi-byte character at the end
    ],
)
def test_invalid_utf8_byte_offset_txt(tmp_path: Path, data: bytes, byte: int, line: int) -> None:
    err = error_of(load_document, write_bytes(tmp_path / "u.txt", data))
    assert (err.byte, err.line) == (byte, line)
    assert str(err).endswith(f"(at byte {byte})")


def test_invalid_utf8_byte_offset_jsonl_and_csv(tmp_path: Path) -> None:
    good = b'{"id": "a", "text": "A"}\n'
    path = write_bytes(tmp_path / "u.jsonl", good + b'{"id": "b", "text": "\x80"}\n')
    err = error_of(load_all, path)
    assert (err.line, err.byte) == (2, len(good) + 21)
    path = write_bytes(tmp_path / "u.csv", b"id,text\n1,\xff\n")
    err = error_of(load_all, path)
    assert (err.line, err.byte) == (2, 10)


def test_truncated_and_corrupt_gzip(tmp_path: Path) -> None:
    data = b"".join(b'{"id": "%d", "text": "%d"}\n' % (i, i * i) for i in range(5000))
    packed = gzip.compress(data)
    path = write_bytes(tmp_path / "t.jsonl.gz", packed[: len(packed) // 2])
    err = error_of(load_all, path)
    assert err.path == path and "truncated gzip data" in err.reason and err.line is not None
    stats = LoadStats()
    assert load_all(path, skip_bad=True, stats=stats)  # the readable part is kept
    assert stats.skipped == 1
    corrupt = bytearray(packed)
    corrupt[-6] ^= 0xFF  # in the CRC-32 trailer
    err = error_of(load_all, write_bytes(tmp_path / "c.jsonl.gz", bytes(corrupt)))
    assert "corrupt gzip data" in err.reason and "CRC" in err.reason


def test_missing_file_and_directory_errors(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    err = error_of(load_document, missing)
    assert str(err) == f"{missing}: no such file or directory"
    assert error_of(load_all, missing).reason == "no such file or directory"
    err = error_of(load_document, str(tmp_path))
    assert err.path == str(tmp_path) and "is a directory" in err.reason


def test_duplicate_ids_name_both_places(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "1"}, {"id": "y", "text": "2"}])
    b = write_bytes(tmp_path / "d" / "x.txt", b"3")
    err = error_of(load_all, a, str(tmp_path / "d"))
    assert str(err) == f"{b}: duplicate id 'x' (first seen at {a}:1)"
    same = write_jsonl(tmp_path / "s.jsonl", [{"id": 1, "text": "1"}, {"id": "1", "text": "2"}])
    err = error_of(load_all, same)
    assert (err.line, err.reason) == (2, f"duplicate id '1' (first seen at {same}:1)")


def test_lazy_errors_come_after_good_documents(tmp_path: Path) -> None:
    good = write_bytes(tmp_path / "good.txt", b"ok")
    docs = iter_documents([good, str(tmp_path / "missing.txt")])
    assert next(docs).id == "good"
    with pytest.raises(InputError, match=r"missing\.txt: no such file"):
        next(docs)


def test_hostile_id_is_escaped_in_messages(tmp_path: Path) -> None:
    evil = "\x1b]0;pwned\x07" + "x" * 200
    path = write_jsonl(tmp_path / "e.jsonl", [{"id": evil, "text": "1"}, {"id": evil, "text": "2"}])
    message = str(error_of(load_all, path))
    assert "\x1b" not in message and "\x07" not in message
    assert len(message) < 2 * len(path) + 150


# --------------------------------------------------------------------------- skip_bad


def test_skip_bad_counts_every_problem_in_order(tmp_path: Path) -> None:
    jl = write_bytes(
        tmp_path / "a.jsonl",
        b'{"id": "a", "text": "A"}\n'
        b"not json\n"
        b"\n"
        b'{"id": "a", "text": "again"}\n'
        b'{"id": "b"}\n'
        b'{"id": "c", "text": "\xff"}\n'
        b'{"id": "d", "text": "D"}\n',
    )
    binary = write_bytes(tmp_path / "b.txt", b"\x00\x01")
    csv_path = write_bytes(tmp_path / "c.csv", b"id,text\ne,E\nf\ng,G\n")
    missing = str(tmp_path / "gone.jsonl")
    stats = LoadStats()
    docs = load_all(jl, binary, missing, csv_path, skip_bad=True, stats=stats)
    assert [d.id for d in docs] == ["a", "d", "e", "g"]
    assert [(e.path, e.line) for e in stats.errors] == [
        (jl, 2),
        (jl, 4),
        (jl, 5),
        (jl, 6),
        (binary, None),
        (missing, None),
        (csv_path, 3),
    ]
    assert "duplicate id 'a'" in stats.errors[1].reason
    assert (stats.documents, stats.skipped, stats.files) == (4, 7, 2)


def test_skip_bad_rest_of_unreadable_file_counts_once(tmp_path: Path) -> None:
    bad_csv = write_bytes(tmp_path / "c.csv", b"id,text\n1,A\n2,\xff\n3,C\n")
    after = write_bytes(tmp_path / "z.txt", b"Z")
    stats = LoadStats()
    docs = load_all(bad_csv, after, skip_bad=True, stats=stats)
    assert [d.id for d in docs] == ["1", "z"]
    assert stats.skipped == 1 and stats.errors[0].line == 3


def test_without_skip_bad_first_problem_raises(tmp_path: Path) -> None:
    jl = write_bytes(tmp_path / "a.jsonl", b'{"id": "a", "text": "A"}\n[]\n{"x": 1}\n')
    stats = LoadStats()
    with pytest.raises(InputError) as info:
        load_all(jl, stats=stats)
    assert info.value.line == 2 and stats.documents == 1 and stats.errors == []


# --------------------------------------------------------------------------- properties

_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# what a UTF-8 text file can hold: no surrogates; NUL would make it binary
_TEXT_CHAR = st.characters(codec="utf-8", exclude_characters="\x00")
_ANY_CHAR = st.one_of(
    st.characters(codec="utf-8"),  # every code point but surrogates
    st.sampled_from("\x00\r\n\x85\u2028\ufeff\x1b\t\u202e"),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
)


@_SETTINGS
@given(text=st.text(_TEXT_CHAR))
def test_property_txt_round_trip(tmp_path: Path, text: str) -> None:
    path = write_bytes(tmp_path / "p.txt", text.encode("utf-8"))
    assert load_document(path).text == text.removeprefix("\ufeff")


@example(text="\ud83d\ude00", doc_id="pair", ascii_only=True)  # joined on load
@example(text="x\ud800", doc_id="lone", ascii_only=True)  # refused
@example(text="\udfff", doc_id="raw", ascii_only=False)  # invalid UTF-8 on disk
@_SETTINGS
@given(
    text=st.text(_ANY_CHAR),
    doc_id=st.text(_ANY_CHAR, min_size=1),
    ascii_only=st.booleans(),
)
def test_property_jsonl_round_trip(
    tmp_path: Path, text: str, doc_id: str, ascii_only: bool
) -> None:
    line = json.dumps({"id": doc_id, "text": text, "outlet": text}, ensure_ascii=ascii_only)
    path = write_bytes(tmp_path / "p.jsonl", line.encode("utf-8", "surrogatepass") + b"\n")
    valid = is_unicode(text) and is_unicode(doc_id)
    try:
        (doc,) = load_all(path)
    except InputError as err:
        assert not valid, err  # only text that is not valid Unicode may be refused
        assert err.line == 1 and err.path == path
        return
    if valid:
        assert (doc.id, doc.text, doc.outlet or "") == (doc_id, text, text)
    else:
        # escaped surrogate *pairs* decode to one character: still valid text
        expected = json.loads(line)
        assert (doc.id, doc.text) == (expected["id"], expected["text"])
        assert is_unicode(doc.text) and is_unicode(doc.id)


@_SETTINGS
@given(
    text=st.text(_TEXT_CHAR),
    outlet=st.text(_TEXT_CHAR, min_size=1),
)
def test_property_csv_round_trip(tmp_path: Path, text: str, outlet: str) -> None:
    path = write_csv(tmp_path / "p.csv", [["id", "text", "outlet"], ["1", text, outlet]])
    (doc,) = load_all(path)
    assert (doc.text, doc.outlet) == (text, outlet)


@_SETTINGS
@given(records=st.lists(st.text(_TEXT_CHAR), max_size=8))
def test_property_jsonl_lines_and_count(tmp_path: Path, records: list[str]) -> None:
    lines = [
        json.dumps({"id": str(i), "text": t}, ensure_ascii=False) for i, t in enumerate(records)
    ]
    path = write_bytes(tmp_path / "m.jsonl", "\n\n".join(lines).encode())
    stats = LoadStats()
    if not records:  # an empty corpus is an error
        assert "no documents to read" in str(error_of(load_all, path))
        return
    docs = load_all(path, stats=stats)
    assert [d.text for d in docs] == records
    assert [d.line for d in docs] == [2 * i + 1 for i in range(len(records))]
    assert stats.documents == len(records) and stats.skipped == 0
