"""``python -m bench``: the same as ``python bench/run.py`` (see its docstring)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run import main  # noqa: E402

main()
