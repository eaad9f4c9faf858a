"""Adoption metrics from Python: the release gate (k, suppression, public groups), the budget
(spent atomically, refused when exhausted, audit log written), validation errors, and that no
person-level data is reachable."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tokenmaxx.privacy import AdoptionAggregator, MasterKey, PrivacyAccountant, PrivacyBudgetError

MONDAY = datetime(2025, 3, 31, tzinfo=timezone.utc)
WEEK = timedelta(weeks=1)


def make(accountant=None, **kwargs):
    accountant = accountant or PrivacyAccountant(epsilon_per_period=10.0, delta_per_period=1e-6)
    return AdoptionAggregator(["team", "workflow"], "2025-W14", MONDAY, MONDAY + WEEK, accountant,
                              MasterKey.generate(), **kwargs), accountant


def fill(agg, team, people, tokens=1000):
    for i in range(people):
        agg.add(f"{team}-person-{i}@example.com", [team, "code review"], MONDAY + timedelta(hours=i % 100),
                tokens=tokens, requests=2)


def test_release_with_public_groups_suppresses_small_groups():
    agg, accountant = make()
    fill(agg, "search", 40)
    fill(agg, "ads", 2)  # fewer than k = 5 people
    assert agg.events_ingested == 42
    groups = [["search", "code review"], ["ads", "code review"], ["infra", "code review"]]
    report = agg.release(epsilon=2.0, public_groups=groups, headcount={("search", "code review"): 50},
                         insecure_test_seed=7)
    rows = {r["group"]: r for r in report.rows}
    assert set(rows) == {tuple(g) for g in groups}
    assert rows[("ads", "code review")]["suppressed"] and rows[("ads", "code review")]["tokens"] is None
    assert rows[("infra", "code review")]["suppressed"]
    search = rows[("search", "code review")]
    assert not search["suppressed"]
    active = search["active_people"]
    assert active["ci_low"] <= active["value"] <= active["ci_high"] and active["noise_scale"] > 0
    assert abs(active["value"] - 40) < 40  # noisy, but near the truth at epsilon 2
    assert search["adoption_share"]["headcount"] == 50
    assert report.secure_randomness is False  # a test seed was used, and the report says so
    assert report.period == "2025-W14" and report.dimensions == ["team", "workflow"]
    assert accountant.spent("2025-W14") == pytest.approx((2.0, 0.0))
    doc = json.loads(report.to_json())
    assert "alice" not in report.to_json() and "person" not in report.to_text()
    assert doc  # a JSON document


def test_budget_is_spent_and_then_refused(tmp_path):
    log = tmp_path / "audit.jsonl"
    accountant = PrivacyAccountant(epsilon_per_period=1.0, audit_log_path=str(log))
    agg, _ = make(accountant)
    fill(agg, "search", 10)
    groups = [["search", "code review"]]
    agg.release(epsilon=0.6, public_groups=groups)
    assert accountant.remaining("2025-W14") == pytest.approx((0.4, 0.0))
    with pytest.raises(PrivacyBudgetError, match="privacy budget exhausted"):
        agg.release(epsilon=0.6, public_groups=groups)
    assert accountant.spent("2025-W14") == pytest.approx((0.6, 0.0))
    events = [json.loads(line)["event"] for line in log.read_text().splitlines()]
    assert events == ["release", "refused"]


def test_private_group_selection_needs_delta():
    agg, _ = make()
    fill(agg, "search", 200)
    with pytest.raises(ValueError):
        agg.release(epsilon=1.0, delta=0.0)  # no public groups: selection needs delta > 0
    report = agg.release(epsilon=1.0, delta=1e-7, insecure_test_seed=3)
    assert all(not r["suppressed"] for r in report.rows)


def test_validation_errors():
    agg, _ = make()
    with pytest.raises(ValueError, match="group values"):
        agg.add("a@x", ["only-one-value"], MONDAY)
    with pytest.raises(ValueError, match="outside the window"):
        agg.add("a@x", ["t", "w"], MONDAY + 2 * WEEK)
    with pytest.raises(ValueError, match="non-negative"):
        agg.add("a@x", ["t", "w"], MONDAY, tokens=-1)
    with pytest.raises(ValueError, match="empty person"):
        agg.add("", ["t", "w"], MONDAY)
    with pytest.raises(ValueError, match="timezone-aware"):
        agg.add("a@x", ["t", "w"], datetime(2025, 4, 1))
    with pytest.raises(ValueError, match="min_group_size"):
        make(min_group_size=1)
    with pytest.raises(ValueError, match="mechanism"):
        agg.release(mechanism="uniform")
    with pytest.raises(ValueError):
        PrivacyAccountant(epsilon_per_period=0.0)
    with pytest.raises(ValueError):
        MasterKey.from_bytes(b"too short")


def test_master_key_round_trip_gives_the_same_pseudonyms():
    """Two aggregators with the same key see the same people; the count of distinct people is what
    shows it (pseudonyms themselves are never exposed)."""
    key = MasterKey.from_bytes(MasterKey.generate().secret_bytes())
    assert "secret" in repr(key)
    accountant = PrivacyAccountant(epsilon_per_period=100.0)
    agg = AdoptionAggregator(["team"], "2025-W14", MONDAY, MONDAY + WEEK, accountant, key)
    for _ in range(3):
        for i in range(30):
            agg.add(f"p{i}", ["t"], MONDAY, tokens=1)
    report = agg.release(epsilon=50.0, public_groups=[["t"]], insecure_test_seed=1)
    assert abs(report.rows[0]["active_people"]["value"] - 30) <= 3  # 30 people, not 90 events
    assert not hasattr(agg, "pseudonymize") and not hasattr(agg._core, "pseudonymize")
