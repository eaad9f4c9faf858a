"""Privacy-preserving AI adoption metrics per team and workflow, never per person.

    from datetime import datetime, timedelta, timezone
    from tokenmaxx.privacy import AdoptionAggregator, MasterKey, PrivacyAccountant

    key = MasterKey.generate()                        # keep key.secret_bytes() in a secret manager
    accountant = PrivacyAccountant(epsilon_per_period=2.0)
    monday = datetime(2025, 3, 31, tzinfo=timezone.utc)
    agg = AdoptionAggregator(["team", "workflow"], "2025-W14", monday, monday + timedelta(weeks=1),
                             accountant, key)
    agg.add("alice@example.com", ["search", "code review"], monday + timedelta(hours=3), tokens=5200, requests=3)
    report = agg.release(epsilon=1.0)                 # spends from the period's budget
    print(report.to_text())

What leaves the aggregator is only a report that passed the release gate: pseudonyms at ingestion,
contribution bounds, a minimum group size k, private group selection and integer-exact noise on
every number, with the budget spent atomically (``PrivacyBudgetError`` when exhausted). See
docs/PRIVACY.md for the guarantees and for choosing epsilon and k.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping, Sequence, Union

from tokenmaxx._core.privacy import AdoptionReport, MasterKey, PrivacyAccountant, PrivacyBudgetError
from tokenmaxx._core.privacy import AdoptionAggregator as _CoreAggregator

__all__ = ["AdoptionAggregator", "AdoptionReport", "MasterKey", "PrivacyAccountant", "PrivacyBudgetError"]

Time = Union[datetime, int]
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _ns(t: Time) -> int:
    """Nanoseconds since the Unix epoch of a timezone-aware datetime (or an int already in ns)."""
    if isinstance(t, datetime):
        if t.utcoffset() is None:
            raise ValueError("times must be timezone-aware datetimes (or int nanoseconds since the Unix epoch)")
        d = t - _EPOCH  # exact integer arithmetic, no float rounding
        return (d.days * 86_400 + d.seconds) * 1_000_000_000 + d.microseconds * 1000
    if isinstance(t, bool) or not isinstance(t, int):
        raise TypeError(f"expected a datetime or int nanoseconds, got {type(t).__name__}")
    return t


class AdoptionAggregator:
    """Collects one period's usage events; releases only privacy-protected reports (thread-safe)."""

    def __init__(
        self,
        dimensions: Sequence[str],
        period: str,
        window_start: Time,
        window_end: Time,
        accountant: PrivacyAccountant,
        key: MasterKey,
        *,
        min_group_size: int = 5,
        max_groups_per_person: int = 3,
        max_tokens: int = 2_000_000,
        max_requests: int = 2_000,
        max_cost_micros: int = 50_000_000,
        stable_pseudonyms: bool = False,
    ) -> None:
        self._core = _CoreAggregator(
            list(dimensions), period, _ns(window_start), _ns(window_end), accountant, key,
            min_group_size=min_group_size, max_groups_per_person=max_groups_per_person, max_tokens=max_tokens,
            max_requests=max_requests, max_cost_micros=max_cost_micros, stable_pseudonyms=stable_pseudonyms,
        )

    def add(self, person_id: str, group: Sequence[str], time: Time, *, tokens: int = 0, requests: int = 0,
            cost_micros: int = 0) -> None:
        """Ingests one event; the person id is pseudonymized at once and never stored."""
        self._core.add(person_id, list(group), _ns(time), tokens=tokens, requests=requests, cost_micros=cost_micros)

    def release(
        self,
        *,
        epsilon: float = 1.0,
        delta: float = 0.0,
        mechanism: str = "laplace",
        tokens: bool = True,
        requests: bool = True,
        cost: bool = True,
        public_groups: Sequence[Sequence[str]] | None = None,
        headcount: Mapping[Sequence[str], int] | None = None,
        confidence: float = 0.95,
        insecure_test_seed: int | None = None,
    ) -> AdoptionReport:
        """Releases the report, spending (epsilon, delta) from the period's budget.

        ``insecure_test_seed`` makes the noise reproducible and removes the privacy guarantee: tests only.
        """
        return self._core.release(
            epsilon=epsilon, delta=delta, mechanism=mechanism, tokens=tokens, requests=requests, cost=cost,
            public_groups=None if public_groups is None else [list(g) for g in public_groups],
            headcount={tuple(k): v for k, v in (headcount or {}).items()},
            confidence=confidence, insecure_test_seed=insecure_test_seed,
        )

    @property
    def events_ingested(self) -> int:
        return self._core.events_ingested
