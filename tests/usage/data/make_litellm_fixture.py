#!/usr/bin/env python3
"""Writes the LiteLLM fixtures of tests/usage/pricing_test.cpp, or checks them against LiteLLM.

  litellm_prices.json  a few entries of LiteLLM's model_prices_and_context_window.json, verbatim:
                       tiered prices, one-hour cache writes, several thresholds, xAI's inclusive
                       thresholds, a reasoning price, zero prices, and models billed per query/pixel
  litellm_costs.json   token mixes for those models and the cost LiteLLM's own cost_per_token()
                       computes for each (USD, float), the reference the C++ test compares with

LiteLLM is not a dependency of tokenmaxx: run this with a Python that has it (pip install litellm),
e.g. `python3 -m venv /tmp/ll && /tmp/ll/bin/pip install litellm && /tmp/ll/bin/python3 <this file>`.
  --check   recompute every cost with the installed LiteLLM and report differences (exit 1 if any)
"""
import argparse
import json
import os
import sys

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # the table bundled with the package

import importlib.metadata  # noqa: E402

import litellm  # noqa: E402
from litellm.types.utils import Usage  # noqa: E402

LITELLM_VERSION = importlib.metadata.version("litellm")

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = [
    "gpt-4o",                                     # cache reads, no cache-write price
    "claude-sonnet-4-5",                          # 5-minute and one-hour cache writes
    "anthropic.claude-sonnet-4-5-20250929-v1:0",  # tiers for every type, one-hour writes included
    "gemini-2.5-pro",                             # a 200k tier; a cache-write price only in the tier
    "gemini-2.5-flash",                           # an explicit reasoning price
    "kyma/qwen3.7-flash",                         # two thresholds (32k, 256k)
    "xai/grok-4.20-multi-agent-beta-0309",        # xAI: the tier applies from the threshold on
    "text-embedding-3-small",                     # an explicit zero output price
    "amazon.rerank-v1:0",                         # billed per query; zero token prices
    "azure/standard/1024-x-1024/dall-e-3",        # billed per pixel
]

# (input, cached_input, cache_creation, cache_creation_1h, output, reasoning)
MIXES = [
    (1000, 0, 0, 0, 500, 0),
    (1000, 2000, 0, 0, 500, 100),
    (1200, 800, 300, 0, 300, 0),
    (1000, 1000, 1000, 1000, 100, 0),
    (150_000, 0, 0, 0, 2000, 0),
    (300_000, 0, 0, 0, 2000, 0),
    (180_000, 20_000, 0, 0, 1000, 0),    # prompt exactly 200k: not above
    (180_000, 20_001, 0, 0, 1000, 0),    # 200,001: above
    (250_000, 40_000, 5000, 5000, 7000, 3000),
    (32_000, 0, 0, 0, 10, 0),
    (32_001, 0, 0, 0, 10, 0),
    (256_000, 0, 0, 0, 10, 0),
    (256_001, 0, 0, 0, 10, 0),
    (1, 0, 0, 0, 1, 1),
]


def litellm_cost(model, mix):
    inp, cached, cc5, cc1h, out, reasoning = mix
    details = {"cached_tokens": cached}
    if cc5 or cc1h:
        details["cache_creation_tokens"] = cc5 + cc1h
        details["cache_creation_token_details"] = {"ephemeral_5m_input_tokens": cc5, "ephemeral_1h_input_tokens": cc1h}
    prompt, completion = inp + cached + cc5 + cc1h, out + reasoning  # OpenAI's convention: totals
    usage = Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion,
                  reasoning_tokens=reasoning or None, prompt_tokens_details=details)
    prompt, completion = litellm.cost_per_token(model=model, usage_object=usage)
    return prompt + completion


def cases():
    out = []
    for model in MODELS:
        for mix in MIXES:
            out.append({"model": model, "tokens": list(mix), "litellm_usd": litellm_cost(model, mix)})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if args.check:
        want = json.load(open(os.path.join(HERE, "litellm_costs.json"), encoding="utf-8"))
        bad = [c for c in want["cases"] if litellm_cost(c["model"], tuple(c["tokens"])) != c["litellm_usd"]]
        for c in bad:
            print("differs:", c)
        print(f"{len(want['cases']) - len(bad)} of {len(want['cases'])} costs equal LiteLLM {LITELLM_VERSION}'s")
        sys.exit(1 if bad else 0)
    table = json.load(open(os.path.join(os.path.dirname(litellm.__file__), "model_prices_and_context_window_backup.json")))
    with open(os.path.join(HERE, "litellm_prices.json"), "w", encoding="utf-8") as f:
        json.dump({m: table[m] for m in MODELS}, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(HERE, "litellm_costs.json"), "w", encoding="utf-8") as f:
        json.dump({"litellm_version": LITELLM_VERSION,
                   "token_order": ["input", "cached_input", "cache_creation", "cache_creation_1h", "output", "reasoning"],
                   "cases": cases()}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
