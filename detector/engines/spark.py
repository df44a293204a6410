"""The corpus report on Apache Spark (PySpark), with results identical to the local engine.

``detector report CORPUS --engine spark [--master URL]`` calls
:func:`build_report_spark`. It runs the engine-neutral stages of
:mod:`detector.stages` that the local engine runs, so signatures, seeds,
band layout and bucket keys (xxh3, never Python's salted ``hash()``) are the
same bit for bit, and so is the report:

1. **Load.** Documents are read by :func:`detector.load.iter_documents` (the
   same field rules, errors and ``skip_bad`` counting; Parquet too); each
   gets its corpus position ``idx``.
2. **First pass** (executors, ``mapPartitions``):
   :func:`detector.stages.analyse_document` with ``defer_keys=True``. The
   ordered shingles and phrase 3-grams stay in the persisted RDD; what the
   corpus counting needs (the facts the local engine's workers send back:
   shingle sets, document signatures, phrase grams, segments, repeats)
   goes to the driver.
3. **Plan** (driver): :func:`detector.stages.plan_corpus` (time ranks,
   duplicate groups, shingle mask over representatives) and
   :func:`detector.boilerplate.select_phrase_grams`, broadcast once.
4. **Second pass** (executors): window signatures and band keys of
   representatives only, each keyed by its *time rank*; phrase occurrences
   of every document (:func:`detector.boilerplate.find_phrases`).
5. **Candidates** (DataFrame): :func:`candidate_pairs_spark`, one
   ``groupBy`` per bucket key: the bucket's lowest rank (its earliest
   document) is paired with each other member (a star, as
   :func:`detector.candidates.candidate_pairs`), and a pair sharing at least
   ``lsh_min_bands`` buckets is a candidate; ranks go back to document
   indices with :meth:`detector.stages.CorpusPlan.pairs_in_index_order`.
6. **Align** (executors): :func:`align_pairs_spark` for candidate pairs and
   :func:`detector.duplicates.span_map` for each duplicate against its
   representative, both in ``mapPartitions`` over pairs joined with texts.
7. **Assemble** (driver): passages in (i, j) order go to
   :func:`detector.stages.assemble_clusters` (star clusters, boilerplate),
   framing runs in the executors, and :func:`detector.stages.assemble_report`
   builds the report with :func:`detector.stages.duplicate_section`.

No MLlib ``MinHashLSH`` (its hashes differ from datasketch's). ``pyspark`` is
imported only inside functions here, so nothing else in ``detector`` pays
for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from detector.params import DEFAULT_PARAMS, Params

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from detector.load import LoadStats
    from detector.schema import Document, Report
    from detector.stages import ProgressCallback

__all__ = [
    "align_pairs_spark",
    "build_report_spark",
    "candidate_pairs_spark",
    "read_parquet_documents",
    "spark_session",
    "write_report_parquet",
]


def _is_local(master: str) -> bool:
    return master.startswith("local")


def _apply_common(builder: Any) -> None:
    """No web UI, no console progress bars, quiet logs, Arrow transfers."""
    builder.config("spark.ui.enabled", "false").config(
        "spark.ui.showConsoleProgress", "false"
    ).config("spark.log.level", "ERROR").config("spark.sql.execution.arrow.pyspark.enabled", "true")


def spark_session(
    master: str | None = None, *, app_name: str = "detector", shuffle_partitions: int | None = None
) -> SparkSession:
    """A SparkSession for the report (the active one is reused if it exists).

    Args:
        master: Spark master URL; ``None`` means ``local[*]``, or, under
            ``spark-submit``, the master it was given. In local mode the
            driver binds to 127.0.0.1 only.
        app_name: application name shown by the cluster manager.
        shuffle_partitions: ``spark.sql.shuffle.partitions``; default twice
            the local cores in local mode (Spark's default of 200 is far too
            many for one machine), Spark's own default otherwise.

    The web UI and console progress bars are off and logs are at ERROR. In
    local mode ``PYSPARK_PYTHON`` is the running interpreter, so workers
    import the same ``detector``; on a cluster an existing ``PYSPARK_PYTHON``
    is kept (executors need ``reuse-detector`` installed).
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master is None and "PYSPARK_GATEWAY_PORT" in os.environ:
        # launched by spark-submit: its --master and --conf already hold
        _apply_common(builder)
        if shuffle_partitions is not None:
            builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session
    master = master or "local[*]"
    builder = builder.master(master)
    if _is_local(master):
        # local workers must import this very detector: the running interpreter
        os.environ["PYSPARK_PYTHON"] = sys.executable
        os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
        if shuffle_partitions is None:
            shuffle_partitions = 2 * (os.cpu_count() or 2)
        # in local mode the executors live in the driver JVM, whose default
        # 1 GB heap fails (OutOfMemoryError) on corpora of ~20,000 articles:
        # give it a third of the machine unless the user chose
        if "SPARK_DRIVER_MEMORY" not in os.environ:
            builder = builder.config("spark.driver.memory", f"{_local_driver_memory_gb()}g")
    else:
        # on a cluster the executors' Python is the cluster's business
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    _apply_common(builder)
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _local_driver_memory_gb() -> int:
    """A third of physical memory in GB (at least 1), for a local-mode driver."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2
    return max(1, int(total / 3 / 2**30))


# --------------------------------------------------------------------------- input


def read_parquet_documents(
    paths: Sequence[str], *, skip_bad: bool = False, stats: LoadStats | None = None
) -> Iterator[Document]:
    """Documents from Parquet files: the loader's own Parquet reader.

    A thin wrapper over :func:`detector.load.iter_documents`, which reads
    ``.parquet`` through :mod:`detector.inputs.parquet` (the JSONL field
    rules, duplicate ids, ``skip_bad`` counting, bounded record batches), so
    the Spark engine and the local engine read Parquet the same way.
    """
    from detector.load import iter_documents

    return iter_documents(list(paths), skip_bad=skip_bad, stats=stats)


def candidate_pairs_spark(keys: DataFrame, *, min_shared: int = 1) -> DataFrame:
    """Star candidate pairs ``(i, j)``, ``i < j``, from bucket rows ``(key, idx)``.

    The DataFrame form of :func:`detector.candidates.candidate_pairs` (same
    pairs for the same keys): a ``groupBy`` per bucket key collects its
    sorted distinct documents; the first (lowest number; callers number
    documents in time order, so the earliest) is paired with each of the
    others, never the others among themselves; a pair linked by at least
    ``min_shared`` buckets is a candidate. Other columns (e.g. ``band``) are
    ignored: a key already folds in its band.

    Shuffle O(K) for K bucket rows; a text that recurs in k documents gives
    k - 1 pairs per bucket, not k(k - 1)/2.
    """
    from pyspark.sql import functions as F

    buckets = (
        keys.select("key", "idx")
        .groupBy("key")
        .agg(F.array_sort(F.collect_set("idx")).alias("docs"))
        .where(F.size("docs") >= 2)
    )
    links = buckets.select(
        F.element_at("docs", 1).alias("i"),
        F.explode(F.slice("docs", 2, F.size("docs") - 1)).alias("j"),
    )
    counted = links.groupBy("i", "j").agg(F.count(F.lit(1)).alias("count"))
    return counted.where(F.col("count") >= min_shared).select("i", "j")


# --------------------------------------------------------------------------- align


def _align_partition(params: Params):
    def run(rows: Iterator[Any]) -> Iterator[tuple[int, int, str]]:
        from detector.align import align_passages
        from detector.index import encode_passages
        from detector.tokens import tokenize

        cache_idx, cache_tokens = -1, None
        for row in rows:
            # rows arrive sorted by i: the left document is tokenised once
            if row.i != cache_idx:
                cache_idx, cache_tokens = row.i, tokenize(row.text_i, stem=params.stem)
            passages = align_passages(cache_tokens, tokenize(row.text_j, stem=params.stem), params)
            if passages:
                yield int(row.i), int(row.j), encode_passages(passages)

    return run


def align_pairs_spark(
    spark: SparkSession, docs: DataFrame, pairs: DataFrame, params: Params
) -> DataFrame:
    """Passages of every candidate pair: rows ``(i, j, passages)`` (JSON, see
    :func:`detector.index.encode_passages`), only pairs with passages."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    left = docs.select(F.col("idx").alias("i"), F.col("text").alias("text_i"))
    right = docs.select(F.col("idx").alias("j"), F.col("text").alias("text_j"))
    joined = pairs.join(left, "i").join(right, "j").repartition("i").sortWithinPartitions("i", "j")
    schema = StructType(
        [
            StructField("i", LongType(), False),
            StructField("j", LongType(), False),
            StructField("passages", StringType(), False),
        ]
    )
    return spark.createDataFrame(joined.rdd.mapPartitions(_align_partition(params)), schema)


