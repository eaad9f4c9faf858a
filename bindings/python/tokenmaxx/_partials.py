"""Engine-neutral partial results for tokenmaxx.dask and tokenmaxx.spark (internal).

Each partition of a distributed input becomes one partial result tagged with the partition numbers it
covers. Merging two partials refuses when they share a partition, and the final result must cover
every partition exactly once: a partition computed twice (a retried task whose first result also
arrived) can never be counted twice, and a lost one can never be silently missing.

The three kinds of partial:

- ``TokenCount``: token, text and UTF-8 byte totals of a text column (``Encoding.count_batch``).
- ``UsagePartial``: a delta ``UsageSnapshot`` of the partition's usage events, made by one ``Ledger``
  per partition and merged with ``UsageSnapshot.merge`` (exact, associative, commutative).
- ``AdoptionPartial``: per (person, group) the summed tokens, requests and cost of the partition's
  events. Sums merge exactly, so one person's events spread over many partitions end up as one
  total per group; contribution bounding and noise then happen once, in the one
  ``AdoptionAggregator`` on the driver (``feed_aggregator``), exactly as if every event had been
  added there.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence, TypeVar

from tokenmaxx.token import get_encoding

# Amounts the ledger records, as Ledger.record's keyword arguments.
USAGE_FIELDS = ("input", "cached_input", "cache_creation", "cache_creation_1h", "output", "reasoning", "requests",
                "errors", "prompt_tokens")
ADOPTION_AMOUNTS = ("tokens", "requests", "cost_micros")
INT64_MAX = 2**63 - 1  # the adoption aggregator's per-(person, group) sums saturate here


class DoubleCountError(RuntimeError):
    """Two partial results cover the same partition, or the merged result misses one."""


def _covered(a: frozenset[int], b: frozenset[int]) -> frozenset[int]:
    both = a & b
    if both:
        raise DoubleCountError(f"partition(s) {sorted(both)[:10]} would be counted twice; nothing was merged")
    return a | b


def check_complete(partitions: frozenset[int], expected: int) -> None:
    """Raises unless ``partitions`` is exactly {0, ..., expected - 1}."""
    if partitions != frozenset(range(expected)):
        missing = sorted(set(range(expected)) - partitions)
        extra = sorted(partitions - set(range(expected)))
        raise DoubleCountError(f"the merged result covers the wrong partitions (missing {missing[:10]}, "
                               f"unexpected {extra[:10]}) of {expected}")


@dataclass(frozen=True)
class TokenCount:
    """Token, text and UTF-8 byte totals over the partitions in ``partitions``."""

    tokens: int = 0
    texts: int = 0
    utf8_bytes: int = 0
    partitions: frozenset[int] = field(default_factory=frozenset)

    def merge(self, other: TokenCount) -> TokenCount:
        """The sum of two counts over disjoint partitions (``DoubleCountError`` otherwise)."""
        return TokenCount(self.tokens + other.tokens, self.texts + other.texts, self.utf8_bytes + other.utf8_bytes,
                          _covered(self.partitions, other.partitions))


def time_ns(value: Any, what: str) -> int:
    """Nanoseconds since the Unix epoch of a timezone-aware datetime or an int (in 64 bits)."""
    from tokenmaxx.privacy import _ns

    try:
        ns = _ns(value)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{what}: {e}") from None
    if not -(2**63) <= ns <= INT64_MAX:
        raise ValueError(f"{what} is out of the 64-bit range of nanoseconds")
    return ns


TokenCount.__init__.__doc__ = "Totals over ``partitions`` (a partial result, or the merged one)."


def _row_error(partition: int, row: int, what: str) -> ValueError:
    return ValueError(f"partition {partition}, row {row}: {what}; nothing of this partition was counted")


def _is_null(v: Any) -> bool:
    """None, NaN, or pandas' NA/NaT (checked by type name: pandas is not needed here)."""
    return v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ in ("NAType", "NaTType")


def count_texts(partition: int, batches: Iterable[Iterable[Any]], encoding: str, column: str = "text",
                num_threads: int = 1) -> TokenCount:
    """Counts one partition's texts (given in one or more batches) with ``Encoding.count_batch``
    (native threads, the GIL released). ``ValueError`` naming the row for a value that is not text."""
    enc = get_encoding(encoding)
    tokens = texts = utf8 = 0
    for batch in batches:
        values = list(batch)
        for i, t in enumerate(values):
            if not isinstance(t, str):
                kind = "null" if _is_null(t) else type(t).__name__
                raise _row_error(partition, texts + i, f"column {column!r} holds {kind}, not text")
            try:
                utf8 += len(t.encode("utf-8"))
            except UnicodeEncodeError:
                raise _row_error(partition, texts + i, "the text holds a lone surrogate (not valid Unicode)") from None
        tokens += sum(enc.count_batch(values, num_threads=num_threads))
        texts += len(values)
    return TokenCount(tokens, texts, utf8, frozenset([partition]))


