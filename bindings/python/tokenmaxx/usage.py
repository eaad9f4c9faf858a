"""Usage accounting from Python: the lock-free C++ ledger, prices, snapshots and exporters.

The example below runs as printed (``python3 -m doctest -v`` on this module does it):

>>> from tokenmaxx.usage import Ledger, PriceTable, PrometheusExporter, UsageSnapshot
>>> prices = PriceTable()
>>> prices.set("gpt-4o", input=2_500_000, output=10_000_000, provider="openai")  # micro-USD per 1M tokens
>>> ledger = Ledger(capacity=10_000, prices=prices)
>>> key = ledger.resolve("acme", "gpt-4o")                  # once, off the hot path
>>> ledger.record(key, input=1200, output=300, requests=1)  # lock-free, exact
>>> ledger.record("globex", "gpt-4o", input=10, requests=1)
>>> delta = ledger.snapshot_and_reset()                     # nothing lost, nothing counted twice
>>> other = Ledger(prices=prices)                           # e.g. another instance of the service
>>> other.record("acme", "gpt-4o", input=800, requests=1)
>>> total = delta.merge(other.snapshot_and_reset())         # exact, associative, commutative
>>> total.find("acme", "gpt-4o").input
2000
>>> total.find("acme", "gpt-4o").cost                       # exact, in currency units (USD here)
Decimal('0.008')
>>> UsageSnapshot.decode_binary(total.encode_binary()) == total  # a checksum: detects corruption only
True
>>> secret = bytes(range(32))                               # keep yours in a secret store
>>> UsageSnapshot.decode_json(total.encode_json(key=secret), key=secret) == total  # HMAC: detects tampering
True
>>> otlp = total.to_otlp_json()                             # OpenTelemetry gen_ai.client.token.usage
>>> text = PrometheusExporter().render(ledger.snapshot())   # Prometheus text exposition
>>> 'tokenmaxx_cost_usd_total{tenant="acme",model="gpt-4o"} 0.006' in text
True
>>> ledger.record("acme", "gpt-4o", input=-1)
Traceback (most recent call last):
    ...
ValueError: input must be >= 0, got -1 (a negative count: check the subtraction that produced it); nothing was recorded

Counters and costs are integers (cost in micro-units plus millionths of a micro-unit); ``row.cost``
gives the exact cost in currency units as a ``Decimal``. Errors raise ``ValueError`` (bad input,
damaged, altered or mismatched snapshots), ``LedgerFullError`` (table full) or ``FileNotFoundError``.
``tokenmaxx.ledger`` is the same module under its pre-0.2 name.
"""
from __future__ import annotations

from decimal import Decimal

from tokenmaxx._core.usage import (
    MAX_INCREMENT,
    TOKEN_TYPES,
    KeyHandle,
    Ledger,
    LedgerFullError,
    PriceTable,
    PrometheusExporter,
    UsageRow,
    UsageSnapshot,
)

__all__ = [
    "MAX_INCREMENT",
    "TOKEN_TYPES",
    "KeyHandle",
    "Ledger",
    "LedgerFullError",
    "PriceTable",
    "PrometheusExporter",
    "UsageRow",
    "UsageSnapshot",
]


def _row_cost(row: UsageRow) -> Decimal:
    """The exact cost of the priced tokens in currency units (micro-units / 1e6), as a Decimal."""
    exact = Decimal(row.cost_micros * 1_000_000 + row.cost_remainder).scaleb(-12).normalize()
    return exact if exact.as_tuple().exponent <= 0 else exact.quantize(Decimal(1))  # 100, not 1E+2


UsageRow.cost = property(_row_cost, doc=_row_cost.__doc__)  # type: ignore[method-assign, assignment]
