"""`import tokenmaxx` loads only what counting needs: the ledger, the privacy layer, the compat
module and the heavy standard modules they or a download use come on first use."""
from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
before = set(sys.modules)
import tokenmaxx
loaded = sorted(set(sys.modules) - before)
enc = tokenmaxx.get_encoding("cl100k_base")
after_encoding = sorted(set(sys.modules) - before)
tokenmaxx.usage.Ledger
print(json.dumps({"import": loaded, "encoding": after_encoding, "usage": "tokenmaxx.usage" in sys.modules}))
"""
NOT_AT_IMPORT = ["decimal", "urllib", "urllib.request", "http", "http.client", "email", "tempfile", "hashlib",
                 "tokenmaxx.usage", "tokenmaxx.ledger", "tokenmaxx.privacy", "tokenmaxx.tiktoken_compat"]


def test_import_tokenmaxx_is_light():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    for name in NOT_AT_IMPORT:
        assert name not in result["import"], name
    # Loading a vocabulary found locally downloads nothing and needs no accounting.
    for name in ["decimal", "urllib.request", "http.client", "tempfile", "tokenmaxx.usage", "tokenmaxx.privacy"]:
        assert name not in result["encoding"], name
    assert "tokenmaxx.token" in result["import"] and "tokenmaxx._core" in result["import"]
    assert result["usage"], "tokenmaxx.usage loads on first use"
