"""Stubs for tokenmaxx._core, the private native module: one submodule per subsystem."""
from . import privacy as privacy, token as token, usage as usage

__version__: str