def _span_maps_spark(
    spark: SparkSession, docs: DataFrame, pairs: Sequence[tuple[int, int]]
) -> dict[int, Any]:
    """:func:`detector.duplicates.span_map` of each ``(representative, duplicate)`` pair, on the executors.

    Returns:
        ``{duplicate index: blocks}`` in the order of ``pairs``. One
        bit-parallel diff per duplicate.
    """
    from pyspark.sql import functions as F

    if not pairs:
        return {}

    def run(rows: Iterator[Any]) -> Iterator[tuple[int, Any]]:
        from detector.duplicates import span_map

        for row in rows:
            yield int(row.d), span_map(row.text_r, row.text_d)

    frame = spark.createDataFrame([(int(r), int(d)) for r, d in pairs], "r long, d long")
    joined = frame.join(
        docs.select(F.col("idx").alias("r"), F.col("text").alias("text_r")), "r"
    ).join(docs.select(F.col("idx").alias("d"), F.col("text").alias("text_d")), "d")
    found = dict(joined.rdd.mapPartitions(run).collect())
    # in the plan's order, as the local engine fills it, whatever the partitioning
    return {int(d): found[int(d)] for _, d in pairs}


# --------------------------------------------------------------------------- the report


def _facts_partition(params: Params):
    def run(rows: Iterator[Any]) -> Iterator[Any]:
        from detector.schema import Document
        from detector.stages import analyse_document

        for row in rows:
            # first pass: band keys wait for the corpus plan (mask, duplicates)
            yield analyse_document(
                int(row.idx),
                Document(id=row.id, text=row.text, lang=row.lang),
                params,
                defer_keys=True,
            )

    return run


