"""tokenmaxx.dask on a real two-process cluster (distributed.LocalCluster): totals and ledger
snapshots equal the single-process run bit for bit, a worker killed mid-run changes nothing, and the
privacy release bounds a person across partitions and spends a period's budget once."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

import cloudpickle  # noqa: E402  (dask's serializer; ships this module's helpers to the workers by value)
import dask  # noqa: E402
import scale_data  # noqa: E402
from scale_data import END, START  # noqa: E402

import tokenmaxx.dask as tmd  # noqa: E402
from tokenmaxx._partials import TokenCount, UsagePartial  # noqa: E402
from tokenmaxx.privacy import MasterKey, PrivacyBudgetError  # noqa: E402
from tokenmaxx.usage import UsageSnapshot  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])
# The corpus goes to the workers inside the graph (a test shortcut; a real job reads files on the workers).
pytestmark = pytest.mark.filterwarnings("ignore:Sending large graph:UserWarning")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  worker_dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def lines(all_docs):
    return scale_data.corpus_lines(all_docs)


def test_token_totals_equal_single_process(client, lines):
    series = dd.from_pandas(pd.Series(lines, name="text"), npartitions=7)
    got = tmd.count_tokens(series, "cl100k_base", split_every=2)
    assert (got.tokens, got.texts, got.utf8_bytes) == scale_data.token_reference(lines, "cl100k_base")
    assert got.partitions == frozenset(range(7))


def test_jsonl_and_parquet_files_equal_single_process(client, lines, tmp_path):
    scale_data.write_text_files(tmp_path, lines, blank_line_at_end=True)
    expected = scale_data.token_reference(lines, "o200k_base")
    jsonl = tmd.count_files([tmp_path / "part0.jsonl", tmp_path / "part1.jsonl"], blocksize=20_000)
    assert len(jsonl.partitions) > 2  # blocks, not whole files
    parquet = tmd.count_files(sorted(tmp_path.glob("*.parquet")))
    assert (jsonl.tokens, jsonl.texts, jsonl.utf8_bytes) == expected
    assert (parquet.tokens, parquet.texts, parquet.utf8_bytes) == expected


def test_bad_input_is_an_error_naming_the_row(client, tmp_path):
    series = dd.from_pandas(pd.Series(["a", "b", None, "d"], name="text"), npartitions=2)
    with pytest.raises(ValueError, match=r"partition 1, row 0: column 'text' holds null"):
        tmd.count_tokens(series)
    (tmp_path / "bad.jsonl").write_text('{"text": "ok"}\n{"text": \n')
    with pytest.raises(ValueError, match="line 1: not JSON"):
        tmd.count_files(tmp_path / "bad.jsonl")
    (tmp_path / "other.jsonl").write_text('{"body": "no text field"}\n')
    with pytest.raises(ValueError, match="no 'text' field"):
        tmd.count_files(tmp_path / "other.jsonl")


def test_ledger_snapshot_equals_single_process_bit_for_bit(client):
    cols = scale_data.usage_events(3_000)
    events = dd.from_pandas(pd.DataFrame(cols), npartitions=6)
    got = tmd.ingest_usage(events, START, END, prices=scale_data.PRICES, split_every=3)
    reference = scale_data.usage_reference(cols)
    assert got.encode_binary() == reference.encode_binary()
    assert got.kind == "delta" and (got.start_time, got.end_time) == (START, END)
    assert sum(r.input for r in got.rows) == sum(cols["input"])


def test_bad_usage_events_are_refused(client):
    frame = pd.DataFrame({"tenant": ["a", "b"], "model": ["m", "m"], "input": [1, -5]})
    with pytest.raises(ValueError, match=r"partition 0, row 1: input must be >= 0"):
        tmd.ingest_usage(dd.from_pandas(frame, npartitions=1), START, END)
    with pytest.raises(ValueError, match=r"unknown usage column\(s\) \['ouput'\]"):
        tmd.ingest_usage(dd.from_pandas(frame.rename(columns={"input": "ouput"}), npartitions=1), START, END)


def test_merging_a_partition_twice_is_refused():
    a = TokenCount(5, 1, 5, frozenset([0, 1]))
    with pytest.raises(tmd.DoubleCountError, match=r"partition\(s\) \[1\] would be counted twice"):
        a.merge(TokenCount(3, 1, 3, frozenset([1, 2])))
    empty = UsageSnapshot("delta", START, END).encode_binary()
    with pytest.raises(tmd.DoubleCountError):
        UsagePartial(empty, frozenset([3])).merge(UsagePartial(empty, frozenset([3])))


def _slow_partition(i: int, rows: dict, log: str) -> pd.DataFrame:
    """A partition that takes a while to read, and notes each time it is read."""
    with open(log, "a") as f:
        f.write(f"{i}\n")
    time.sleep(0.25)
    return pd.DataFrame(rows)


def _reads(log: str) -> list[str]:
    with open(log) as f:
        return f.read().split()


def test_worker_killed_mid_run_gives_the_same_totals(client, tmp_path):
    cols = scale_data.usage_events(2_400, seed=11)
    parts = 24
    step = len(cols["tenant"]) // parts
    log = str(tmp_path / "reads.log")
    meta = pd.DataFrame({k: pd.Series(dtype="object" if k in ("tenant", "model") else "int64") for k in cols})
    pieces = [dask.delayed(_slow_partition)(i, {k: v[i * step:(i + 1) * step] for k, v in cols.items()}, log)
              for i in range(parts)]
    events = dd.from_delayed(pieces, meta=meta, verify_meta=False)
    result: dict = {}
    run = threading.Thread(target=lambda: result.update(snapshot=tmd.ingest_usage(events, START, END,
                                                                                  prices=scale_data.PRICES)))
    run.start()
    while not os.path.exists(log) or len(_reads(log)) < 6:
        time.sleep(0.05)
    victim = sorted(client.run(os.getpid).items())[0][1]
    os.kill(victim, signal.SIGKILL)  # a crash: no goodbye to the scheduler
    assert run.is_alive(), "the run finished before the kill: the test did not test anything"
    run.join(timeout=120)
    assert not run.is_alive()
    reads = _reads(log)
    assert len(reads) > parts, "nothing was recomputed: the killed worker held no work"
    assert result["snapshot"].encode_binary() == scale_data.usage_reference(cols).encode_binary()


def test_adoption_bounds_a_person_across_partitions(client, tmp_path):
    cols = scale_data.adoption_events()
    key = MasterKey.generate()
    aggregator, accountant = scale_data.new_aggregator(tmp_path, "distributed", key)
    added = tmd.add_adoption_events(aggregator, dd.from_pandas(pd.DataFrame(cols), npartitions=4))
    assert added == 12 * 2 + 7
    # The single-process run: every event added one by one.
    single, _ = scale_data.new_aggregator(tmp_path, "single", key)
    for row in range(len(cols["person_id"])):
        single.add(cols["person_id"][row], [cols["team"][row], cols["workflow"][row]], cols["time"][row],
                   tokens=cols["tokens"][row], requests=cols["requests"][row])
    assert scale_data.release_values(aggregator) == scale_data.EXPECTED_ADOPTION
    assert scale_data.release_values(single) == scale_data.EXPECTED_ADOPTION
    # The period's budget is spent: neither this aggregator nor a rerun of the job releases again.
    with pytest.raises(PrivacyBudgetError):
        scale_data.release_values(aggregator)
    rerun = type(aggregator)(["team", "workflow"], "2026-W14", scale_data.MONDAY, aggregator.window_end_ns,
                             accountant, key, min_group_size=5, max_groups_per_person=1, max_tokens=10)
    tmd.add_adoption_events(rerun, dd.from_pandas(pd.DataFrame(cols), npartitions=3))
    with pytest.raises(PrivacyBudgetError):
        rerun.release(epsilon=1.0, public_groups=scale_data.PUBLIC_GROUPS)


def test_bad_adoption_event_adds_nothing(client, tmp_path):
    cols = scale_data.adoption_events()
    cols["tokens"][30] = -1
    aggregator, _ = scale_data.new_aggregator(tmp_path, "bad", MasterKey.generate())
    with pytest.raises(ValueError, match=r"tokens, requests and cost_micros must be in \[0, 2\^63\)"):
        tmd.add_adoption_events(aggregator, dd.from_pandas(pd.DataFrame(cols), npartitions=4))
    assert set(scale_data.release_values(aggregator).values()) == {"suppressed"}  # nobody was added
