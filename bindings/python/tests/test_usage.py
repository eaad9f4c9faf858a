"""The usage ledger from Python: exact counting (also from many threads), honest errors for bad
counts, costs, snapshots that merge, subtract and round-trip through both encodings (a checksum that
detects corruption, an HMAC that detects tampering), exporters checked by the real parsers
(prometheus_client, opentelemetry-proto), and documentation that runs and matches the stubs."""
from __future__ import annotations

import ast
import doctest
import inspect
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest

import tokenmaxx.ledger
import tokenmaxx.usage
from tokenmaxx._core import usage as core_usage
from tokenmaxx.usage import (
    MAX_INCREMENT,
    TOKEN_TYPES,
    Ledger,
    LedgerFullError,
    PriceTable,
    PrometheusExporter,
    UsageSnapshot,
)

STUBS = Path(tokenmaxx.usage.__file__).parent / "_core" / "usage.pyi"


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
    ledger.record("acme", "gpt-4o", input=1, cache_creation_1h=0, requests=1)
    ledger.record("acme", "mystery-model", input=7, cache_creation_1h=3, requests=1, errors=1)
    snap = ledger.snapshot(now=ledger.start_time + 123)
    assert snap.kind == "cumulative" and len(snap) == 2
    assert (snap.start_time, snap.end_time) == (ledger.start_time, ledger.start_time + 123)
    row = snap.find("acme", "gpt-4o")
    assert (row.input, row.cached_input, row.output, row.requests, row.errors) == (1201, 800, 300, 2, 0)
    assert row.tokens == {"input": 1201, "cached_input": 800, "cache_creation": 0, "cache_creation_1h": 0,
                          "output": 300, "reasoning": 0}
    assert tuple(row.tokens) == TOKEN_TYPES
    assert row.provider == "openai"
    # 1201 * 2.5 + 800 * 1.25 + 300 * 10 micro-units per token = 7002.5 micro-units
    assert (row.cost_micros, row.cost_remainder) == (7002, 500_000)
    assert row.cost == Decimal("0.0070025") and row.cost_complete
    unpriced = snap.find("acme", "mystery-model")
    assert unpriced.unpriced_tokens == 10 and not unpriced.cost_complete and unpriced.errors == 1
    assert unpriced.cache_creation_1h == 3
    assert snap.find("nobody", "gpt-4o") is None
    assert [(r.tenant, r.model) for r in snap.rows] == [("acme", "gpt-4o"), ("acme", "mystery-model")]


def test_bad_counts_raise_value_errors_that_say_what_is_wrong():
    ledger = Ledger(4)
    key = ledger.resolve("a", "m")
    with pytest.raises(ValueError, match=r"^input must be >= 0, got -1 \(a negative count"):
        ledger.record("a", "m", input=-1)
    with pytest.raises(ValueError, match=r"^output must be >= 0, got -5"):
        ledger.record(key, output=-5)
    # What a wrapped subtraction looks like, and anything past 64 bits: refused, nothing recorded.
    for too_big in (2**64 - 1, 2**64, 2**70, MAX_INCREMENT + 1):
        with pytest.raises(ValueError, match=r"input.*above the maximum of 2\^48 - 1 per record"):
            ledger.record(key, input=too_big, output=1)
    with pytest.raises(ValueError, match="prompt_tokens must be >= 0"):
        ledger.record(key, output=1, prompt_tokens=-1)
    with pytest.raises(TypeError, match="input must be an int, not str"):
        ledger.record(key, input="3")
    with pytest.raises(TypeError, match="takes no model"):
        ledger.record(key, "m", input=1)
    ledger.record(key, input=MAX_INCREMENT)
    assert ledger.snapshot().find("a", "m").input == MAX_INCREMENT
    assert ledger.snapshot().find("a", "m").output == 0
    assert len(ledger) == 1


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
    spill = Ledger(1, overflow_bucket=True)
    spill.record("a", "m", input=1)
    spill.record("b", "m", input=2)
    assert spill.overflowed_resolves == 1
    assert spill.snapshot().find("__overflow__", "__overflow__").input == 2
    assert spill.stats()["keys"] == 1


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
    # The deltas, merged, are the cumulative view: row for row, field for field.
    cumulative = ledger.snapshot()
    assert [r.tokens for r in total.rows] == [r.tokens for r in cumulative.rows]
    assert [(r.tenant, r.model, r.requests, r.errors) for r in total.rows] == \
        [(r.tenant, r.model, r.requests, r.errors) for r in cumulative.rows]
    assert total.start_time == ledger.start_time and total.end_time == deltas[-1].end_time