@dataclass(frozen=True)
class UsagePartial:
    """A delta usage snapshot (encoded with its checksum) over the partitions in ``partitions``."""

    snapshot: bytes
    partitions: frozenset[int]

    def merge(self, other: UsagePartial) -> UsagePartial:
        """``UsageSnapshot.merge`` of two partials over disjoint partitions."""
        from tokenmaxx.usage import UsageSnapshot

        covered = _covered(self.partitions, other.partitions)
        merged = UsageSnapshot.decode_binary(self.snapshot).merge(UsageSnapshot.decode_binary(other.snapshot))
        return UsagePartial(merged.encode_binary(), covered)


UsagePartial.__init__.__doc__ = "An encoded delta snapshot over ``partitions``."


def _int_column(frame: Any, name: str, partition: int, offset: int) -> list[int]:
    column = frame[name]
    if column.isna().any():
        row = int(column.isna().to_numpy().nonzero()[0][0])
        raise _row_error(partition, offset + row, f"column {name!r} is null")
    if column.dtype.kind not in "iu" and not (column.dtype.kind == "O" and all(type(v) is int for v in column)):
        raise ValueError(f"partition {partition}: column {name!r} must hold integers, not {column.dtype}; "
                         "nothing of this partition was counted")
    return [int(v) for v in column.tolist()]


def _text_column(frame: Any, name: str, partition: int, offset: int) -> list[str]:
    values = frame[name].tolist()
    for i, v in enumerate(values):
        if not isinstance(v, str) or not v:
            raise _row_error(partition, offset + i, f"column {name!r} must hold non-empty text, got {type(v).__name__}")
    return values


def usage_columns(columns: Sequence[str]) -> list[str]:
    """The amount columns of a usage frame; ``ValueError`` for a column that is not one."""
    names = [str(c) for c in columns]
    for needed in ("tenant", "model"):
        if needed not in names:
            raise ValueError(f"usage events need a {needed!r} column; the frame has {names}")
    unknown = [c for c in names if c not in ("tenant", "model", *USAGE_FIELDS)]
    if unknown:
        raise ValueError(f"unknown usage column(s) {unknown}: the columns are 'tenant', 'model' and any of "
                         f"{list(USAGE_FIELDS)} (select the ones you mean; none is ignored)")
    amounts = [c for c in names if c in USAGE_FIELDS]
    if not amounts:
        raise ValueError(f"usage events need at least one amount column among {list(USAGE_FIELDS)}")
    return amounts


def record_usage(partition: int, frames: Iterable[Any], start_time: int, end_time: int,
                 prices: str | Callable[[], Any] | None = None, capacity: int = 65_536) -> UsagePartial:
    """Records one partition's events (one or more frames), one ``Ledger.record`` per row, into a
    fresh ledger; its delta snapshot over [start_time, end_time) is the partial. ``ValueError``
    (naming the row) for a bad event, ``LedgerFullError`` for more than ``capacity`` keys."""
    from tokenmaxx.usage import Ledger, PriceTable

    table = PriceTable.from_litellm_json(prices) if isinstance(prices, str) else None if prices is None else prices()
    ledger = Ledger(capacity, prices=table, start_time=start_time)
    handles: dict[tuple[str, str], Any] = {}
    offset = 0
    for frame in frames:
        amounts = usage_columns(list(frame.columns))
        tenants = _text_column(frame, "tenant", partition, offset)
        models = _text_column(frame, "model", partition, offset)
        values = [_int_column(frame, c, partition, offset) for c in amounts]
        for row, key in enumerate(zip(tenants, models)):
            handle = handles.get(key)
            if handle is None:
                handle = handles[key] = ledger.resolve(*key)
            try:
                ledger.record(handle, **{c: v[row] for c, v in zip(amounts, values)})
            except ValueError as e:
                raise _row_error(partition, offset + row, str(e)) from None
        offset += len(frame)
    return UsagePartial(ledger.snapshot_and_reset(now=end_time).encode_binary(), frozenset([partition]))


def empty_usage(start_time: int, end_time: int) -> UsagePartial:
    """The partial of no partition: an empty delta snapshot over [start_time, end_time)."""
    from tokenmaxx.usage import UsageSnapshot

    return UsagePartial(UsageSnapshot("delta", start_time, end_time).encode_binary(), frozenset())


