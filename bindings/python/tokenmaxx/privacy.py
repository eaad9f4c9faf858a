"""Privacy-preserving AI adoption metrics per team and workflow, never per person.

Events go in with real person identifiers; what comes out is only a report that passed the release
gate: keyed pseudonyms at ingestion, contribution bounds, integer-exact noise from OpenSSL's CSPRNG
on every number, a minimum group size k on the noisy count (or private group selection), and a
budget per time period (ISO weeks by default) charged before the report is returned and kept in a
durable audit log, so a restarted job cannot spend a week twice (``PrivacyBudgetError``). Each
release is (epsilon, delta)-differentially private for adding or removing one person's events in
its window; docs/PRIVACY.md states the guarantee exactly and shows the error to expect.

>>> import os, tempfile
>>> from datetime import datetime, timedelta, timezone
>>> from tokenmaxx.privacy import AdoptionAggregator, MasterKey, PrivacyAccountant
>>> log = os.path.join(tempfile.mkdtemp(), "privacy-audit.jsonl")  # keep it: the budget lives there
>>> accountant = PrivacyAccountant(log, epsilon_per_period=2.0, delta_per_period=1e-6)
>>> key = MasterKey.generate()  # keep key.secret_bytes() in a secret manager
>>> monday = datetime(2025, 3, 31, tzinfo=timezone.utc)
>>> week = AdoptionAggregator(["team", "workflow"], "2025-W14", monday, monday + timedelta(weeks=1), accountant, key)
>>> for i in range(40):
...     week.add(f"person{i}@example.com", ["search", "code review"], monday + timedelta(hours=i), tokens=5200)
>>> report = week.release(epsilon=1.0, public_groups=[["search", "code review"]],
...                       headcount={("search", "code review"): 50})
>>> [row["group"] for row in report.rows]
[('search', 'code review')]
>>> print(report.to_text())  # doctest: +ELLIPSIS
AI adoption report, period 2025-W14 (2025-03-31T00:00:00Z to 2025-04-07T00:00:00Z)
...
>>> hidden = week.release(epsilon=0.5, delta=1e-7)  # no org chart: private selection needs delta > 0
>>> accountant.spent(monday)
(1.5, 1e-07)
>>> week.release(epsilon=1.0, public_groups=[["search", "code review"]])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
tokenmaxx._core.privacy.PrivacyBudgetError: privacy budget exhausted for the period starting 2025-03-31T00:00:00Z: ...
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Mapping, Sequence, Union

from tokenmaxx._core.privacy import AdoptionReport, MasterKey, PrivacyBudgetError
from tokenmaxx._core.privacy import AdoptionAggregator as _CoreAggregator
from tokenmaxx._core.privacy import PrivacyAccountant as _CoreAccountant

__all__ = ["AdoptionAggregator", "AdoptionReport", "MasterKey", "PrivacyAccountant", "PrivacyBudgetError"]

Time = Union[datetime, int]
"""A timezone-aware datetime, or an int of nanoseconds since the Unix epoch."""

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ISO_WEEK_ORIGIN = datetime(1970, 1, 5, tzinfo=timezone.utc)  # a Monday


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


def _text(value: object, what: str) -> str:
    """``value`` if it is a str that UTF-8 can encode; errors never repeat the value (it may be a person's id)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} is not valid text (it holds a lone surrogate)") from None
    return value


def _amount(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    if not -(2**63) <= value < 2**63:
        raise ValueError(f"{what} is out of the 64-bit range")
    return value


def _datetime(ns: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ns // 1000)


def _whole_seconds(d: timedelta, what: str) -> int:
    if d.microseconds:
        raise ValueError(f"{what} must be a whole number of seconds")
    return d.days * 86_400 + d.seconds


class PrivacyAccountant:
    """The (epsilon, delta) budget per time period, kept in a durable audit log (thread-safe).

    Budgets are keyed by time: a release is charged in full to every budget period its window
    overlaps (ISO weeks by default), so relabelling a week does not buy a fresh budget. Opening an
    existing log replays and verifies it (``ValueError`` if it does not verify, was created for
    another budget or calendar, or is in use by another accountant); every spend is synced to disk
    before the release is returned.
    """

    def __init__(
        self,
        audit_log_path: str | os.PathLike[str],
        epsilon_per_period: float,
        delta_per_period: float = 0.0,
        *,
        period: timedelta = timedelta(weeks=1),
        period_origin: datetime = _ISO_WEEK_ORIGIN,
    ) -> None:
        """Opens (creating if needed) the audit log at ``audit_log_path`` with this budget per period."""
        origin_ns = _ns(period_origin)
        if origin_ns % 1_000_000_000:
            raise ValueError("period_origin must fall on a whole second")
        self._core = _CoreAccountant(os.fspath(audit_log_path), epsilon_per_period, delta_per_period,
                                     period_length_s=_whole_seconds(period, "period"),
                                     period_origin_s=origin_ns // 1_000_000_000)

    @property
    def budget(self) -> tuple[float, float]:
        """(epsilon, delta) per budget period."""
        return self._core.budget

    @property
    def audit_log_path(self) -> str:
        """The audit log that holds the budget."""
        return self._core.audit_log_path

    def spent(self, when: Time) -> tuple[float, float]:
        """(epsilon, delta) spent in the budget period that contains ``when``."""
        return self._core.spent(_ns(when))

    def remaining(self, when: Time) -> tuple[float, float]:
        """(epsilon, delta) left in the budget period that contains ``when``."""
        return self._core.remaining(_ns(when))

    def period_containing(self, when: Time) -> tuple[datetime, datetime]:
        """The budget period [start, end) that contains ``when``, as UTC datetimes."""
        start, end = self._core.period_containing(_ns(when))
        return _datetime(start), _datetime(end)


class AdoptionAggregator:
    """Collects one window's usage events; releases only privacy-protected reports (thread-safe)."""

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
        max_tokens: int = 50_000,
        max_requests: int = 250,
        max_cost_micros: int = 500_000,
        stable_pseudonyms: bool = False,
    ) -> None:
        """An aggregator for ``period`` (the label that keys the pseudonyms) over [window_start, window_end).

        The bounds cap one person's contribution per window: at most ``max_groups_per_person``
        groups, and in each at most ``max_tokens`` / ``max_requests`` / ``max_cost_micros``.
        """
        if not isinstance(accountant, PrivacyAccountant):
            raise TypeError("accountant must be a tokenmaxx.privacy.PrivacyAccountant")
        self._core = _CoreAggregator(
            list(dimensions), period, _ns(window_start), _ns(window_end), accountant._core, key,
            min_group_size=min_group_size, max_groups_per_person=max_groups_per_person, max_tokens=max_tokens,
            max_requests=max_requests, max_cost_micros=max_cost_micros, stable_pseudonyms=stable_pseudonyms,
        )

    def add(self, person_id: str, group: Sequence[str], time: Time, *, tokens: int = 0, requests: int = 0,
            cost_micros: int = 0) -> None:
        """Ingests one event; the person id is pseudonymized at once and never stored.

        ``ValueError`` for a wrong number of group values, negative amounts, an empty id, invalid
        text, or a time outside the window; ``TypeError`` for arguments of the wrong type. No error
        message repeats the person id.
        """
        # Checked here so that no conversion error of the extension (which would list the
        # arguments, the person id among them) can be raised.
        values = [_text(v, "a group value") for v in group]
        self._core.add(_text(person_id, "person_id"), values, _amount(_ns(time), "time"), tokens=_amount(tokens, "tokens"),
                       requests=_amount(requests, "requests"), cost_micros=_amount(cost_micros, "cost_micros"))

    def release(
        self,
        *,
        epsilon: float = 1.0,
        delta: float = 0.0,
        mechanism: str = "laplace",
        tokens: bool = True,
        requests: bool = False,
        cost: bool = False,
        public_groups: Sequence[Sequence[str]] | None = None,
        headcount: Mapping[Sequence[str], int] | None = None,
        confidence: float = 0.95,
    ) -> AdoptionReport:
        """Releases the report, charging (epsilon, delta) to every budget period the window overlaps.

        With ``public_groups`` (the org chart) every listed group gets a row, suppressed when its noisy
        count of active people, or its ``headcount``, is below k; without it, groups are chosen by
        private selection, which needs ``delta > 0``. ``PrivacyBudgetError`` when a period's budget
        would be exceeded: nothing is released then.
        """
        return self._core.release(
            epsilon=epsilon, delta=delta, mechanism=mechanism, tokens=tokens, requests=requests, cost=cost,
            public_groups=None if public_groups is None else [list(g) for g in public_groups],
            headcount={tuple(k): v for k, v in (headcount or {}).items()},
            confidence=confidence,
        )
