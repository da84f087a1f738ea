"""``python -m nn.training``: the ``autograd-train`` main job (see :mod:`nn.training.cli`)."""
import sys

from .cli import main

sys.exit(main())
