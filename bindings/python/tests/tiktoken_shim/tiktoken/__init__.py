# Put this folder first on PYTHONPATH and `import tiktoken` loads tokenmaxx.tiktoken_compat (in
# subprocesses too): test_tiktoken_suite.py runs tiktoken's own tests this way.
import tokenmaxx.tiktoken_compat

tokenmaxx.tiktoken_compat.install()  # replaces this module in sys.modules; `import tiktoken` returns that
