"""Compatibility name of :mod:`tokenmaxx.usage` (usage accounting), kept for code written before 0.2."""
from tokenmaxx.usage import *  # noqa: F401,F403
from tokenmaxx.usage import __all__  # noqa: F401
