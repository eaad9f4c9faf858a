"""Token counting, usage accounting and adoption metrics on Spark (``pip install tokenmaxx[spark]``).

The same three operations as ``tokenmaxx.dask``, with ``DataFrame.mapInPandas``: each Spark
partition yields one partial result tagged with its partition number (``TaskContext``); the driver
collects them and merges them pairwise. Spark keeps the output of one successful attempt per task,
and the merge refuses two partials of one partition besides (``DoubleCountError``), so a retried
task (``spark.task.maxFailures``) never counts twice. Results equal a single-process run exactly.

- ``count_tokens(df, column)`` / ``count_files(spark, paths)``: totals with ``Encoding.count_batch``.
- ``ingest_usage(df, start_time, end_time)``: one ``Ledger`` per partition, delta snapshots merged
  with ``UsageSnapshot.merge``.
- ``add_adoption_events(aggregator, df)``: per-(person, group) sums merged exactly, then added to the
  driver's ``AdoptionAggregator``; noise comes only from the ``aggregator.release(...)`` you call.

docs/SCALE.md shows a run in local mode.
"""
from __future__ import annotations

import os
import pickle
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, Union

from tokenmaxx import _partials
from tokenmaxx._partials import DoubleCountError, TokenCount

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

    from tokenmaxx.privacy import AdoptionAggregator
    from tokenmaxx.usage import PriceTable, UsageSnapshot

__all__ = ["DoubleCountError", "TokenCount", "add_adoption_events", "count_files", "count_tokens", "ingest_usage"]

_PARTIAL_SCHEMA = "partition long, payload binary"
Paths = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]


def _partials_frame(df: DataFrame, per_partition: Callable[[int, Iterator[pd.DataFrame]], Any]) -> DataFrame:
    """One row (partition number, pickled partial) per partition of ``df``, empty partitions included."""

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd
        from pyspark import TaskContext

        context = TaskContext.get()
        if context is None:
            raise RuntimeError("tokenmaxx.spark: no TaskContext (not running inside a Spark task)")
        partition = context.partitionId()
        partial = per_partition(partition, batches)
        yield pd.DataFrame({"partition": [partition], "payload": [pickle.dumps(partial)]})

    return df.mapInPandas(run, _PARTIAL_SCHEMA)


def _collect(partials: DataFrame, partitions: int, empty: Any) -> Any:
    """Collects and merges the partials; every partition number 0..partitions-1 must be there once."""
    rows = partials.collect()
    merged = _partials.merge_all([pickle.loads(r["payload"]) for r in sorted(rows, key=lambda r: r["partition"])],
                                 empty)
    _partials.check_complete(merged.partitions, partitions)
    return merged


def _text_partials(df: DataFrame, column: str, encoding: str, num_threads: int) -> DataFrame:
    def per_partition(partition: int, batches: Iterator[pd.DataFrame]) -> TokenCount:
        return _partials.count_texts(partition, (b[column] for b in batches), encoding, column, num_threads)

    return _partials_frame(df.select(column), per_partition)


def count_tokens(df: DataFrame, column: str = "text", encoding: str = "o200k_base", *,
                 num_threads: int = 1) -> TokenCount:
    """Token, text and UTF-8 byte totals of a string column, counted as ``Encoding.count_batch`` does.
    ``ValueError`` (inside Spark's error) naming the partition and row for a null."""
    return _collect(_text_partials(df, column, encoding, num_threads), df.rdd.getNumPartitions(), TokenCount())


def count_files(spark: SparkSession, paths: Paths, *, column: str = "text", encoding: str = "o200k_base",
                num_threads: int = 1) -> TokenCount:
    """Totals of the ``column`` field of JSON Lines files (a malformed line fails the job, never
    skipped) or of the ``column`` column of Parquet files."""
    files = [os.fspath(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    if not files:
        raise ValueError("no input files")
    if all(f.endswith(".parquet") for f in files):
        df = spark.read.parquet(*files).select(column)
    elif all(f.endswith((".jsonl", ".json")) for f in files):
        df = spark.read.schema(f"`{column}` string").option("mode", "FAILFAST").json(files)
    else:
        raise ValueError(f"files must all be .jsonl (or .json lines) or all .parquet, got {files}")
    return count_tokens(df, column, encoding, num_threads=num_threads)


def _usage_partials(df: DataFrame, start: int, end: int, prices: str | Callable[[], PriceTable] | None,
                    capacity: int) -> DataFrame:
    def per_partition(partition: int, batches: Iterator[pd.DataFrame]) -> _partials.UsagePartial:
        return _partials.record_usage(partition, batches, start, end, prices, capacity)

    return _partials_frame(df, per_partition)


def ingest_usage(df: DataFrame, start_time: Any, end_time: Any, *,
                 prices: str | Callable[[], PriceTable] | None = None,
                 capacity: int = 65_536) -> UsageSnapshot:
    """The delta ``UsageSnapshot`` over [start_time, end_time) of a frame of usage events, as
    ``tokenmaxx.dask.ingest_usage`` (columns ``tenant``, ``model`` and ``Ledger.record``'s amounts)."""
    from tokenmaxx.usage import UsageSnapshot

    start, end = _partials.time_ns(start_time, "start_time"), _partials.time_ns(end_time, "end_time")
    if not 0 < start < end:
        raise ValueError(f"need 0 < start_time < end_time, got {start} and {end}")
    _partials.usage_columns(df.columns)
    merged = _collect(_usage_partials(df, start, end, prices, capacity), df.rdd.getNumPartitions(),
                      _partials.empty_usage(start, end))
    return UsageSnapshot.decode_binary(merged.snapshot).merge(UsageSnapshot("delta", start, end))


def _adoption_partials(df: DataFrame, dims: list[str], start: int, end: int) -> DataFrame:
    def per_partition(partition: int, batches: Iterator[pd.DataFrame]) -> _partials.AdoptionPartial:
        return _partials.sum_adoption(partition, batches, dims, start, end)

    return _partials_frame(df, per_partition)


def add_adoption_events(aggregator: AdoptionAggregator, df: DataFrame) -> int:
    """Adds a frame of adoption events to ``aggregator`` as adding them one by one would (columns as
    ``tokenmaxx.dask.add_adoption_events``); returns the number of (person, group) pairs added.
    Nothing is added unless every event is valid. Then call ``aggregator.release(...)``."""
    partials = _adoption_partials(df, list(aggregator.dimensions), aggregator.window_start_ns,
                                  aggregator.window_end_ns)
    merged = _collect(partials, df.rdd.getNumPartitions(), _partials.AdoptionPartial({}, frozenset()))
    return _partials.feed_aggregator(aggregator, merged)
