"""tokenmaxx.tiktoken_compat against tiktoken 0.14 itself: every public name of tiktoken's module
tree exists in the compat package with the same kind, signature and (for constants) value; the
built-in plugin constructors return what tiktoken's return; tiktoken_ext plugins are found as
tiktoken finds them; and the calls the issue named behave as tiktoken's do."""
from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tokenmaxx
import tokenmaxx.tiktoken_compat as compat
from tokenmaxx import _openai_public

# tiktoken's Rust extension: its private core (CoreBPE), with no Python source and no public name.
NOT_MIRRORED = {"tiktoken._tiktoken": "tiktoken's private Rust core"}


def outcome(fn, *args, **kwargs):
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as e:  # noqa: BLE001
        return (type(e), str(e))


def tiktoken_modules(tiktoken) -> list[str]:
    """Every module of tiktoken's distribution: the package, its submodules and its plugin."""
    import tiktoken_ext.openai_public  # noqa: F401

    names = ["tiktoken"] + [m.name for m in pkgutil.walk_packages(tiktoken.__path__, "tiktoken.")]
    names.append("tiktoken_ext.openai_public")
    return [n for n in names if n not in NOT_MIRRORED]


def compat_module_for(name: str):
    if name == "tiktoken_ext.openai_public":
        return _openai_public
    return importlib.import_module(name.replace("tiktoken", "tokenmaxx.tiktoken_compat", 1))


def public_names(module) -> set[str]:
    """Names a module defines or explicitly re-exports (``from x import a as a``), without a
    leading underscore, read from its source; plus ``__version__`` and its public submodules."""
    tree = ast.parse(Path(inspect.getsourcefile(module)).read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname for a in node.names if a.asname and a.asname == a.name.split(".")[-1])
    if hasattr(module, "__path__"):
        names.update(m.name for m in pkgutil.iter_modules(module.__path__) if not m.name.startswith("_"))
    return {n for n in names if not n.startswith("_") or n == "__version__"}


