"""The weekly adoption report that ``tokenmaxx report`` and ``tokenmaxx demo`` write, from Python.

``report.json`` holds what ``report.html`` shows: the released weeks (noisy, per team and per team x
workflow, never per person), the suppressed groups, the privacy parameters and budget, and the
charts as Vega-Lite specifications with their data inlined. ``AdoptionReport.vega_lite()`` returns
those specifications, the same ones the page renders, so a notebook shows them with Altair:
``alt.Chart.from_dict(AdoptionReport.load("build/demo/weekly").vega_lite("adoption"))`` draws the
adoption share per team with its intervals (Altair 5, whose Vega-Lite 5 schema the charts follow;
the tests validate every chart of ``tokenmaxx demo``'s report with it).

This module reads files only (the standard library's ``json``); it does not need the native core.
"""
from __future__ import annotations

import copy
import json
import os
from typing import Any, Mapping

SCHEMA = "tokenmaxx.cli_report.v1"


class AdoptionReport:
    """A ``report.json`` of ``tokenmaxx report``: weeks, suppressed groups, privacy and charts.

        import json, os, tempfile
        from tokenmaxx.report import AdoptionReport

        spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "mark": "line",
                "data": {"values": [{"week": "2026-W37", "share": 0.25}]},
                "encoding": {"x": {"field": "week", "type": "ordinal"}, "y": {"field": "share", "type": "quantitative"}}}
        folder = tempfile.mkdtemp()
        with open(os.path.join(folder, "report.json"), "w") as f:
            json.dump({"schema": "tokenmaxx.cli_report.v1", "charts": {"adoption": spec}, "weeks": [],
                       "suppressed": [], "privacy": {"epsilon_per_week": 1.0}}, f)
        report = AdoptionReport.load(folder)
        assert report.chart_names == ["adoption"] and report.vega_lite("adoption") == spec
    """

    def __init__(self, document: Mapping[str, Any]):
        """A report from its parsed ``report.json`` (``load`` reads the file); ``ValueError`` for
        anything else, such as another schema or charts that are not specifications."""
        if not isinstance(document, Mapping) or document.get("schema") != SCHEMA:
            found = document.get("schema") if isinstance(document, Mapping) else type(document).__name__
            raise ValueError(f"not a tokenmaxx report (schema {found!r}, expected {SCHEMA!r})")
        charts = document.get("charts")
        if not isinstance(charts, Mapping) or not all(isinstance(s, Mapping) for s in charts.values()):
            raise ValueError("report: \"charts\" must map chart names to Vega-Lite specifications")
        self._doc = copy.deepcopy(dict(document))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "AdoptionReport":
        """Reads ``report.json``, or the ``report.json`` inside the folder ``path``. ``ValueError``
        for a file that is not a tokenmaxx report, naming it."""
        path = os.fspath(path)
        if os.path.isdir(path):
            path = os.path.join(path, "report.json")
        with open(path, encoding="utf-8") as f:
            try:
                document = json.load(f)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}: not JSON ({e})") from None
        try:
            return cls(document)
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None

    @property
    def chart_names(self) -> list[str]:
        """The charts of the report, in the order of the file (``adoption``, ``workflows``, and
        ``outcomes`` when team outcomes were given)."""
        return list(self._doc["charts"])

    def vega_lite(self, name: str | None = None) -> Any:
        """One chart's Vega-Lite specification (a dict, data inlined), or with no name all of them
        as ``{name: spec}``. Copies: changing one does not change the report. ``KeyError`` names the
        charts there are."""
        charts = self._doc["charts"]
        if name is None:
            return copy.deepcopy(charts)
        if name not in charts:
            raise KeyError(f"no chart {name!r} in this report; it has {sorted(charts)}")
        return copy.deepcopy(charts[name])

    @property
    def weeks(self) -> list[dict[str, Any]]:
        """The released weeks: noisy figures per team and per team x workflow, with intervals."""
        return copy.deepcopy(self._doc.get("weeks", []))

    @property
    def suppressed(self) -> list[dict[str, Any]]:
        """The groups left out of a week because fewer than k people were in them."""
        return copy.deepcopy(self._doc.get("suppressed", []))

    @property
    def privacy(self) -> dict[str, Any]:
        """The privacy parameters: mechanism, epsilon per week, budget, k, contribution bounds."""
        return copy.deepcopy(self._doc.get("privacy", {}))