def test_merge_subtract_and_encodings(prices):
    a, b = Ledger(prices=prices), Ledger(prices=prices)
    a.record("acme", "gpt-4o", input=10, requests=1)
    b.record("acme", "gpt-4o", input=5, output=2, requests=1)
    b.record("globex", "gpt-4o", input=1, requests=1)
    sa, sb = a.snapshot(), b.snapshot()
    merged = sa.merge(sb)
    assert merged == sb.merge(sa)
    assert (merged.start_time, merged.end_time) == (min(sa.start_time, sb.start_time), max(sa.end_time, sb.end_time))
    assert merged.find("acme", "gpt-4o").input == 15 and len(merged) == 2
    with pytest.raises(ValueError, match="cumulative and a delta"):
        merged.merge(a.snapshot_and_reset())
    before = b.snapshot(now=b.start_time + 1)
    b.record("globex", "gpt-4o", input=4, requests=1)
    delta = b.snapshot(now=b.start_time + 2).subtract(before)
    assert delta.kind == "delta" and delta.find("globex", "gpt-4o").input == 4
    with pytest.raises(ValueError):
        before.subtract(b.snapshot())  # counters went backwards

    data = merged.encode_binary()
    assert UsageSnapshot.decode_binary(data) == merged
    corrupted = bytearray(data)
    corrupted[20] ^= 1
    with pytest.raises(ValueError, match="checksum"):
        UsageSnapshot.decode_binary(bytes(corrupted))
    text = merged.encode_json()
    assert UsageSnapshot.decode_json(text) == merged
    doc = json.loads(text)
    assert doc["rows"][0]["input"] == 15
    doc["rows"][0]["input"] += 1  # the JSON carries the SHA-256 of its content
    with pytest.raises(ValueError, match="checksum"):
        UsageSnapshot.decode_json(json.dumps(doc))


def test_hmac_detects_what_the_checksum_cannot(prices):
    ledger = Ledger(prices=prices)
    ledger.record("acme", "gpt-4o", input=1000, requests=1)
    snap = ledger.snapshot()
    secret = bytes(range(32))
    sealed = snap.encode_binary(key=secret)
    assert UsageSnapshot.decode_binary(sealed, key=secret) == snap
    with pytest.raises(ValueError, match="key"):
        UsageSnapshot.decode_binary(sealed)  # needs the key
    with pytest.raises(ValueError, match="HMAC-SHA256 mismatch"):
        UsageSnapshot.decode_binary(sealed, key=bytes(32))  # another key
    with pytest.raises(ValueError, match="not authenticated"):
        UsageSnapshot.decode_binary(snap.encode_binary(), key=secret)
    # A forger edits the JSON and puts the checksum back: accepted as checksummed, refused as authenticated.
    doc = json.loads(snap.encode_json(key=secret))
    doc["rows"][0]["cost_micros"] = 1
    with pytest.raises(ValueError, match="HMAC-SHA256 mismatch"):
        UsageSnapshot.decode_json(json.dumps(doc), key=secret)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        snap.encode_binary(key=b"short")