def parameters(fn) -> list[tuple[str, object, object]]:
    """(name, kind, default) of each parameter: annotations may differ, the call shape may not."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_every_public_name_of_tiktoken_exists_in_the_compat_package(tiktoken):
    checked = 0
    problems = []
    for mod_name in tiktoken_modules(tiktoken):
        theirs, ours = importlib.import_module(mod_name), compat_module_for(mod_name)
        for name in sorted(public_names(theirs)):
            checked += 1
            if not hasattr(ours, name):
                problems.append(f"{mod_name}.{name}: missing")
                continue
            a, b = getattr(theirs, name), getattr(ours, name)
            if inspect.ismodule(a):
                if not inspect.ismodule(b):
                    problems.append(f"{mod_name}.{name}: not a module")
            elif inspect.isclass(a):
                if not inspect.isclass(b):
                    problems.append(f"{mod_name}.{name}: not a class")
                    continue
                members = {m for m in vars(a) if not m.startswith("_")} | {"__init__"}
                for member in sorted(members):
                    if not hasattr(b, member):
                        problems.append(f"{mod_name}.{name}.{member}: missing")
                    elif inspect.isfunction(getattr(a, member)) and parameters(getattr(a, member)) != parameters(getattr(b, member)):
                        problems.append(f"{mod_name}.{name}.{member}: parameters {parameters(getattr(b, member))}")
            elif callable(a):
                if not callable(b) or parameters(a) != parameters(b):
                    problems.append(f"{mod_name}.{name}: parameters differ")
            elif name not in ("ENCODINGS", "ENCODING_CONSTRUCTORS") and a != b:  # registry state, below
                problems.append(f"{mod_name}.{name}: {b!r} != {a!r}")
    assert not problems, "\n".join(problems)
    assert checked >= 40, f"only {checked} names found: is the walk still finding tiktoken's modules?"


def test_registry_state_like_tiktoken(tiktoken):
    import tiktoken.registry

    assert compat.registry.list_encoding_names() == tiktoken.registry.list_encoding_names()
    assert list(compat.registry.ENCODING_CONSTRUCTORS) == list(tiktoken.registry.ENCODING_CONSTRUCTORS)
    compat.get_encoding("cl100k_base")
    assert compat.registry.ENCODINGS["cl100k_base"] is tokenmaxx.get_encoding("cl100k_base")


@pytest.mark.parametrize("name", ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"])
def test_builtin_constructors_return_what_tiktokens_return(name):
    import tiktoken_ext.openai_public as theirs

    ours = getattr(_openai_public, name)()
    expected = getattr(theirs, name)()
    assert list(ours) == list(expected), "same keys, same order"
    assert ours == expected
    assert list(ours["special_tokens"].items()) == list(expected["special_tokens"].items())


def test_gpt2_constructor_is_r50k_with_its_own_name():
    """tiktoken builds gpt2 from GPT-2's original files (not in the shared cache); its ranks are
    r50k_base's, which tiktoken's own tests rely on (both encode 'hello world' as [31373, 995])."""
    gpt2, r50k = _openai_public.gpt2(), _openai_public.r50k_base()
    assert gpt2 == dict(r50k, name="gpt2")


def test_issue_calls_behave_like_tiktoken(tiktoken):
    """The calls the issue found different: numpy on lone surrogates, a str to encode_batch."""
    pytest.importorskip("numpy")
    for name in ["cl100k_base", "o200k_base"]:
        ours, theirs = tokenmaxx.get_encoding(name), tiktoken.get_encoding(name)
        for text in ["a\ud800", "\udc00", "x\ud83d\ude00y", "a\ud800<|endoftext|>", "<|endoftext|>\ud800"]:
            for kwargs in [{}, {"allowed_special": "all"}, {"disallowed_special": ()}]:
                got, expected = outcome(ours.encode_to_numpy, text, **kwargs), outcome(theirs.encode_to_numpy, text, **kwargs)
                if expected[0] == "ok":
                    assert got[0] == "ok" and got[1].tolist() == expected[1].tolist(), (text, kwargs)
                else:
                    assert got == expected, (text, kwargs)
                assert outcome(ours.encode_with_unstable, text, **kwargs)[0] == outcome(theirs.encode_with_unstable, text, **kwargs)[0]
        for batch in ["abc", "", "a<|endoftext|>", ("x", "y"), iter(["p", "q"])]:
            copy = list(batch) if not isinstance(batch, str) else batch
            assert outcome(ours.encode_batch, copy) == outcome(theirs.encode_batch, copy), batch
            assert outcome(ours.encode_ordinary_batch, copy) == outcome(theirs.encode_ordinary_batch, copy), batch
        assert ours.encode_batch("abc") == [[64], [65], [66]]
        assert ours.count_batch("abc") == [1, 1, 1]
        assert ours.encode_batch(iter(["a b", "c"])) == theirs.encode_batch(["a b", "c"])


def test_wrong_argument_types_raise_tiktokens_type_errors(tiktoken):
    ours, theirs = tokenmaxx.get_encoding("cl100k_base"), tiktoken.get_encoding("cl100k_base")

    class Outer:
        class Inner:
            pass

    for bad in [b"x", None, 3, 1.5, [1], Outer.Inner()]:
        for call in ["encode_ordinary", "encode", "encode_with_unstable", "encode_single_token"]:
            assert outcome(getattr(ours, call), bad) == outcome(getattr(theirs, call), bad), (call, bad)
        assert outcome(ours._encode_bytes, bad) [0] is outcome(theirs._encode_bytes, bad)[0], bad


def test_version_and_package_shape():
    assert compat.__version__ == "0.14.0"
    assert compat.core is tokenmaxx.core and compat.load is tokenmaxx.load
    assert hasattr(compat, "__path__"), "a package, so tiktoken._educational is importable after install()"


PLUGIN = '''
from tiktoken.load import load_tiktoken_bpe

def cl100k_im():
    ranks = load_tiktoken_bpe("https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
                              expected_hash="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")
    pat = r"""'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s"""
    return {"name": "cl100k_im", "pat_str": pat, "mergeable_ranks": ranks,
            "special_tokens": {"<|endoftext|>": 100257, "<|im_start|>": 100264, "<|im_end|>": 100265}}

ENCODING_CONSTRUCTORS = {"cl100k_im": cl100k_im}
'''

PLUGIN_CHECK = r'''
import json, sys
use_compat = sys.argv[1] == "compat"
if use_compat:
    import tokenmaxx.tiktoken_compat
    tokenmaxx.tiktoken_compat.install()
