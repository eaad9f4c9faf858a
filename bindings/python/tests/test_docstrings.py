"""Every public function, class, method and property of the package has a docstring of its own
(what `help()` shows), the native classes included."""
from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = [
    "tokenmaxx", "tokenmaxx.token", "tokenmaxx.core", "tokenmaxx.registry", "tokenmaxx.model", "tokenmaxx.load",
    "tokenmaxx._openai_public", "tokenmaxx.tiktoken_compat", "tokenmaxx.tiktoken_compat._educational",
    "tokenmaxx.usage", "tokenmaxx.ledger", "tokenmaxx.privacy", "tokenmaxx.report", "tokenmaxx.dask", "tokenmaxx.spark",
]


def undocumented(mod_name: str) -> list[str]:
    module = importlib.import_module(mod_name)
    missing = [] if (module.__doc__ or "").strip() else [mod_name]
    for name, obj in vars(module).items():
        if name.startswith("_") or not (inspect.isclass(obj) or inspect.isfunction(obj) or inspect.isbuiltin(obj)):
            continue
        if not getattr(obj, "__module__", "").startswith("tokenmaxx"):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(f"{mod_name}.{name}")
        if inspect.isclass(obj):
            for member_name, member in vars(obj).items():
                if member_name.startswith("_") and member_name != "__init__":
                    continue
                target = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
                if not callable(target):
                    continue
                doc = (getattr(target, "__doc__", None) or "").strip()
                # pybind11 puts the signature first; a docstring is text after it.
                if doc.startswith(f"{member_name}(") and "\n\n" not in doc:
                    doc = ""
                if not doc:
                    missing.append(f"{mod_name}.{name}.{member_name}")
    return missing


@pytest.mark.parametrize("mod_name", MODULES)
def test_public_api_is_documented(mod_name):
    assert undocumented(mod_name) == []
