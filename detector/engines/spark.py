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

from detector.params import DEFAULT_PARAMS, Params

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from detector.load import LoadStats
    from detector.schema import Document

__all__ = [
    "align_pairs_spark",
    "build_report_spark",
    "candidate_pairs_spark",
    "connected_components",
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


def candidate_pairs_spark(keys: DataFrame, *, max_bucket: int, min_shared: int = 1) -> DataFrame:
    """Candidate pairs ``(i, j)``, ``i < j``, from bucket rows ``(key, band, idx)``.

    The DataFrame form of :func:`detector.candidates.candidate_pairs`: a
    ``groupBy`` per bucket collects its sorted distinct documents; buckets
    of 2..``max_bucket`` documents give every pair, larger ones link
    consecutive documents in corpus order; a pair linked by at least
    ``min_shared`` buckets is a candidate. Buckets with the same document
    set are expanded once, weighted. Shuffle O(K) for K bucket rows.
    """
    from pyspark.sql import functions as F

    buckets = (
        keys.groupBy("key")
        .agg(F.array_sort(F.collect_set("idx")).alias("docs"))
        .withColumn("n", F.size("docs"))
        .where(F.col("n") >= 2)
    )
    # Buckets holding the same documents link the same pairs (a reprint shares
    # hundreds of buckets with its source): expand each distinct document set
    # once, weighted by how many buckets hold it.
    sets = (
        buckets.groupBy("docs", "n")
        .agg(F.count(F.lit(1)).alias("w"))
        .withColumn("sid", F.xxhash64("docs"))
    )
    small = sets.where(F.col("n") <= max_bucket)
    pos = small.select("sid", "docs", "w", F.posexplode("docs").alias("p", "d"))
    all_pairs = (
        pos.alias("x")
        .join(
            pos.alias("y"),
            on=[
                F.col("x.sid") == F.col("y.sid"),
                F.col("x.docs") == F.col("y.docs"),  # exact, whatever the hash
                F.col("x.p") < F.col("y.p"),
            ],
        )
        .select(F.col("x.d").alias("i"), F.col("y.d").alias("j"), F.col("x.w").alias("w"))
    )
    big = sets.where(F.col("n") > max_bucket)
    chained = big.select(
        "w",
        F.explode(
            F.arrays_zip(
                F.slice("docs", 1, F.col("n") - 1).alias("i"),
                F.slice("docs", 2, F.col("n") - 1).alias("j"),
            )
        ).alias("z"),
    ).select(F.col("z.i").alias("i"), F.col("z.j").alias("j"), "w")
    linked = all_pairs.unionByName(chained).groupBy("i", "j").agg(F.sum("w").alias("count"))
    return linked.where(F.col("count") >= min_shared).select("i", "j")


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
        small_in = large.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
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


# --------------------------------------------------------------------------- clusters


def _overlap_edges(params_share: float):
    def run(item: tuple[int, Iterable[tuple[int, int, int]]]) -> Iterator[tuple[int, int]]:
        from detector.cluster import merge_overlapping

        nodes = sorted(item[1])
        spans = [(s, e) for _, s, e in nodes]
        for merged in merge_overlapping(spans, share=params_share):
            first = nodes[merged[0]][0]
            for k in merged[1:]:
                yield first, nodes[k][0]

    return run


def _component_clusters(rows: Iterator[Any]) -> Iterator[Any]:
    """Run the local engine's :func:`detector.cluster.build_clusters` on one component."""
    import json

    from detector.cluster import build_clusters
    from detector.index import decode_passages
    from detector.schema import DocInfo

    for row in rows:
        infos: dict[int, DocInfo] = {}
        texts: dict[str, str] = {}
        for d in row.docs:
            infos[d.idx] = DocInfo(
                id=d.id,
                outlet=d.outlet,
                date=d.date,
                url=d.url,
                lang=d.lang,
                chars=d.chars,
                words=d.words,
                extra=json.loads(d.extra),
            )
            texts[d.id] = d.text
        # the passages in global order, then the boilerplate groups in theirs:
        # the order build_clusters sees in the local engine
        passages = [
            (p.i, p.j, decode_passages(p.passage)[0])
            for p in sorted(row.passages, key=lambda p: p.g)
        ]
        boiler = [
            [tuple(o) for o in json.loads(b.occurrences)]
            for b in sorted(row.boiler or [], key=lambda b: b.g)
        ]
        yield from build_clusters(passages, infos, texts, boilerplate=boiler)


def _cluster_order(cluster: Any, index_of: dict[str, int]) -> tuple[int, int, int, int]:
    """The report order of :func:`detector.cluster.build_clusters`: most documents,
    then most characters, then first member's document index and start."""
    docs = {m.doc for m in cluster.members}
    size = sum(m.end - m.start for m in cluster.members)
    first = cluster.members[0]
    return (-len(docs), -size, index_of[first.doc], first.start)


def clusters_spark(
    spark: SparkSession,
    passages: DataFrame,
    boilerplate: Sequence[Sequence[tuple[int, int, int, int]]],
    infos: DataFrame,
    *,
    share: float | None = None,
) -> list[Any]:
    """Clusters of aligned passages and boilerplate groups, components found in Spark.

    Nodes are the two sides of every passage and every boilerplate
    occurrence; edges join the nodes of one passage or group, and nodes of
    one document whose spans overlap (:func:`detector.cluster.merge_overlapping`,
    per document in a ``groupByKey``). :func:`connected_components` labels
    the components, and each component's passages, groups and documents go
    to :func:`detector.cluster.build_clusters` in a worker. Clusters come back
    unnumbered and are ordered and numbered here exactly as ``build_clusters``
    does.
    """
    import json
    from dataclasses import replace

    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    from detector.cluster import MIN_OVERLAP

    share = MIN_OVERLAP if share is None else share
    # one row per passage, numbered in the local engine's order (i, j, k)
    flat = (
        passages.rdd.flatMap(
            lambda r: [((r.i, r.j, k), p) for k, p in enumerate(json.loads(r.passages))]
        )
        .sortByKey()
        .zipWithIndex()
        .map(
            lambda x: (
                x[1],
                x[0][0][0],
                x[0][0][1],
                json.dumps([x[0][1]], separators=(",", ":")),
                x[0][1],
            )
        )
        .persist()
    )
    n_pass = flat.count()
    pass_df = spark.createDataFrame(
        flat.map(lambda x: x[:4]),
        StructType(
            [
                StructField("g", LongType(), False),
                StructField("i", LongType(), False),
                StructField("j", LongType(), False),
                StructField("passage", StringType(), False),
            ]
        ),
    ).persist()
    # nodes: 2g and 2g+1 for passage g, then boilerplate occurrences
    pass_nodes = flat.flatMap(
        lambda x: [
            (2 * x[0], x[1], x[4][0], x[4][1], x[0]),
            (2 * x[0] + 1, x[2], x[4][2], x[4][3], x[0]),
        ]
    )
    boiler_rows = []
    boiler_groups = []
    nid = 2 * n_pass
    for k, occ in enumerate(boilerplate):
        g = n_pass + k
        boiler_groups.append((g, json.dumps([list(o) for o in occ])))
        for doc, start, end, _words in occ:
            boiler_rows.append((nid, doc, start, end, g))
            nid += 1
    nodes = (
        pass_nodes.union(spark.sparkContext.parallelize(boiler_rows, 1))
        if boiler_rows
        else pass_nodes
    )
    node_schema = "nid long, doc long, start long, end long, g long"
    nodes_df = spark.createDataFrame(nodes, node_schema).persist()
    group_first = nodes_df.groupBy("g").agg(F.min("nid").alias("first"))
    group_edges = (
        nodes_df.join(group_first, "g")
        .where(F.col("nid") != F.col("first"))
        .select(F.col("first").alias("u"), F.col("nid").alias("v"))
    )
    overlap_edges = spark.createDataFrame(
        nodes_df.rdd.map(lambda r: (r.doc, (r.nid, r.start, r.end)))
        .groupByKey()
        .flatMap(_overlap_edges(share)),
        "u long, v long",
    )
    components = connected_components(group_edges.unionByName(overlap_edges))
    node_comp = nodes_df.join(components, nodes_df.nid == components.node).select(
        "g", "doc", "component"
    )
    group_comp = node_comp.select("g", "component").distinct()
    comp_passages = (
        pass_df.join(group_comp, "g")
        .groupBy("component")
        .agg(F.collect_list(F.struct("g", "i", "j", "passage")).alias("passages"))
    )
    if boiler_groups:
        bg = spark.createDataFrame(boiler_groups, "g long, occurrences string")
        comp_boiler = (
            bg.join(group_comp, "g")
            .groupBy("component")
            .agg(F.collect_list(F.struct("g", "occurrences")).alias("boiler"))
        )
    else:
        comp_boiler = spark.createDataFrame(
            [], "component long, boiler array<struct<g:long,occurrences:string>>"
        )
    comp_docs = (
        node_comp.select("component", F.col("doc").alias("idx"))
        .distinct()
        .join(infos, "idx")
        .groupBy("component")
        .agg(
            F.collect_list(
                F.struct(
                    "idx", "id", "outlet", "date", "url", "lang", "chars", "words", "extra", "text"
                )
            ).alias("docs")
        )
    )
    per_comp = comp_docs.join(comp_passages, "component", "left").join(
        comp_boiler, "component", "left"
    )
    per_comp = per_comp.withColumn(
        "passages",
        F.coalesce(
            "passages", F.array().cast("array<struct<g:long,i:long,j:long,passage:string>>")
        ),
    )
    clusters = per_comp.rdd.mapPartitions(_component_clusters).collect()
    pass_df.unpersist()
    nodes_df.unpersist()
    flat.unpersist()
    index_of = {r.id: r.idx for r in infos.select("id", "idx").collect()}
    clusters.sort(key=lambda c: _cluster_order(c, index_of))
    return [replace(c, id=n) for n, c in enumerate(clusters, 1)]


# --------------------------------------------------------------------------- the report


def _facts_partition(params: Params):
    def run(rows: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
        from detector.report import analyse_document
        from detector.schema import Document

        for row in rows:
            # first pass: keys wait for the corpus-wide shingle mask
            f = analyse_document(
                int(row.idx), Document(id=row.id, text=row.text), params, defer_keys=True
            )
            yield (int(row.idx), f.info.words, f.shingles, f.segments, f.grams, f.repeats)

    return run


def _late_partition(params: Params, selected: Any, framing: bool):
    def run(rows: Iterator[Any]) -> Iterator[tuple[list[Any], list[Any]]]:
        from detector.boilerplate import phrase_occurrences
        from detector.tokens import tokenize

        model = None
        if framing:
            from detector.framing import load_default_model

            model = load_default_model()
        for row in rows:
            occ: list[Any] = []
            flags: list[Any] = []
            if len(selected.value[0]):
                toks = tokenize(row.text, stem=params.stem)
                occ = [(int(row.idx), *o) for o in phrase_occurrences(toks, *selected.value)]
            if model is not None:
                flags = model.explain_spans(row.text, doc=row.id, lang=row.lang)
            yield occ, flags

    return run


def _frequent_filter(pairs: Any, min_docs: int, spark: SparkSession) -> Any:
    """Keys of ``(key, idx)`` rows that occur in at least ``min_docs`` documents (a DataFrame)."""
    from pyspark.sql import functions as F

    df = spark.createDataFrame(pairs, "key long, idx long").distinct()
    return (
        df.groupBy("key").agg(F.count("idx").alias("n")).where(F.col("n") >= min_docs).select("key")
    )


def build_report_spark(
    sources_or_documents: Iterable[str] | Iterable[Document],
    params: Params = DEFAULT_PARAMS,
    *,
    master: str | None = None,
    skip_bad: bool = False,
    framing: bool = True,
    max_bucket: int | None = None,
    session: SparkSession | None = None,
    progress: Any = None,
    workers: int | None = None,
) -> Any:
    """:func:`detector.report.build_report` on Spark, with identical results.

    Args:
        sources_or_documents: paths as on the command line (files, folders,
            JSONL/CSV, ``.parquet``, ``-``) or :class:`Document` objects.
        params: tuning parameters (the same as the local engine's).
        master: Spark master URL (default ``local[*]``), e.g.
            ``spark://host:7077``; ignored when ``session`` is given.
        skip_bad: skip and count bad input records instead of raising.
        framing: flag framing sentences (the model is loaded in each worker).
        max_bucket: LSH bucket cap (see :func:`detector.candidates.candidate_pairs`).
        session: an existing SparkSession to use (tests share one).
        progress: accepted for signature compatibility with the local
            engine; Spark reports no per-item progress.
        workers: ignored (Spark decides parallelism from the master).

    Returns:
        A :class:`detector.schema.Report` equal to the local engine's for the
        same documents and parameters (``stages`` holds Spark's timings).

    The driver holds the document texts (as the local engine does) and the
    compact results; per-document work, banding, alignment, component
    labelling and per-cluster assembly run on the executors.
    """
    import json
    import time

    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from detector.boilerplate import aggregate_phrases, boilerplate_groups, select_phrase_grams
    from detector.candidates import (
        DEFAULT_MAX_BUCKET,
        MASK_MIN_DOCS,
        MASK_OUTLET_DOCS,
        shingle_mask,
    )
    from detector.engines.local import load_corpus
    from detector.report import DocFacts, assemble_report, doc_info, unit_index

    del progress, workers
    stages: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    items = list(sources_or_documents)
    docs, skipped, errors = load_corpus(items, skip_bad=skip_bad)  # Parquet too (detector.inputs)
    stages["load"] = time.perf_counter() - t0
    if not docs:  # nothing to distribute: no session needed
        return assemble_report(
            [], [], [], [], {}, skipped=skipped, errors=errors, stages=stages, notes=notes
        )
    spark = session or spark_session(master)
    sc = spark.sparkContext
    cap = max_bucket if max_bucket is not None else DEFAULT_MAX_BUCKET
    if framing:
        try:
            from detector.framing import load_default_model

            load_default_model()
        except Exception as exc:  # the report stands without framing; say why
            notes.append(f"framing not run: {type(exc).__name__}: {exc}")
            framing = False

    import pyarrow as pa

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

    t = time.perf_counter()
    facts_rdd = docs_df.rdd.mapPartitions(_facts_partition(params)).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    small = facts_rdd.map(lambda f: (f[0], f[1], f[5])).collect()
    small.sort(key=lambda x: x[0])
    import numpy as np

    empty = np.zeros(0, dtype=np.uint64)  # the driver keeps only info and repeats
    facts = [
        DocFacts(
            index=i,
            info=doc_info(docs[i], words),
            keys=empty,
            segments=(empty, empty, empty, empty),
            grams=empty,
            repeats=repeats,
        )
        for i, words, repeats in small
    ]
    stages["sketch"] = time.perf_counter() - t

    t = time.perf_counter()

    # The mask of corpus-common shingles (detector.candidates.shingle_mask).
    # Both of its rules need a shingle in >= min(MASK_OUTLET_DOCS,
    # MASK_MIN_DOCS) documents, so only those shingles (counted by a groupBy)
    # travel to the driver, where the local engine's own function decides.
    shingle_pairs = facts_rdd.flatMap(lambda f: [(int(x), f[0]) for x in np.unique(f[2]).tolist()])
    common = _frequent_filter(shingle_pairs, min(MASK_OUTLET_DOCS, MASK_MIN_DOCS), spark)
    mask_records = (
        spark.createDataFrame(shingle_pairs, "key long, idx long")
        .join(common, "key")
        .groupBy("idx")
        .agg(F.array_sort(F.collect_list("key")).alias("shingles"))
        .collect()
    )
    mask = shingle_mask(
        sorted(
            ((r.idx, np.asarray(r.shingles, dtype=np.uint32)) for r in mask_records),
            key=lambda x: x[0],
        ),
        [d.outlet for d in docs],
    )
    bc_mask = sc.broadcast(mask)
    stages["mask"] = time.perf_counter() - t
    t = time.perf_counter()

    def key_rows(f: tuple[Any, ...]) -> Iterator[tuple[int, int, int]]:
        import numpy as np

        from detector.candidates import band_keys, sketch_shingles

        sketch = sketch_shingles(str(f[0]), f[1], f[2], params, mask=bc_mask.value)
        keys = band_keys(sketch.signatures, params)
        if keys.size == 0:
            return
        bands = np.tile(np.arange(keys.shape[1], dtype=np.int64), keys.shape[0])
        uniq, first = np.unique(keys.ravel(), return_index=True)
        yield from zip(
            uniq.view(np.int64).tolist(), bands[first].tolist(), [f[0]] * len(uniq), strict=False
        )

    keys_df = spark.createDataFrame(facts_rdd.flatMap(key_rows), "key long, band long, idx long")
    pairs_df = candidate_pairs_spark(
        keys_df, max_bucket=cap, min_shared=params.lsh_min_bands
    ).persist()
    n_pairs = pairs_df.count()
    stages["candidates"] = time.perf_counter() - t

    t = time.perf_counter()
    passages_df = align_pairs_spark(spark, docs_df, pairs_df, params).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    passages_df.count()
    stages["align"] = time.perf_counter() - t

    t = time.perf_counter()
    # boilerplate: only segments whose key recurs in >= 3 documents can be
    # boilerplate, so only those travel to the driver (same groups result)
    seg_pairs = facts_rdd.flatMap(lambda f: [(k, f[0]) for k in f[3][0].view("int64").tolist()])
    frequent_seg = np.unique(
        np.array([r.key for r in _frequent_filter(seg_pairs, 3, spark).collect()], dtype=np.int64)
    )
    bc_seg = sc.broadcast(frequent_seg)

    def seg_filter(f: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        from detector.fingerprint import in_sorted

        keys, starts, ends, words = f[3]
        mask = in_sorted(keys.view(np.int64), bc_seg.value)
        if not mask.any():
            return []
        return [(f[0], keys[mask], starts[mask], ends[mask], words[mask])]

    seg_records = sorted(facts_rdd.flatMap(seg_filter).collect(), key=lambda r: r[0])
    outlets = [d.outlet for d in docs]
    groups = boilerplate_groups(seg_records, outlets, lambda i: docs[i].text, min_docs=3)

    info_table = pa.table(
        {
            "idx": pa.array(range(n), type=pa.int64()),
            "id": pa.array([f.info.id for f in facts], type=pa.string()),
            "outlet": pa.array([f.info.outlet for f in facts], type=pa.string()),
            "date": pa.array([f.info.date for f in facts], type=pa.string()),
            "url": pa.array([f.info.url for f in facts], type=pa.string()),
            "lang": pa.array([f.info.lang for f in facts], type=pa.string()),
            "chars": pa.array([f.info.chars for f in facts], type=pa.int64()),
            "words": pa.array([f.info.words for f in facts], type=pa.int64()),
            "extra": pa.array(
                [json.dumps(dict(f.info.extra), default=str) for f in facts], type=pa.string()
            ),
        }
    )
    infos_df = spark.createDataFrame(info_table).join(docs_df.select("idx", "text"), "idx")
    clusters = clusters_spark(spark, passages_df, groups, infos_df)

    # phrase grams: only grams in >= 3 documents can be selected
    gram_pairs = facts_rdd.flatMap(lambda f: [(g, f[0]) for g in f[4].view("int64").tolist()])
    frequent_grams = _frequent_filter(gram_pairs, 3, spark)
    per_doc = (
        spark.createDataFrame(gram_pairs, "key long, idx long")
        .join(frequent_grams, "key")
        .groupBy("idx")
        .agg(F.array_sort(F.collect_list("key")).alias("grams"))
        .collect()
    )
    gram_records = sorted(
        ((r.idx, np.asarray(r.grams, dtype=np.int64).view(np.uint64)) for r in per_doc),
        key=lambda x: x[0],
    )
    selected, df = select_phrase_grams(gram_records, outlets)
    stages["cluster"] = time.perf_counter() - t

    t = time.perf_counter()
    bc_sel = sc.broadcast((selected, df))
    late = docs_df.rdd.mapPartitions(_late_partition(params, bc_sel, framing)).collect()
    occurrences = [o for occ, _ in late for o in occ]
    flag_by_doc = {}
    for _, fl in late:
        for f in fl:
            flag_by_doc.setdefault(f.doc, []).append(f)
    # flags in document order, as the local engine emits them
    flags = [f for d in docs for f in flag_by_doc.get(d.id, ())]
    occurrences.sort(key=lambda o: o[0])
    documents = [f.info for f in facts]
    phrases = aggregate_phrases(
        occurrences, documents, lambda i: docs[i].text, unit_index(clusters, documents)
    )
    stages["phrases+framing"] = time.perf_counter() - t
    for frame in (passages_df, pairs_df, docs_df):
        frame.unpersist()
    facts_rdd.unpersist()
    stages["total"] = time.perf_counter() - t0
    return assemble_report(
        facts,
        clusters,
        phrases,
        flags,
        {d.id: d.text for d in docs},
        skipped=skipped,
        errors=errors,
        candidates=n_pairs,
        stages=stages,
        notes=notes,
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
