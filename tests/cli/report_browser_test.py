#!/usr/bin/env python3
"""The report as a person sees it: `tokenmaxx demo` writes report.html; headless Chromium (Debian
`chromium`) opens it offline, the charts render, and a screenshot is saved into the build folder.
Checks: every chart rendered marks with the expected number of series (read from report.json), the
page logged nothing to the console, and no person identifier or pseudonym-like string is on the page
or in report.json.

Usage: report_browser_test.py --cli PATH --out DIR [--chromium chromium] [--screenshot PNG]
"""
import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from html.parser import HTMLParser

ARGS = None
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def chromium(*flags, url):
    profile = tempfile.mkdtemp(prefix="tokenmaxx-chromium-")
    try:
        cmd = [ARGS.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
               "--disable-extensions", f"--user-data-dir={profile}", "--virtual-time-budget=20000", *flags, url]
        return subprocess.run(cmd, capture_output=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Marks(HTMLParser):
    """Per chart div: the rendered mark groups (class "mark-<type> role-mark") and their drawn items."""

    def __init__(self):
        super().__init__()
        self.stack = []  # (tag, chart id or None, mark type or None)
        self.charts = {}
        self.body_text = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        chart = self.stack[-1][1] if self.stack else None
        mark = self.stack[-1][2] if self.stack else None
        if a.get("id", "").startswith("chart-"):
            chart = a["id"][len("chart-"):]
            self.charts.setdefault(chart, {})
        cls = a.get("class", "")
        m = re.match(r"mark-(\w+) role-mark", cls)
        if m and chart:
            mark = m.group(1)
            self.charts[chart].setdefault(mark, {"groups": 0, "items": 0})
            self.charts[chart][mark]["groups"] += 1
        elif mark and chart and tag == "path" and a.get("d"):
            self.charts[chart][mark]["items"] += 1
        self.in_script = tag in ("script", "style")
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, chart, mark))

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS or all(t != tag for t, _, _ in self.stack):
            return
        while self.stack:
            t, _, _ = self.stack.pop()
            if t == tag:
                break
        self.in_script = False

    def handle_data(self, data):
        if not self.in_script:
            self.body_text.append(data)


class ReportInBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        out = cls.out = os.path.abspath(ARGS.out)
        shutil.rmtree(out, ignore_errors=True)
        r = subprocess.run([ARGS.cli, "demo", "--out", out], capture_output=True, timeout=600)
        assert r.returncode == 0, r.stderr.decode()
        cls.demo_stdout = r.stdout.decode()
        cls.html_path = os.path.join(out, "report.html")
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            cls.report = json.load(f)
        with open(os.path.join(out, "events.jsonl"), encoding="utf-8") as f:
            cls.people = {json.loads(line)["person"] for line in f}
        url = "file://" + cls.html_path
        dom = chromium("--enable-logging=stderr", "--v=0", "--dump-dom", url=url)
        assert dom.returncode == 0, dom.stderr.decode()
        cls.dom = dom.stdout.decode()
        cls.console = [l for l in dom.stderr.decode().splitlines() if ":CONSOLE" in l]
        cls.marks = Marks()
        cls.marks.feed(cls.dom)
        shot = chromium("--window-size=1100,2000", f"--screenshot={ARGS.screenshot}", url=url)
        assert shot.returncode == 0, shot.stderr.decode()

    def test_the_demo_prints_where_the_report_is(self):
        self.assertIn(self.html_path, self.demo_stdout)

    def test_all_charts_rendered_without_console_output(self):
        self.assertIn('data-charts="rendered"', self.dom)
        self.assertEqual(self.console, [], "the page wrote to the console")

    def test_adoption_chart_has_one_line_and_band_per_released_team(self):
        teams = {v["team"] for v in self.report["charts"]["adoption"]["data"]["values"]}
        self.assertGreaterEqual(len(teams), 15)
        marks = self.marks.charts["adoption"]
        self.assertEqual(marks["line"]["groups"], len(teams))
        self.assertEqual(marks["line"]["items"], len(teams))
        self.assertEqual(marks["area"]["items"], len(teams))

    def test_workflow_chart_has_a_bar_per_week_and_workflow(self):
        values = self.report["charts"]["workflows"]["data"]["values"]
        self.assertGreaterEqual(len({v["workflow"] for v in values}), 5)
        self.assertEqual(self.marks.charts["workflows"]["rect"]["items"], len(values))

    def test_outcome_chart_has_a_bar_and_interval_per_team(self):
        values = self.report["charts"]["outcomes"]["data"]["values"]
        self.assertGreater(len(values), 10)
        self.assertEqual(self.marks.charts["outcomes"]["rect"]["items"], len(values))
        self.assertEqual(self.marks.charts["outcomes"]["rule"]["groups"], 1)

    def test_privacy_parameters_budget_and_suppressed_groups_are_on_the_page(self):
        text = " ".join(self.marks.body_text)
        for needle in ["discrete_laplace", "minimum group size k", "epsilon remaining", "Suppressed groups"]:
            self.assertIn(needle, text)
        self.assertTrue(self.report["suppressed"])
        for s in self.report["suppressed"][:20]:
            self.assertIn(s["team"], text)

    def test_no_person_identifier_or_pseudonym_anywhere(self):
        self.assertGreater(len(self.people), 1500)
        with open(self.html_path, encoding="utf-8") as f:
            page = f.read()
        report_text = json.dumps(self.report)
        for where, text in [("report.html", page), ("rendered page", self.dom), ("report.json", report_text)]:
            self.assertNotIn("@corp.example", text, where)
            self.assertIsNone(re.search(r"emp\d{5}", text), where)
        # Pseudonyms are hex HMAC digests: nothing hex-like of 16+ characters in the data or the text.
        for where, text in [("report.json", report_text), ("page text", " ".join(self.marks.body_text))]:
            self.assertIsNone(re.search(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{16,}\b", text), where)

    def test_python_api_gives_the_page_charts_and_altair_accepts_them(self):
        # tokenmaxx/report.py needs only the standard library: loaded from the source tree, so this
        # test does not depend on the Python package being installed.
        path = os.path.join(REPO, "bindings", "python", "tokenmaxx", "report.py")
        spec = importlib.util.spec_from_file_location("tokenmaxx_report_under_test", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        report = module.AdoptionReport.load(self.out)
        self.assertEqual(report.vega_lite(), self.report["charts"])
        self.assertEqual(report.chart_names, list(self.report["charts"]))
        self.assertEqual(report.privacy, self.report["privacy"])
        import altair as alt  # pinned in scripts/setup.sh: Altair 5, Vega-Lite 5 like the page
        for name in report.chart_names:
            alt.Chart.from_dict(report.vega_lite(name))  # validates against the Vega-Lite schema
        broken = report.vega_lite("workflows")
        broken["mark"] = {"type": "no-such-mark"}
        with self.assertRaises(Exception):
            alt.Chart.from_dict(broken)
        with self.assertRaises(KeyError):
            report.vega_lite("no-such-chart")

    def test_screenshot_was_saved(self):
        with open(ARGS.screenshot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(ARGS.screenshot), 50_000)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default="chromium")
    ap.add_argument("--screenshot", required=True)
    ARGS, rest = ap.parse_known_args()
    ARGS.cli = os.path.abspath(ARGS.cli)
    ARGS.screenshot = os.path.abspath(ARGS.screenshot)
    if shutil.which(ARGS.chromium) is None:
        sys.exit(f"{ARGS.chromium} not found (scripts/setup.sh installs Debian's chromium)")
    result = unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False).result
    sys.exit(0 if result.wasSuccessful() and not result.skipped and result.testsRun > 0 else 1)


if __name__ == "__main__":
    main()
