"""Inputs and single-process answers shared by test_scale_dask.py and test_scale_spark.py."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import tokenmaxx
from tokenmaxx.privacy import AdoptionAggregator, MasterKey, PrivacyAccountant
from tokenmaxx.usage import Ledger, UsageSnapshot

START = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z in ns
END = START + 86_400 * 10**9
MONDAY = datetime(2026, 3, 30, tzinfo=timezone.utc)

# A real LiteLLM entry shape, with a price tier above 200k prompt tokens (chosen per request).
PRICES = """{
  "gpt-4o": {"litellm_provider": "openai", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
             "cache_read_input_token_cost": 1.25e-06},
  "gemini-pro": {"litellm_provider": "vertex_ai", "input_cost_per_token": 1.25e-06,
                 "input_cost_per_token_above_200k_tokens": 2.5e-06, "output_cost_per_token": 1e-05,
                 "output_cost_per_token_above_200k_tokens": 1.5e-05}
}"""


def corpus_lines(all_docs: list[str], count: int = 6_000) -> list[str]:
    """About ``count`` non-empty lines spread evenly over the shared corpus (every language, code,
    chat and edge-case document contributes), each at most 20,000 characters: enough to differ
    between partitions, small enough for CI."""
    lines = [line for doc in all_docs for line in doc.splitlines() if line.strip() and len(line) <= 20_000]
    return lines[::max(1, len(lines) // count)]


def usage_events(n: int, seed: int = 7) -> dict[str, list]:
    rng = random.Random(seed)
    cols: dict[str, list] = {c: [] for c in ("tenant", "model", "input", "cached_input", "output", "requests")}
    for _ in range(n):
        cols["tenant"].append(f"tenant-{rng.randrange(40)}")
        cols["model"].append(rng.choice(["gpt-4o", "gemini-pro", "unpriced-model"]))
        cols["input"].append(rng.choice([0, 1, 17, 1_000, 250_000, 2**47]))
        cols["cached_input"].append(rng.randrange(0, 500))
        cols["output"].append(rng.randrange(0, 10_000))
        cols["requests"].append(1)
    return cols


def usage_reference(cols: dict[str, list]) -> UsageSnapshot:
    """The single-process answer: one ledger, every row recorded in order, canonical row order."""
    from tokenmaxx.usage import PriceTable

    ledger = Ledger(65_536, prices=PriceTable.from_litellm_json(PRICES), start_time=START)
    amounts = [c for c in cols if c not in ("tenant", "model")]
    for row in range(len(cols["tenant"])):
        ledger.record(cols["tenant"][row], cols["model"][row], **{c: cols[c][row] for c in amounts})
    return ledger.snapshot_and_reset(now=END).merge(UsageSnapshot("delta", START, END))


def adoption_events() -> dict[str, list]:
    """Events where bounding per partition would be wrong. Each person has team A twice, 6 + 6
    tokens in far-apart rows (different partitions), and team B once, 9 tokens, next to the first A.
    With one group per person the whole says A (12 > 9; released clamped to 10); a partition that
    bounded on its own would see B (9 > 6) and keep B instead."""
    cols: dict[str, list] = {"person_id": [], "time": [], "team": [], "workflow": [], "tokens": [], "requests": []}

    def add(person: str, team: str, tokens: int, hour: int) -> None:
        cols["person_id"].append(person)
        cols["time"].append(int((MONDAY + timedelta(hours=hour)).timestamp()) * 10**9)
        cols["team"].append(team)
        cols["workflow"].append("code review")
        cols["tokens"].append(tokens)
        cols["requests"].append(1)

    people = [f"person{i}@example.com" for i in range(12)]
    for i, p in enumerate(people):
        add(p, "A", 6, 2 * i)
        add(p, "B", 9, 2 * i + 1)
    for i, p in enumerate(people):
        add(p, "A", 6, 40 + i)
    for i in range(7):  # team C: people who only ever used team C
        add(f"c{i}@example.com", "C", 3, 60 + i)
    return cols


def new_aggregator(tmp_path, name: str, key: MasterKey) -> tuple[AdoptionAggregator, PrivacyAccountant]:
    """A week's aggregator with bounds that make the expected release exact: one group per person,
    10 tokens at most, and epsilon 1000 (noise of scale 0.02 on tokens: nonzero with odds ~1e-21)."""
    accountant = PrivacyAccountant(tmp_path / f"{name}.jsonl", epsilon_per_period=1000.0)
    aggregator = AdoptionAggregator(["team", "workflow"], "2026-W14", MONDAY, MONDAY + timedelta(weeks=1), accountant,
                                    key, min_group_size=5, max_groups_per_person=1, max_tokens=10, max_requests=5)
    return aggregator, accountant


PUBLIC_GROUPS = [["A", "code review"], ["B", "code review"], ["C", "code review"]]
# True bounded answer: 12 people in A with min(12, 10) tokens; B loses everyone to A (0 < k: suppressed);
# C 7 people x 3. Bounding per partition would report 12 people in B and suppress A.
EXPECTED_ADOPTION = {("A", "code review"): (12, 120), ("B", "code review"): "suppressed", ("C", "code review"): (7, 21)}


def release_values(aggregator: AdoptionAggregator) -> dict[tuple[str, ...], object]:
    """(active people, tokens) per public group, or "suppressed" (fewer than k people)."""
    report = aggregator.release(epsilon=1000.0, public_groups=PUBLIC_GROUPS)
    return {tuple(r["group"]): "suppressed" if r["suppressed"] else (r["active_people"]["value"], r["tokens"]["value"])
            for r in report.rows}


def write_text_files(folder, lines: list[str], *, blank_line_at_end: bool) -> None:
    """part0/part1 .jsonl and .parquet, each holding half of ``lines`` under "text"."""
    import pandas as pd

    half = len(lines) // 2
    for i, chunk in enumerate([lines[:half], lines[half:]]):
        with open(folder / f"part{i}.jsonl", "w", encoding="utf-8") as f:
            f.write("\n".join(json.dumps({"id": n, "text": t}) for n, t in enumerate(chunk)))
            f.write("\n\n" if blank_line_at_end else "\n")
        pd.DataFrame({"text": chunk}).to_parquet(folder / f"part{i}.parquet")


def token_reference(lines: list[str], encoding: str) -> tuple[int, int, int]:
    enc = tokenmaxx.get_encoding(encoding)
    return sum(enc.count_batch(lines, num_threads=1)), len(lines), sum(len(t.encode("utf-8")) for t in lines)
