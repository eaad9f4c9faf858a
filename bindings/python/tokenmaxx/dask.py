"""Token counting, usage accounting and adoption metrics on a Dask cluster (``pip install tokenmaxx[dask]``).

Every function computes one partial result per partition, tagged with the partition's number, and
merges them by a tree reduction (``split_every`` at a time). A merge refuses two partials of the
same partition and the result must cover every partition once, so a task that Dask recomputes after
losing a worker is never counted twice (``DoubleCountError`` if it ever were). Results equal a
single-process run exactly. The computation runs on the active ``distributed.Client`` (or Dask's
default scheduler without one).

- ``count_tokens(series)`` / ``count_files(paths)``: token, text and byte totals with
  ``Encoding.count_batch`` per partition (native threads, the GIL released).
- ``ingest_usage(events, start_time, end_time)``: one ``Ledger`` per partition, its delta
  ``UsageSnapshot``, merged with ``UsageSnapshot.merge``.
- ``add_adoption_events(aggregator, events)``: per partition the amounts summed per (person, group);
  the sums merge exactly, so a person whose events span partitions is one person with one total per
  group when the driver's ``AdoptionAggregator`` bounds the contributions. Noise is added only by
  the ``aggregator.release(...)`` you call afterwards, through its one accountant.

docs/SCALE.md shows a run on a local cluster and the figures for a billion events a day.
"""
from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any, Callable, Sequence, Union

import dask
import dask.bag
import dask.dataframe as dd

from tokenmaxx import _partials
from tokenmaxx._partials import DoubleCountError, TokenCount

if TYPE_CHECKING:
    from tokenmaxx.privacy import AdoptionAggregator
    from tokenmaxx.usage import PriceTable, UsageSnapshot

__all__ = ["DoubleCountError", "TokenCount", "add_adoption_events", "count_files", "count_tokens", "ingest_usage"]

Paths = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]


def _merge_many(*partials: Any) -> Any:
    return functools.reduce(lambda a, b: a.merge(b), partials)


def _reduce(partials: list[Any], empty: Any, split_every: int) -> Any:
    """Merges delayed partials ``split_every`` at a time, computes, and checks every partition is in."""
    if split_every < 2:
        raise ValueError(f"split_every must be >= 2, got {split_every}")
    if not partials:
        return empty
    level = partials
    while len(level) > 1:
        level = [dask.delayed(_merge_many, pure=True)(*level[i:i + split_every])
                 for i in range(0, len(level), split_every)]
    (result,) = dask.compute(level[0])
    _partials.check_complete(result.partitions, len(partials))
    return result


def _series(texts: Any) -> Any:
    if isinstance(texts, dd.DataFrame):
        if len(texts.columns) != 1:
            raise ValueError(f"pass one text column (a Series), not a frame with columns {list(texts.columns)}")
        return texts[texts.columns[0]]
    if not isinstance(texts, dd.Series):
        raise TypeError(f"expected a dask.dataframe Series of text, got {type(texts).__name__}")
    return texts


def count_tokens(texts: dd.Series, encoding: str = "o200k_base", *, num_threads: int = 1,
                 split_every: int = 8) -> TokenCount:
    """Token, text and UTF-8 byte totals of a text column, counted as ``Encoding.count_batch`` does.

    ``num_threads`` native threads per partition (keep ``threads x num_threads`` per worker at its
    cores). ``ValueError`` naming the partition and row for a value that is not text.
    """
    series = _series(texts)
    name = str(series.name)
    partials = [dask.delayed(_partials.count_texts, pure=True)(i, [part], encoding, name, num_threads)
                for i, part in enumerate(series.to_delayed())]
    return _reduce(partials, TokenCount(), split_every)


def _jsonl_texts(lines: Sequence[str], column: str, partition: int) -> list[Any]:
    import json

    out = []
    for n, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"partition {partition}, line {n}: not JSON ({e.msg}); nothing of this partition "
                             "was counted") from None
        if not isinstance(record, dict) or column not in record:
            raise ValueError(f"partition {partition}, line {n}: no {column!r} field; nothing of this partition "
                             "was counted")
        out.append(record[column])
    return out


