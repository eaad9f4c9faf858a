"""tokenmaxx.spark in local[2] mode: totals and ledger snapshots equal the single-process run bit for
bit, a task that fails after producing its partial and is retried (spark.task.maxFailures) counts
once, and the privacy release bounds a person across partitions and spends a period's budget once."""
from __future__ import annotations

import os
import sys

import pytest

pd = pytest.importorskip("pandas")
pyspark = pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

import scale_data  # noqa: E402
from pyspark import cloudpickle  # noqa: E402  (Spark's serializer; ships this module's helpers by value)
from scale_data import END, START  # noqa: E402

import tokenmaxx.spark as tms  # noqa: E402
from tokenmaxx.privacy import MasterKey, PrivacyBudgetError  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2,3]")  # 2 threads; a task may fail 3 times in local mode
               .appName("tokenmaxx-test").config("spark.task.maxFailures", "3")
               .config("spark.ui.enabled", "false").config("spark.sql.execution.arrow.pyspark.enabled", "true").config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")  # several batches per partition
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lines(all_docs):
    return scale_data.corpus_lines(all_docs, 2_000)


def test_token_totals_equal_single_process(spark, lines):
    df = spark.createDataFrame(pd.DataFrame({"text": lines})).repartition(5)
    got = tms.count_tokens(df, "text", "cl100k_base")
    assert (got.tokens, got.texts, got.utf8_bytes) == scale_data.token_reference(lines, "cl100k_base")
    assert got.partitions == frozenset(range(5))


def test_jsonl_and_parquet_files_equal_single_process(spark, lines, tmp_path):
    scale_data.write_text_files(tmp_path, lines, blank_line_at_end=False)
    expected = scale_data.token_reference(lines, "o200k_base")
    jsonl = tms.count_files(spark, sorted(tmp_path.glob("*.jsonl")))
    parquet = tms.count_files(spark, sorted(tmp_path.glob("*.parquet")))
    assert (jsonl.tokens, jsonl.texts, jsonl.utf8_bytes) == expected
    assert (parquet.tokens, parquet.texts, parquet.utf8_bytes) == expected


def test_null_text_is_an_error(spark):
    df = spark.createDataFrame(pd.DataFrame({"text": ["a", None, "c"]})).coalesce(1)
    with pytest.raises(Exception, match=r"partition 0, row 1: column 'text' holds null"):
        tms.count_tokens(df)


def test_ledger_snapshot_equals_single_process_bit_for_bit(spark):
    cols = scale_data.usage_events(3_000)
    df = spark.createDataFrame(pd.DataFrame(cols)).repartition(4)
    got = tms.ingest_usage(df, START, END, prices=scale_data.PRICES)
    assert got.encode_binary() == scale_data.usage_reference(cols).encode_binary()


def _fail_first_attempt(batches):
    """Passes the partials through, then fails the first attempt of partition 1 after its output."""
    from pyspark import TaskContext

    yield from batches
    ctx = TaskContext.get()
    if ctx.partitionId() == 1 and ctx.attemptNumber() == 0:
        raise RuntimeError("injected failure after the partial was produced")


def test_retried_task_counts_once(spark):
    cols = scale_data.usage_events(2_000, seed=5)
    df = spark.createDataFrame(pd.DataFrame(cols)).repartition(4)
    partials = tms._usage_partials(df, START, END, scale_data.PRICES, 65_536)
    flaky = partials.mapInPandas(_fail_first_attempt, partials.schema)
    merged = tms._collect(flaky, df.rdd.getNumPartitions(), tms._partials.empty_usage(START, END))
    # Without retries the job fails: success means partition 1 ran twice and was counted once.
    got = tms._partials.UsagePartial(merged.snapshot, merged.partitions)
    from tokenmaxx.usage import UsageSnapshot

    snapshot = UsageSnapshot.decode_binary(got.snapshot).merge(UsageSnapshot("delta", START, END))
    assert snapshot.encode_binary() == scale_data.usage_reference(cols).encode_binary()


def test_adoption_bounds_a_person_across_partitions(spark, tmp_path):
    cols = scale_data.adoption_events()
    key = MasterKey.generate()
    aggregator, accountant = scale_data.new_aggregator(tmp_path, "spark", key)
    # Contiguous row ranges: each person's two halves of team A land in different partitions.
    frame = pd.DataFrame(cols).assign(row=range(len(cols["time"])))
    df = spark.createDataFrame(frame).repartitionByRange(4, "row").drop("row")
    assert tms.add_adoption_events(aggregator, df) == 12 * 2 + 7
    assert scale_data.release_values(aggregator) == scale_data.EXPECTED_ADOPTION
    with pytest.raises(PrivacyBudgetError):
        scale_data.release_values(aggregator)