def _key_rows(params: Params, plan: Any):
    """Second pass: ``(time rank, distinct band keys)`` of each representative.

    One row per document with its keys as an array (exploded in the
    DataFrame): a Python row per bucket entry costs about ten times more to
    hand to the JVM.
    """

    def run(f: Any) -> Iterator[tuple[int, list[int]]]:
        import numpy as np

        from detector.candidates import band_keys, sketch_shingles
        from detector.fingerprint import distinct_sorted

        mask, ranks, is_rep = plan.value
        if not is_rep[f.index]:
            return
        sketch = sketch_shingles(f.info.id, f.info.words, f.shingles, params, mask=mask)
        keys = distinct_sorted(band_keys(sketch.signatures, params))
        if len(keys):
            yield int(ranks[f.index]), keys.view(np.int64).tolist()

    return run


def _phrase_rows(selected: Any):
    """Second pass: phrase occurrences ``(doc, key, start, end, words)`` of one document."""

    def run(f: Any) -> list[tuple[int, int, int, int, int]]:
        from detector.boilerplate import find_phrases

        grams, df = selected.value
        if not len(grams):
            return []
        return [(f.index, *o) for o in find_phrases(f.phrase_seq, grams, df)]

    return run


def _framing_partition(batch: int = 64):
    def run(rows: Iterator[Any]) -> Iterator[Any]:
        from detector.framing import load_default_model
        from detector.schema import Document

        model = load_default_model()
        pending: list[Any] = []
        for row in rows:
            pending.append(Document(id=row.id, text=row.text, lang=row.lang))
            if len(pending) >= batch:
                yield from model.flag_documents(pending)
                pending = []
        if pending:
            yield from model.flag_documents(pending)

    return run