def _count_lines(partition: int, lines: Sequence[str], column: str, encoding: str, num_threads: int) -> TokenCount:
    return _partials.count_texts(partition, [_jsonl_texts(lines, column, partition)], encoding, column, num_threads)


def _file_list(paths: Paths) -> list[str]:
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not items:
        raise ValueError("no input files")
    return [os.fspath(p) for p in items]


def count_files(paths: Paths, *, column: str = "text", encoding: str = "o200k_base", blocksize: int | str = "64MiB",
                num_threads: int = 1, split_every: int = 8) -> TokenCount:
    """Totals of the ``column`` field of JSON Lines files (``.jsonl``, read in ``blocksize`` pieces,
    blank lines skipped) or of the ``column`` column of Parquet files (``.parquet``). A malformed line
    or a record without the field is a ``ValueError``, never skipped."""
    files = _file_list(paths)
    kinds = {"parquet" if f.endswith(".parquet") else "jsonl" if f.endswith((".jsonl", ".json")) else f for f in files}
    if kinds == {"parquet"}:
        return count_tokens(dd.read_parquet(files, columns=[column])[column], encoding, num_threads=num_threads,
                            split_every=split_every)
    if kinds != {"jsonl"}:
        raise ValueError(f"files must all be .jsonl (or .json lines) or all .parquet, got {sorted(kinds)}")
    parts = dask.bag.read_text(files, blocksize=blocksize).to_delayed()
    partials = [dask.delayed(_count_lines, pure=True)(i, part, column, encoding, num_threads)
                for i, part in enumerate(parts)]
    return _reduce(partials, TokenCount(), split_every)


def ingest_usage(events: dd.DataFrame, start_time: Any, end_time: Any, *,
                 prices: str | Callable[[], PriceTable] | None = None, capacity: int = 65_536,
                 split_every: int = 8) -> UsageSnapshot:
    """The delta ``UsageSnapshot`` over [start_time, end_time) of a frame of usage events.

    Columns: ``tenant``, ``model`` and any of ``Ledger.record``'s amounts (``input``, ``output``, ...,
    ``prompt_tokens``); one ``record()`` per row, so price tiers apply per request. ``prices`` is
    LiteLLM's price JSON as text, or a function that builds the ``PriceTable`` (it runs on the
    workers). Times are timezone-aware
    datetimes or int nanoseconds. The rows come in canonical (tenant, model) order.
    """
    from tokenmaxx.usage import UsageSnapshot

    start, end = _partials.time_ns(start_time, "start_time"), _partials.time_ns(end_time, "end_time")
    if not 0 < start < end:
        raise ValueError(f"need 0 < start_time < end_time, got {start} and {end}")
    _partials.usage_columns(list(events.columns))
    partials = [dask.delayed(_partials.record_usage, pure=True)(i, [part], start, end, prices, capacity)
                for i, part in enumerate(events.to_delayed())]
    merged = _reduce(partials, _partials.empty_usage(start, end), split_every)
    # Merging with an empty snapshot of the same range puts even a single partition in canonical order.
    return UsageSnapshot.decode_binary(merged.snapshot).merge(UsageSnapshot("delta", start, end))


def add_adoption_events(aggregator: AdoptionAggregator, events: dd.DataFrame, *, split_every: int = 8) -> int:
    """Adds a frame of adoption events to ``aggregator`` exactly as adding them one by one would;
    returns the number of (person, group) pairs added. Then call ``aggregator.release(...)``.

    Columns: ``person_id``, ``time`` (timezone-aware or int ns, inside the aggregator's window), one
    column per dimension (``aggregator.dimensions``) and any of ``tokens``, ``requests``,
    ``cost_micros``. Every event is checked on the workers before anything is added: on a bad event
    (``ValueError`` naming partition and row) nothing is added.
    """
    dims = list(aggregator.dimensions)
    start, end = aggregator.window_start_ns, aggregator.window_end_ns
    partials = [dask.delayed(_partials.sum_adoption, pure=True)(i, [part], dims, start, end)
                for i, part in enumerate(events.to_delayed())]
    merged = _reduce(partials, _partials.AdoptionPartial({}, frozenset()), split_every)
    return _partials.feed_aggregator(aggregator, merged)