def test_prices_from_litellm_json_with_tiers_and_one_hour_writes():
    table = PriceTable.from_litellm_json(json.dumps({
        "sample_spec": {"input_cost_per_token": 0},
        "gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai"},
        "gemini-2.5-pro": {"input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
                           "input_cost_per_token_above_200k_tokens": 2.5e-06,
                           "output_cost_per_token_above_200k_tokens": 1.5e-05,
                           "litellm_provider": "vertex_ai-language-models"},
        "claude": {"input_cost_per_token": 3e-06, "cache_creation_input_token_cost": 3.75e-06,
                   "cache_creation_input_token_cost_above_1hr": 6e-06, "output_cost_per_token": 1.5e-05},
        "rerank": {"input_cost_per_token": 0.0, "input_cost_per_query": 0.001},
    }))
    assert len(table) == 4
    assert table.get("gpt-4o") == {"input": 2_500_000, "cached_input": None, "cache_creation": None,
                                   "cache_creation_1h": None, "output": 10_000_000, "reasoning": 10_000_000,
                                   "provider": "openai", "tiers": []}
    assert table.get("gemini-2.5-pro")["tiers"] == [{"above_prompt_tokens": 200_000, "prices": {
        "input": 2_500_000, "cached_input": None, "cache_creation": None, "cache_creation_1h": None,
        "output": 15_000_000, "reasoning": 15_000_000}}]
    assert table.get("claude")["cache_creation_1h"] == 6_000_000
    assert table.get("nope") is None
    ledger = Ledger(prices=table)
    ledger.record("acme", "gemini-2.5-pro", input=300_000, output=2_000, requests=1)  # LiteLLM: $0.78
    ledger.record("acme", "gemini-2.5-pro", input=250_000, requests=1)
    ledger.record("acme", "gemini-2.5-pro", output=1_000, prompt_tokens=250_000)   # the stream's tail
    ledger.record("acme", "rerank", input=1_000, requests=1)
    snap = ledger.snapshot()
    assert snap.find("acme", "gemini-2.5-pro").cost == Decimal("0.78") + Decimal("0.625") + Decimal("0.015")
    rerank = snap.find("acme", "rerank")
    assert rerank.unpriced_tokens == 1_000 and not rerank.cost_complete  # billed per query: not "$0"
    fallback = PriceTable.from_litellm_json(json.dumps({"m": {"input_cost_per_token": 1e-06}}),
                                            missing_cache_price_is_input_price=True)
    assert fallback.get("m")["cached_input"] == 1_000_000
    with pytest.raises(ValueError, match="not valid JSON"):
        PriceTable.from_litellm_json("{")
    with pytest.raises(FileNotFoundError):
        PriceTable.load_litellm_file("/nonexistent/prices.json")
    with pytest.raises(ValueError, match="input must be >= 0"):
        PriceTable().set("m", input=-1)


def test_prometheus_output_parses_back_exactly(prices):
    parser = pytest.importorskip("prometheus_client.parser")
    ledger = Ledger(prices=prices)
    ledger.record('a"b\\c', "gpt-4o", input=1200, cached_input=1, output=300, requests=2)
    ledger.record("beta", "mystery", input=5, requests=1, errors=1)
    text = PrometheusExporter(max_keys=10).render(ledger.snapshot())
    families = {f.name: f for f in parser.text_string_to_metric_families(text)}
    assert set(families) == {"tokenmaxx_tokens", "tokenmaxx_requests", "tokenmaxx_errors", "tokenmaxx_cost_usd",
                             "tokenmaxx_unpriced_tokens"}
    tokens = {(s.labels["tenant"], s.labels["token_type"]): s.value for s in families["tokenmaxx_tokens"].samples}
    assert tokens[('a"b\\c', "input")] == 1200 and tokens[("beta", "input")] == 5
    assert len(tokens) == 2 * len(TOKEN_TYPES)
    cost = {s.labels["tenant"]: s.value for s in families["tokenmaxx_cost_usd"].samples}
    assert cost['a"b\\c'] == pytest.approx(0.00600125, rel=1e-15)  # 1200*2.5 + 1*1.25 + 300*10 micro-USD
    with pytest.raises(ValueError):
        PrometheusExporter().render(ledger.snapshot_and_reset())


