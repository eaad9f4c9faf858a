"""The suite's rule that a skip is a failure (TOKENMAXX_FORBID_SKIPS=1, set by
scripts/test_python.sh) holds for skips at collection time too: a module-level
``pytest.importorskip`` of a missing package must fail the run, not pass as "1 skipped"."""
from __future__ import annotations

from pathlib import Path

CONFTEST = (Path(__file__).parent / "conftest.py").read_text()


def run(pytester, monkeypatch, forbid: str, test_source: str):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_module=test_source)
    monkeypatch.setenv("TOKENMAXX_FORBID_SKIPS", forbid)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider")


def test_module_level_importorskip_fails_when_skips_are_forbidden(pytester, monkeypatch):
    source = "import pytest\npytest.importorskip('no_such_module_for_tokenmaxx')\n\ndef test_x():\n    pass\n"
    result = run(pytester, monkeypatch, "1", source)
    assert result.ret != 0
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*TOKENMAXX_FORBID_SKIPS=1 forbids skips*no_such_module_for_tokenmaxx*"])
    # Without the rule the same module is an ordinary skip.
    run(pytester, monkeypatch, "0", source).assert_outcomes(skipped=1)


def test_runtime_skip_fails_when_skips_are_forbidden(pytester, monkeypatch):
    source = "import pytest\n\ndef test_x():\n    pytest.skip('not today')\n"
    result = run(pytester, monkeypatch, "1", source)
    result.assert_outcomes(failed=1)
    run(pytester, monkeypatch, "0", source).assert_outcomes(skipped=1)
