"""Usage accounting from Python: the lock-free C++ ledger, snapshots and exporters.

    from tokenmaxx.ledger import Ledger, PriceTable

    prices = PriceTable()
    prices.set("gpt-4o", input=2_500_000, output=10_000_000, provider="openai")  # micro-units / 1M tokens
    ledger = Ledger(capacity=10_000, prices=prices)
    key = ledger.resolve("acme", "gpt-4o")                 # once, off the hot path
    ledger.record(key, input=1200, output=300, requests=1)  # lock-free, exact
    ledger.record("globex", "gpt-4o", input=10, requests=1)
    delta = ledger.snapshot_and_reset(now=time.time_ns())  # nothing lost, nothing counted twice
    merged = delta.merge(other_delta)                      # exact, associative, commutative
    data = merged.encode_binary()                          # checksummed; UsageSnapshot.decode_binary(data)
    otlp = delta.to_otlp_json()                            # OpenTelemetry gen_ai.client.token.usage
    text = PrometheusExporter().render(ledger.snapshot())  # Prometheus text exposition

Counters and costs are integers (cost in micro-units plus millionths of a micro-unit); ``row.cost``
gives the exact cost in currency units as a ``Decimal``. Errors raise ``ValueError`` (bad input,
tampered or mismatched snapshots), ``LedgerFullError`` (table full) or ``FileNotFoundError``.
"""
from __future__ import annotations

from decimal import Decimal

from tokenmaxx._core.usage import (
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
    """The exact cost of the priced tokens in currency units (micro-units / 1e6)."""
    return Decimal(row.cost_micros * 1_000_000 + row.cost_remainder).scaleb(-12)


UsageRow.cost = property(_row_cost, doc=_row_cost.__doc__)  # type: ignore[method-assign, assignment]
