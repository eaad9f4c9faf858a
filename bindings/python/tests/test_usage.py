"""The ledger from Python: exact counting (also from many threads), costs, snapshots that merge,
subtract and round-trip through both encodings (tampering detected), and the exporters."""
from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest

from tokenmaxx.usage import Ledger, LedgerFullError, PriceTable, PrometheusExporter, UsageSnapshot


@pytest.fixture
def prices():
    p = PriceTable()
    p.set("gpt-4o", input=2_500_000, cached_input=1_250_000, output=10_000_000, provider="openai")
    return p


def test_record_snapshot_and_cost(prices):
    ledger = Ledger(16, prices=prices)
    key = ledger.resolve("acme", "gpt-4o")
    assert (key.tenant, key.model, key.priced) == ("acme", "gpt-4o", True)
    ledger.record(key, input=1200, cached_input=800, output=300, requests=1)
    ledger.record("acme", "gpt-4o", input=1, requests=1)
    ledger.record("acme", "mystery-model", input=7, requests=1, errors=1)
    snap = ledger.snapshot(now=123)
    assert snap.kind == "cumulative" and snap.end_time == 123 and len(snap) == 2
    row = snap.find("acme", "gpt-4o")
    assert (row.input, row.cached_input, row.output, row.requests, row.errors) == (1201, 800, 300, 2, 0)
    assert row.tokens == {"input": 1201, "cached_input": 800, "cache_creation": 0, "output": 300, "reasoning": 0}
    assert row.provider == "openai"
    # 1201 * 2.5 + 800 * 1.25 + 300 * 10 micro-units per token = 7002.5 micro-units
    assert (row.cost_micros, row.cost_remainder) == (7002, 500_000)
    assert row.cost == Decimal("0.0070025") and row.cost_complete
    unpriced = snap.find("acme", "mystery-model")
    assert unpriced.unpriced_tokens == 7 and not unpriced.cost_complete and unpriced.errors == 1
    assert snap.find("nobody", "gpt-4o") is None
    assert [(r.tenant, r.model) for r in snap.rows] == [("acme", "gpt-4o"), ("acme", "mystery-model")]


def test_invalid_keys_full_table_and_foreign_handles():
    ledger = Ledger(2)
    with pytest.raises(ValueError, match="tenant"):
        ledger.record("", "m", input=1)
    with pytest.raises(ValueError, match="reserved"):
        ledger.resolve("__overflow__", "m")
    ledger.resolve("a", "m")
    ledger.resolve("b", "m")
    with pytest.raises(LedgerFullError):
        ledger.resolve("c", "m")
    with pytest.raises(ValueError, match="another ledger"):
        Ledger().record(ledger.resolve("a", "m"), input=1)
    with pytest.raises(TypeError):
        ledger.record("a", "m", input=-1)
    spill = Ledger(1, overflow_bucket=True)
    spill.record("a", "m", input=1)
    spill.record("b", "m", input=2)
    assert spill.overflowed_resolves == 1
    assert spill.snapshot().find("__overflow__", "__overflow__").input == 2


def test_exact_under_threads():
    ledger = Ledger()
    key = ledger.resolve("acme", "gpt-4o")
    per_thread, threads = 20_000, 8

    def work(i):
        other = ledger.resolve(f"team-{i % 3}", "gpt-4o")
        for _ in range(per_thread):
            ledger.record(key, input=3, output=1, requests=1)
            ledger.record(other, input=1)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    deltas = []
    for t in ts:
        t.start()
    while any(t.is_alive() for t in ts):
        deltas.append(ledger.snapshot_and_reset())
    for t in ts:
        t.join()
    deltas.append(ledger.snapshot_and_reset())
    total = UsageSnapshot("delta")
    for d in deltas:
        total = total.merge(d)
    row = total.find("acme", "gpt-4o")
    assert (row.input, row.output, row.requests) == (3 * per_thread * threads, per_thread * threads, per_thread * threads)
    assert sum(total.find(f"team-{k}", "gpt-4o").input for k in range(3)) == per_thread * threads
    assert ledger.snapshot() == ledger.snapshot()  # quiescent: cumulative reads agree


def test_merge_subtract_and_encodings(prices):
    a, b = Ledger(prices=prices), Ledger(prices=prices)
    a.record("acme", "gpt-4o", input=10, requests=1)
    b.record("acme", "gpt-4o", input=5, output=2, requests=1)
    b.record("globex", "gpt-4o", input=1, requests=1)
    merged = a.snapshot().merge(b.snapshot())
    assert merged == b.snapshot().merge(a.snapshot())
    assert merged.find("acme", "gpt-4o").input == 15 and len(merged) == 2
    with pytest.raises(ValueError, match="cumulative and a delta"):
        merged.merge(a.snapshot_and_reset())
    before = b.snapshot(now=1)
    b.record("globex", "gpt-4o", input=4, requests=1)
    delta = b.snapshot(now=2).subtract(before)
    assert delta.kind == "delta" and delta.find("globex", "gpt-4o").input == 4
    with pytest.raises(ValueError):
        before.subtract(b.snapshot(now=3))  # counters went backwards

    data = merged.encode_binary()
    assert UsageSnapshot.decode_binary(data) == merged
    tampered = bytearray(data)
    tampered[20] ^= 1
    with pytest.raises(ValueError):
        UsageSnapshot.decode_binary(bytes(tampered))
    text = merged.encode_json()
    assert UsageSnapshot.decode_json(text) == merged
    doc = json.loads(text)
    assert doc["rows"][0]["input"] == 15
    doc["rows"][0]["input"] += 1  # the JSON carries the SHA-256 of its content
    with pytest.raises(ValueError):
        UsageSnapshot.decode_json(json.dumps(doc))


def test_exporters(prices):
    ledger = Ledger(prices=prices)
    ledger.record("acme", "gpt-4o", input=1200, output=300, requests=2)
    text = PrometheusExporter(max_keys=10).render(ledger.snapshot())
    assert 'tokenmaxx_tokens_total{tenant="acme",model="gpt-4o",token_type="input"} 1200' in text
    with pytest.raises(ValueError):
        PrometheusExporter().render(ledger.snapshot_and_reset())
    ledger.record("acme", "gpt-4o", input=5, requests=1)
    otlp = json.loads(ledger.snapshot_and_reset(now=2_000).to_otlp_json(service_name="svc"))
    dumped = json.dumps(otlp)
    assert "gen_ai.client.token.usage" in dumped and "svc" in dumped
    with pytest.raises(ValueError):
        ledger.snapshot().to_otlp_json()


def test_price_table_from_litellm_json():
    table = PriceTable.from_litellm_json(json.dumps({
        "sample_spec": {"input_cost_per_token": 0},
        "gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai"},
    }))
    assert len(table) == 1
    assert table.get("gpt-4o") == {"input": 2_500_000, "cached_input": None, "cache_creation": None,
                                   "output": 10_000_000, "reasoning": 10_000_000, "provider": "openai"}
    assert table.get("nope") is None
    with pytest.raises(ValueError, match="not valid JSON"):
        PriceTable.from_litellm_json("{")
    with pytest.raises(FileNotFoundError):
        PriceTable.load_litellm_file("/nonexistent/prices.json")