def test_otlp_json_is_a_valid_export_request_with_semconv_names(prices):
    json_format = pytest.importorskip("google.protobuf.json_format")
    metrics_service = pytest.importorskip("opentelemetry.proto.collector.metrics.v1.metrics_service_pb2")
    ledger = Ledger(prices=prices)
    ledger.record("acme", "gpt-4o", input=1200, cached_input=800, output=300, reasoning=50, requests=2)
    ledger.record("acme", "mystery", output=9)  # no request in this interval: only in the tokenmaxx sum
    text = ledger.snapshot_and_reset().to_otlp_json(service_name="svc")
    request = json_format.Parse(text, metrics_service.ExportMetricsServiceRequest())
    metrics = {m.name: m for m in request.resource_metrics[0].scope_metrics[0].metrics}
    histogram = metrics["gen_ai.client.token.usage"].histogram
    points = {}
    for p in histogram.data_points:
        attrs = {a.key: a.value.string_value for a in p.attributes}
        assert p.start_time_unix_nano == ledger.start_time and p.time_unix_nano >= p.start_time_unix_nano
        assert attrs["gen_ai.provider.name"] == "openai" and p.count == 2
        points[attrs["gen_ai.token.type"]] = p.sum
    assert points == {"input": 2000.0, "output": 350.0}
    split = {(next(a.value.string_value for a in p.attributes if a.key == "gen_ai.request.model"),
              next(a.value.string_value for a in p.attributes if a.key == "tokenmaxx.token.type")): p.as_int
             for p in metrics["tokenmaxx.client.token.usage"].sum.data_points}
    assert split == {("gpt-4o", "input"): 1200, ("gpt-4o", "cached_input"): 800, ("gpt-4o", "output"): 300,
                     ("gpt-4o", "reasoning"): 50, ("mystery", "output"): 9}
    assert request.resource_metrics[0].resource.attributes[0].value.string_value == "svc"
    with pytest.raises(ValueError):
        ledger.snapshot().to_otlp_json()  # cumulative
    with pytest.raises(ValueError, match="unknown"):
        UsageSnapshot("delta").to_otlp_json()  # no times


def test_docstring_examples_run_as_printed():
    for module in (tokenmaxx.usage, core_usage):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
        assert result.failed == 0, f"{module.__name__}: {result.failed} doctest failures"
    assert doctest.testmod(tokenmaxx.usage, report=False).attempted >= 15
    assert tokenmaxx.ledger.Ledger is Ledger  # the pre-0.2 name


def _public_members(cls):
    return {name for name, value in vars(cls).items()
            if value is not None and (not name.startswith("_") or name in ("__eq__", "__hash__", "__len__"))}


def test_every_public_method_has_a_docstring():
    for name in tokenmaxx.usage.__all__:
        obj = getattr(tokenmaxx.usage, name)
        if not inspect.isclass(obj):
            continue
        assert obj.__doc__, name
        for member in _public_members(obj) - {"__eq__", "__hash__", "__len__"}:
            doc = inspect.getdoc(getattr(obj, member)) or ""
            # pybind11 puts the signature first; the description follows it.
            lines = [line for line in doc.splitlines() if line.strip() and not line.startswith(f"{member}(")]
            assert lines, f"{name}.{member} has no description"


def test_stubs_match_the_module():
    tree = ast.parse(STUBS.read_text(encoding="utf-8"))
    stub_classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    for name in tokenmaxx.usage.__all__:
        obj = getattr(core_usage, name)
        if not inspect.isclass(obj) or issubclass(obj, BaseException):
            assert name in {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)} | set(stub_classes), name
            continue
        stubbed = {f.name for f in stub_classes[name].body if isinstance(f, ast.FunctionDef)} - {"__init__"}
        runtime = _public_members(obj) - {"__init__"}
        if name == "UsageRow":
            runtime.add("cost")  # added in Python by tokenmaxx.usage
        assert stubbed == runtime, f"{name}: stub-only {stubbed - runtime}, missing from stub {runtime - stubbed}"