def build_report_spark(
    sources_or_documents: Iterable[str] | Iterable[Document],
    params: Params = DEFAULT_PARAMS,
    *,
    master: str | None = None,
    skip_bad: bool = False,
    framing: bool = True,
    session: SparkSession | None = None,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    mask_shingles: bool = True,
) -> Report:
    """:func:`detector.report.build_report` on Spark, with identical results.

    Args:
        sources_or_documents: paths as on the command line (files, folders,
            JSONL/CSV, ``.parquet``, ``-``) or :class:`Document` objects.
        params: tuning parameters (the same as the local engine's).
        master: Spark master URL (default ``local[*]``), e.g.
            ``spark://host:7077``; ignored when ``session`` is given.
        skip_bad: skip and count bad input records instead of raising.
        framing: flag framing sentences (the model is loaded in each worker).
        session: an existing SparkSession to use (tests share one).
        progress: ``progress(stage, advance, total)``, called once per
            finished stage (Spark reports no per-item progress).
        workers: ignored (Spark decides parallelism from the master).
        mask_shingles: as in :func:`detector.report.build_report`.

    Returns:
        A :class:`detector.schema.Report` equal to the local engine's for the
        same documents and parameters (``stages`` holds Spark's timings).

    The driver holds the document texts and what the local engine's main
    process holds (per-document facts, the plan, candidate pairs, passages);
    tokenising, signatures, banding, bucket grouping, alignment, span maps,
    phrase occurrences and framing run on the executors.
    """
    import time
    from dataclasses import replace

    import numpy as np
    import pyarrow as pa
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from detector.boilerplate import select_phrase_grams
    from detector.engines.local import load_corpus
    from detector.index import decode_passages
    from detector.stages import (
        assemble_clusters,
        assemble_report,
        corpus_phrases,
        doc_info,
        plan_corpus,
    )

    del workers

    def tick(stage: str, n: int) -> None:
        if progress is not None:
            progress(stage, n, n)

    stages: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    docs, skipped, errors = load_corpus(list(sources_or_documents), skip_bad=skip_bad)
    stages["load"] = time.perf_counter() - t0
    if framing:
        try:
            from detector.framing import load_default_model

            load_default_model()
        except Exception as exc:  # the report stands without framing; say why
            notes.append(f"framing not run: {type(exc).__name__}: {exc}")
            framing = False
    if not docs:  # nothing to distribute: no session needed
        stages["total"] = time.perf_counter() - t0
        return assemble_report(
            [], [], [], [], {}, skipped=skipped, errors=errors, stages=stages, notes=notes
        )
    spark = session or spark_session(master)
    sc = spark.sparkContext
    n = len(docs)
    docs_df = spark.createDataFrame(
        pa.table(
            {
                "idx": pa.array(range(n), type=pa.int64()),
                "id": pa.array([d.id for d in docs], type=pa.string()),
                "text": pa.array([d.text for d in docs], type=pa.large_string()),
                "lang": pa.array([d.lang for d in docs], type=pa.string()),
            }
        )
    )
    parts = max(sc.defaultParallelism * 2, min(n // 256, 4096), 1)
    docs_df = docs_df.repartition(parts, "idx").persist(StorageLevel.MEMORY_AND_DISK)
    broadcasts: list[Any] = []
    try:
        t = time.perf_counter()
        facts_rdd = docs_df.rdd.mapPartitions(_facts_partition(params)).persist(
            StorageLevel.MEMORY_AND_DISK
        )
        facts = sorted(
            facts_rdd.map(lambda f: replace(f, shingles=None, phrase_seq=None)).collect(),
            key=lambda f: f.index,
        )
        # the executors saw id, text and lang only: the metadata is the driver's
        facts = [replace(f, info=doc_info(docs[f.index], f.info.words)) for f in facts]
        stages["sketch"] = time.perf_counter() - t
        tick("sketch", n)

        t = time.perf_counter()
        outlets = [f.info.outlet for f in facts]
        plan = plan_corpus(facts, mask_shingles=mask_shingles)
        selected, df = select_phrase_grams(((f.index, f.grams) for f in facts), outlets)
        # what the counting needed is no longer: free it before the next pass
        facts = [replace(f, shingle_set=None, grams=None, dup_sig=None) for f in facts]
        is_rep = plan.dups.rep == np.arange(n)
        stages["mask"] = time.perf_counter() - t

        t = time.perf_counter()
        bc_plan = sc.broadcast((plan.mask, plan.ranks, is_rep))
        bc_sel = sc.broadcast((selected, df))
        broadcasts += [bc_plan, bc_sel]
        doc_keys = spark.createDataFrame(
            facts_rdd.flatMap(_key_rows(params, bc_plan)), "idx long, keys array<long>"
        ).persist(StorageLevel.MEMORY_AND_DISK)
        doc_keys.count()
        keys_df = doc_keys.select(F.explode("keys").alias("key"), "idx")
        occurrences = facts_rdd.flatMap(_phrase_rows(bc_sel)).collect()
        # by document, each document's occurrences in text order (the local order)
        occurrences.sort(key=lambda o: o[0])
        stages["bands"] = time.perf_counter() - t
        tick("bands", n)

        t = time.perf_counter()
        # bucket entries carry time ranks: back to document indices, earlier first
        rank_pairs = [
            (r.i, r.j)
            for r in candidate_pairs_spark(keys_df, min_shared=params.lsh_min_bands).collect()
        ]
        pairs = plan.pairs_in_index_order(rank_pairs)
        stages["candidates"] = time.perf_counter() - t

        t = time.perf_counter()
        passages: list[tuple[int, int, Any]] = []
        if pairs:
            pairs_df = spark.createDataFrame(pairs, "i long, j long")
            found = sorted(
                (r.i, r.j, r.passages)
                for r in align_pairs_spark(spark, docs_df, pairs_df, params).collect()
            )
            passages = [(i, j, p) for i, j, data in found for p in decode_passages(data)]
        blocks = _span_maps_spark(spark, docs_df, plan.duplicate_pairs())
        stages["align"] = time.perf_counter() - t
        tick("align", len(pairs))

        t = time.perf_counter()

        def text_of(i: int) -> str:
            return docs[i].text

        clusters = assemble_clusters(facts, passages, text_of, plan, blocks)
        stages["cluster"] = time.perf_counter() - t

        t = time.perf_counter()
        flags: list[Any] = []
        if framing:
            by_doc: dict[str, list[Any]] = {}
            for flag in docs_df.rdd.mapPartitions(_framing_partition()).collect():
                by_doc.setdefault(flag.doc, []).append(flag)
            # flags in document order, as the local engine emits them
            flags = [f for d in docs for f in by_doc.get(d.id, ())]
            tick("framing", n)
        stages["framing"] = time.perf_counter() - t

        t = time.perf_counter()
        phrases = corpus_phrases(occurrences, facts, clusters, text_of)
        stages["phrases"] = time.perf_counter() - t
        facts_rdd.unpersist()
        doc_keys.unpersist()
    finally:
        docs_df.unpersist()
        for bc in broadcasts:
            bc.unpersist()
    stages["total"] = time.perf_counter() - t0
    return assemble_report(
        facts,
        clusters,
        phrases,
        flags,
        {d.id: d.text for d in docs},
        skipped=skipped,
        errors=errors,
        candidates=len(pairs),
        stages=stages,
        notes=notes,
        plan=plan,
    )


# --------------------------------------------------------------------------- Parquet output

_PARQUET_COLUMNS = (
    ("cluster", "int64"),
    ("kind", "string"),
    ("doc", "string"),
    ("outlet", "string"),
    ("date", "string"),
    ("start", "int64"),
    ("end", "int64"),
    ("words", "int64"),
    ("earliest", "string"),
    ("cluster_documents", "int64"),
    ("cluster_outlets", "list<string>"),
    ("cluster_passages", "int64"),
    ("cluster_score", "float64"),
    ("text", "large_string"),
)


def write_report_parquet(report: Any, path: str | os.PathLike[str]) -> int:
    """Write a report as Parquet: one row per cluster member (like the CSV output).

    Columns are typed (spans and counts as ``int64``, outlets as a list,
    ``earliest`` null when unknown) and the file's key-value metadata holds
    ``detector.schema`` = ``detector.report/1``. Text is stored as data. The
    file is written to a temporary name and renamed, so it is never
    half-written. Needs ``pyarrow`` only (not Spark).

    Returns:
        The number of rows written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from detector.schema import REPORT_SCHEMA

    cols: dict[str, list[Any]] = {name: [] for name, _ in _PARQUET_COLUMNS}
    for c in report.clusters:
        for m in c.members:
            values = (
                c.id,
                c.kind,
                m.doc,
                m.outlet,
                m.date,
                m.start,
                m.end,
                m.words,
                c.earliest,
                len({x.doc for x in c.members}),
                list(c.outlets),
                c.passages,
                float(c.score),
                m.text,
            )
            for (name, _), value in zip(_PARQUET_COLUMNS, values, strict=True):
                cols[name].append(value)
    types = {
        "int64": pa.int64(),
        "string": pa.string(),
        "large_string": pa.large_string(),
        "float64": pa.float64(),
        "list<string>": pa.list_(pa.string()),
    }
    schema = pa.schema(
        [pa.field(name, types[t]) for name, t in _PARQUET_COLUMNS],
        metadata={"detector.schema": REPORT_SCHEMA},
    )
    table = pa.table(
        {name: pa.array(cols[name], type=schema.field(name).type) for name, _ in _PARQUET_COLUMNS},
        schema=schema,
    )
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return table.num_rows
