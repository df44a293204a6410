"""The corpus report on Apache Spark (PySpark), with results identical to the local engine.

``detector report CORPUS --engine spark [--master URL]`` calls
:func:`build_report_spark`. The stages are the local engine's pure functions
run inside Spark, so signatures, seeds, band layout and bucket keys (xxh3,
never Python's salted ``hash()``) are the same bit for bit:

1. **Load.** Documents are read by :func:`detector.load.iter_documents` (the
   same field rules, errors and ``skip_bad`` counting), or from Parquet
   (:func:`read_parquet_documents`); each gets its corpus position ``idx``.
2. **Sketch.** :func:`detector.candidates.sketch_document` and
   :func:`detector.candidates.band_keys` run inside ``mapPartitions`` in
   batches; out come rows ``(key, band, idx)``.
3. **Band.** A DataFrame ``groupBy`` on the bucket key (which already folds
   in the band number: ``key = xxh3(rows) XOR band``) collects each bucket's
   sorted documents. Buckets of 2..``max_bucket`` documents give all their
   pairs; larger buckets are chained in corpus order, exactly as
   :func:`detector.candidates.candidate_pairs` does.
4. **Align.** Candidate pairs are joined with both documents' texts and
   aligned by :func:`detector.align.align_passages` inside ``mapPartitions``
   (pairs sorted by their first document, so each partition tokenises a
   document once).
5. **Group.** Passage occurrences become graph nodes; connected components
   are found with DataFrame joins (the large-star/small-star alternation of
   Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014),
   and each component is turned into clusters by the local engine's own
   grouping functions, so chaining rules, boilerplate and ``earliest`` are
   decided by the same code.

No GraphFrames (it fetches a jar at run time) and no MLlib ``MinHashLSH``
(its hashes differ from datasketch's). ``pyspark`` is imported only inside
functions here, so nothing else in ``detector`` pays for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from detector.params import Params

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from detector.load import LoadStats
    from detector.schema import Document

__all__ = [
    "build_report_spark",
    "candidate_pairs_spark",
    "connected_components",
    "read_parquet_documents",
    "spark_session",
    "write_report_parquet",
]

_SKETCH_BATCH = 256  # documents sketched per batch inside a partition


def _is_local(master: str) -> bool:
    return master.startswith("local")


def spark_session(
    master: str | None = None, *, app_name: str = "detector", shuffle_partitions: int | None = None
) -> SparkSession:
    """A SparkSession for the report (the active one is reused if it exists).

    Args:
        master: Spark master URL; ``None`` means ``local[*]``. In local mode
            the driver binds to 127.0.0.1 only.
        app_name: application name shown by the cluster manager.
        shuffle_partitions: ``spark.sql.shuffle.partitions``; default twice
            the local cores in local mode (Spark's default of 200 is far too
            many for one machine), Spark's own default otherwise.

    The web UI and console progress bars are off, logs are at ERROR, and
    ``PYSPARK_PYTHON`` is the running interpreter so workers import the same
    ``detector``.
    """
    from pyspark.sql import SparkSession

    master = master or "local[*]"
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if _is_local(master):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
        if shuffle_partitions is None:
            shuffle_partitions = 2 * (os.cpu_count() or 2)
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


# --------------------------------------------------------------------------- input


def read_parquet_documents(
    paths: Sequence[str], *, skip_bad: bool = False, stats: LoadStats | None = None
) -> Iterator[Document]:
    """Documents from Parquet files with the JSONL field rules.

    Columns: ``id`` and ``text`` (strings, required), optional ``outlet``
    (or passim's ``series``), ``date``, ``url``, ``lang``; every other column
    goes to ``Document.extra``. Files are read in the order given, in record
    batches (bounded memory). A missing id/text or a duplicate id raises
    :class:`~detector.errors.InputError` naming the file and row, or is
    skipped and counted with ``skip_bad``.
    """
    import pyarrow.parquet as pq

    from detector.errors import InputError
    from detector.load import LoadStats
    from detector.schema import Document

    stats = stats if stats is not None else LoadStats()
    seen: set[str] = set()

    def bad(err: InputError) -> None:
        if not skip_bad:
            raise err
        stats.skipped += 1
        stats.errors.append(err)

    for path in paths:
        try:
            pf = pq.ParquetFile(path)
        except (OSError, ValueError) as exc:
            bad(InputError(path, f"cannot read Parquet: {exc}"))
            continue
        stats.files += 1
        row = 0
        for batch in pf.iter_batches(batch_size=1024):
            for rec in batch.to_pylist():
                row += 1
                doc_id, text = rec.pop("id", None), rec.pop("text", None)
                if not isinstance(doc_id, str) or not doc_id:
                    bad(InputError(path, "missing or non-string 'id'", line=row))
                    continue
                if not isinstance(text, str):
                    bad(InputError(path, f"record {doc_id!r} has no string 'text'", line=row))
                    continue
                if doc_id in seen:
                    bad(InputError(path, f"duplicate id {doc_id!r}", line=row))
                    continue
                seen.add(doc_id)
                outlet = rec.pop("outlet", None)
                series = rec.pop("series", None)
                meta = {k: rec.pop(k, None) for k in ("date", "url", "lang")}
                stats.documents += 1
                yield Document(
                    id=doc_id,
                    text=text,
                    outlet=outlet if outlet is not None else series,
                    date=None if meta["date"] is None else str(meta["date"]),
                    url=meta["url"],
                    lang=meta["lang"],
                    extra={k: v for k, v in rec.items() if v is not None},
                    source=path,
                    line=row,
                )


def _load(
    sources: Iterable[str], *, skip_bad: bool, stats: LoadStats
) -> list[Document]:
    """Every document in corpus order: Parquet files via pyarrow, the rest via the loader."""
    from detector.load import iter_documents

    docs: list[Document] = []
    seen: set[str] = set()
    for source in sources:
        source = os.fspath(source)
        if source.endswith(".parquet"):
            part = read_parquet_documents([source], skip_bad=skip_bad, stats=stats)
        else:
            part = iter_documents([source], skip_bad=skip_bad, stats=stats)
        for doc in part:
            if doc.id in seen:
                from detector.errors import InputError

                err = InputError(doc.source or source, f"duplicate id {doc.id!r}", line=doc.line)
                if not skip_bad:
                    raise err
                stats.skipped += 1
                stats.errors.append(err)
                stats.documents -= 1
                continue
            seen.add(doc.id)
            docs.append(doc)
    return docs


def _documents_frame(spark: SparkSession, docs: Sequence[Document]) -> DataFrame:
    """``(idx, text)`` rows, built through Arrow (no per-row py4j calls)."""
    import pyarrow as pa

    table = pa.table(
        {
            "idx": pa.array(range(len(docs)), type=pa.int64()),
            "text": pa.array([d.text for d in docs], type=pa.large_string()),
        }
    )
    return spark.createDataFrame(table)


# --------------------------------------------------------------------------- sketch and band


def _sketch_partition(params: Params):
    def run(rows: Iterator[Any]) -> Iterator[tuple[int, int, int]]:
        import numpy as np

        from detector.candidates import band_keys, sketch_document
        from detector.schema import Document

        for row in rows:
            sketch = sketch_document(Document(id=str(row.idx), text=row.text), params)
            keys = band_keys(sketch.signatures, params)
            if keys.size == 0:
                continue
            # one entry per distinct key and document (candidate_pairs does the same)
            flat = keys.ravel()
            bands = np.tile(np.arange(keys.shape[1], dtype=np.int64), keys.shape[0])
            uniq, first = np.unique(flat, return_index=True)
            signed = uniq.view(np.int64)
            for key, band in zip(signed.tolist(), bands[first].tolist()):
                yield key, band, int(row.idx)

    return run


def candidate_pairs_spark(keys: DataFrame, *, max_bucket: int) -> DataFrame:
    """Candidate pairs ``(i, j)``, ``i < j``, from bucket rows ``(key, band, idx)``.

    The DataFrame form of :func:`detector.candidates.candidate_pairs`: a
    ``groupBy`` per bucket collects its sorted distinct documents; buckets
    of 2..``max_bucket`` documents give every pair, larger ones link
    consecutive documents in corpus order. Shuffle O(K) for K bucket rows.
    """
    from pyspark.sql import functions as F

    buckets = (
        keys.groupBy("key")
        .agg(F.array_sort(F.collect_set("idx")).alias("docs"))
        .withColumn("n", F.size("docs"))
        .where(F.col("n") >= 2)
    )
    small = buckets.where(F.col("n") <= max_bucket)
    pos = small.select("key", F.posexplode("docs").alias("p", "d"))
    all_pairs = (
        pos.alias("x")
        .join(pos.alias("y"), on=[F.col("x.key") == F.col("y.key"), F.col("x.p") < F.col("y.p")])
        .select(F.col("x.d").alias("i"), F.col("y.d").alias("j"))
    )
    big = buckets.where(F.col("n") > max_bucket)
    chained = big.select(
        F.explode(
            F.arrays_zip(
                F.slice("docs", 1, F.col("n") - 1).alias("i"),
                F.slice("docs", 2, F.col("n") - 1).alias("j"),
            )
        ).alias("z")
    ).select(F.col("z.i").alias("i"), F.col("z.j").alias("j"))
    return all_pairs.unionByName(chained).distinct()


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
    joined = (
        pairs.join(left, "i").join(right, "j").repartition("i").sortWithinPartitions("i", "j")
    )
    schema = StructType(
        [
            StructField("i", LongType(), False),
            StructField("j", LongType(), False),
            StructField("passages", StringType(), False),
        ]
    )
    return spark.createDataFrame(joined.rdd.mapPartitions(_align_partition(params)), schema)


# --------------------------------------------------------------------------- connected components


def connected_components(edges: DataFrame, *, max_rounds: int = 64) -> DataFrame:
    """Connected components of an undirected graph given as ``(u, v)`` long edges.

    Large-star / small-star alternation (Kiveris et al. 2014): each round
    rewires every node to the smallest node of its neighbourhood; when a
    round changes no edge, every component is a star around its smallest
    node. O(log n) rounds of joins in practice.

    Returns:
        ``(node, component)`` for every node that appears in an edge, where
        ``component`` is the smallest node id of its component. Isolated nodes
        (no edge) do not appear.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    e = (
        edges.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
        .where(F.col("u") != F.col("v"))
        .distinct()
        .localCheckpoint()
    )
    for _ in range(max_rounds):
        # large star: every larger neighbour of u points to min(N(u) + u)
        both = e.unionByName(e.select(F.col("v").alias("u"), F.col("u").alias("v")))
        w = Window.partitionBy("u")
        large = (
            both.withColumn("m", F.least(F.col("u"), F.min("v").over(w)))
            .where(F.col("v") > F.col("u"))
            .select(F.col("v").alias("u"), F.col("m").alias("v"))
            .where(F.col("u") != F.col("v"))
            .distinct()
        )
        # small star: u and its smaller neighbours all point to their minimum
        small_in = large.select(
            F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v")
        )
        m = small_in.groupBy("u").agg(F.min("v").alias("m"))
        small = (
            small_in.join(m, "u")
            .select(F.col("v").alias("x"), F.col("m"))
            .unionByName(m.select(F.col("u").alias("x"), F.col("m")))
            .where(F.col("x") != F.col("m"))
            .select(F.greatest("x", "m").alias("u"), F.least("x", "m").alias("v"))
            .distinct()
            .localCheckpoint()
        )
        changed = small.exceptAll(e).limit(1).count() + e.exceptAll(small).limit(1).count()
        e = small
        if changed == 0:
            break
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    # converged: every edge is (node, root), root the smallest of the component
    roots = e.select(F.col("v").alias("node"), F.col("v").alias("component")).distinct()
    return e.select(F.col("u").alias("node"), F.col("v").alias("component")).unionByName(roots)