import tiktoken
assert (tiktoken.__name__ == "tokenmaxx.tiktoken_compat") == use_compat
def outcome(fn, *a):
    try:
        return ["ok", fn(*a)]
    except Exception as e:
        return [type(e).__name__, str(e).split("\n")[0]]
names = outcome(tiktoken.list_encoding_names)
enc = outcome(lambda: tiktoken.get_encoding("cl100k_im").encode("<|im_start|>user hi<|im_end|>", allowed_special="all"))
print(json.dumps({"names": names, "enc": enc}))
'''


def run_with_plugin(tmp_path: Path, plugin_source: str, mode: str) -> dict:
    import json

    ext = tmp_path / "plugins" / "tiktoken_ext"
    ext.mkdir(parents=True, exist_ok=True)
    (ext / "my_plugin.py").write_text(plugin_source)
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "plugins"), TOKENMAXX_OFFLINE="1")
    out = subprocess.run([sys.executable, "-c", PLUGIN_CHECK, mode], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_tiktoken_ext_plugins_are_found_as_tiktoken_finds_them(tmp_path):
    ours, theirs = run_with_plugin(tmp_path, PLUGIN, "compat"), run_with_plugin(tmp_path, PLUGIN, "tiktoken")
    assert ours == theirs
    assert "cl100k_im" in ours["names"][1]
    assert ours["enc"] == ["ok", [100264, 882, 15960, 100265]]


@pytest.mark.parametrize(
    "plugin",
    [
        "ENCODING_CONSTRUCTORS = {'cl100k_base': lambda: {}}",  # a built-in name again
        "NOTHING_HERE = 1",  # no table
    ],
    ids=["duplicate-name", "no-table"],
)
def test_broken_plugins_fail_as_in_tiktoken(tmp_path, plugin):
    ours, theirs = run_with_plugin(tmp_path, plugin, "compat"), run_with_plugin(tmp_path, plugin, "tiktoken")
    assert ours["names"] == theirs["names"]
    assert ours["names"][0] == "ValueError"


def test_install_serves_educational_and_openai_public(tmp_path):
    """After install(), tiktoken's private teaching module and its plugin import as with tiktoken."""
    script = textwrap.dedent(
        """
        import tokenmaxx.tiktoken_compat
        tokenmaxx.tiktoken_compat.install()
        import tiktoken._educational
        import tiktoken_ext.openai_public
        from tiktoken._educational import SimpleBytePairEncoding, bpe_train
        enc = SimpleBytePairEncoding.from_tiktoken("cl100k_base")
        assert enc.encode("hello world", visualise=None) == [15339, 1917]
        spec = tiktoken_ext.openai_public.o200k_base()
        assert tiktoken.Encoding(**spec).encode("hello world") == [24912, 2375]
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=dict(os.environ, TOKENMAXX_OFFLINE="1"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_educational_module_gives_tiktokens_results(tiktoken, capsys):
    import regex  # noqa: F401 (both implementations need it)
    import tiktoken._educational as theirs

    from tokenmaxx.tiktoken_compat import _educational as ours

    data = Path(inspect.getsourcefile(theirs)).read_text()
    pat = ours._GPT2_RELEASE_PATTERN
    ranks = ours.bpe_train(data, 320, pat, visualise=None)
    assert ranks == theirs.bpe_train(data, 320, pat, visualise=None)
    enc_ours = ours.SimpleBytePairEncoding(pat_str=pat, mergeable_ranks=ranks)
    enc_theirs = theirs.SimpleBytePairEncoding(pat_str=pat, mergeable_ranks=ranks)
    for text in ["hello world", "def bpe_train(data)", "ünïcödé 😀"]:
        assert enc_ours.encode(text, visualise=None) == enc_theirs.encode(text, visualise=None)
    for visualise in ["colour", "simple"]:
        capsys.readouterr()
        ours.bpe_encode(ranks, b"hello world", visualise=visualise)
        mine = capsys.readouterr().out
        theirs.bpe_encode(ranks, b"hello world", visualise=visualise)
        assert mine == capsys.readouterr().out and mine
    big = ours.SimpleBytePairEncoding.from_tiktoken("cl100k_base")
    assert big.encode("tokenmaxx counts", visualise=None) == tiktoken.get_encoding("cl100k_base").encode("tokenmaxx counts")
    with pytest.raises(ValueError, match="at least 256"):
        ours.bpe_train("x", 255, pat)