@dataclass(frozen=True)
class AdoptionPartial:
    """Per (person id, group values): [tokens, requests, cost_micros] summed, saturating at 2^63 - 1.

    Holds person identifiers as the input does; it lives only inside the cluster and the driver,
    and its one use is ``feed_aggregator``."""

    sums: dict[tuple[str, tuple[str, ...]], list[int]]
    partitions: frozenset[int]

    def merge(self, other: AdoptionPartial) -> AdoptionPartial:
        """The per-key sums of two partials over disjoint partitions."""
        covered = _covered(self.partitions, other.partitions)
        big, small = (self.sums, other.sums) if len(self.sums) >= len(other.sums) else (other.sums, self.sums)
        out = {k: list(v) for k, v in big.items()}
        for k, v in small.items():
            have = out.get(k)
            out[k] = list(v) if have is None else [min(a + b, INT64_MAX) for a, b in zip(have, v)]
        return AdoptionPartial(out, covered)


AdoptionPartial.__init__.__doc__ = "Per-(person, group) sums over ``partitions``."


def _time_column(frame: Any, partition: int, offset: int) -> list[int]:
    import pandas as pd

    column = frame["time"]
    if column.isna().any():
        row = int(column.isna().to_numpy().nonzero()[0][0])
        raise _row_error(partition, offset + row, "column 'time' is null")
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return [int(v) for v in column.dt.tz_convert("UTC").dt.as_unit("ns").astype("int64").tolist()]
    if column.dtype.kind == "M":
        raise ValueError(f"partition {partition}: column 'time' holds naive datetimes; give them a time zone "
                         "(or int nanoseconds since the Unix epoch)")
    return _int_column(frame, "time", partition, offset)


def _group_value(v: Any, partition: int, row: int, name: str) -> str:
    ok = isinstance(v, str)
    if ok:
        try:
            ok = 1 <= len(v.encode("utf-8")) <= 256
        except UnicodeEncodeError:
            ok = False
    if not ok:
        raise _row_error(partition, row, f"column {name!r} must hold 1..256 bytes of valid text")
    return v


def sum_adoption(partition: int, frames: Iterable[Any], dimensions: Sequence[str], window_start: int,
                 window_end: int) -> AdoptionPartial:
    """Validates every event of one partition (one or more frames) as ``AdoptionAggregator.add``
    would and sums the amounts per (person, group). Columns: ``person_id``, ``time`` (timezone-aware
    or int ns), one per dimension, and any of ``tokens``/``requests``/``cost_micros``."""
    sums: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    checked: set[tuple[Any, ...]] = set()
    offset = 0
    for frame in frames:
        names = [str(c) for c in frame.columns]
        needed = ["person_id", "time", *dimensions]
        missing = [c for c in needed if c not in names]
        unknown = [c for c in names if c not in needed and c not in ADOPTION_AMOUNTS]
        if missing or unknown:
            raise ValueError(f"adoption events need columns {needed} and any of {list(ADOPTION_AMOUNTS)}; "
                             f"missing {missing}, unknown {unknown}")
        people = _text_column(frame, "person_id", partition, offset)
        times = _time_column(frame, partition, offset)
        groups = list(zip(*(frame[d].tolist() for d in dimensions)))
        amounts = [_int_column(frame, c, partition, offset) if c in names else None for c in ADOPTION_AMOUNTS]
        for row, (person, t, group) in enumerate(zip(people, times, groups)):
            if group not in checked:
                for d, v in zip(dimensions, group):
                    _group_value(v, partition, offset + row, d)
                checked.add(group)
            if not window_start <= t < window_end:
                raise _row_error(partition, offset + row,
                                 f"time {t} ns is outside the window [{window_start}, {window_end})")
            event = [0 if a is None else a[row] for a in amounts]
            if any(not 0 <= v <= INT64_MAX for v in event):
                raise _row_error(partition, offset + row, "tokens, requests and cost_micros must be in [0, 2^63)")
            have = sums.get((person, group))
            sums[(person, group)] = event if have is None else [min(a + b, INT64_MAX) for a, b in zip(have, event)]
        offset += len(frame)
    return AdoptionPartial(sums, frozenset([partition]))


def feed_aggregator(aggregator: Any, merged: AdoptionPartial) -> int:
    """Adds one event per (person, group) holding its summed amounts, at the window's start; returns
    the number of (person, group) pairs. The aggregator keeps only these per-pair sums and bounds them
    at release, so this equals adding every event one by one."""
    start = aggregator.window_start_ns
    for (person, group), (tokens, requests, cost) in sorted(merged.sums.items()):
        aggregator.add(person, list(group), start, tokens=tokens, requests=requests, cost_micros=cost)
    return len(merged.sums)


P = TypeVar("P", TokenCount, UsagePartial, AdoptionPartial)


def merge_all(partials: Sequence[P], empty: P) -> P:
    """Pairwise (tree) merge of in-memory partials; ``empty`` for none."""
    level = list(partials)
    if not level:
        return empty
    while len(level) > 1:
        level = [level[i].merge(level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0]
