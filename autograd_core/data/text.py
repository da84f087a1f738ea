"""Small public-domain texts shipped inside the package, and a character vocabulary, for character-level
language models that run with no download (notebook 10).

=================  ============================================================================================
``"the_raven"``    Edgar Allan Poe, *The Raven* (1845; public domain): 18 stanzas, 6,233 characters, 55 distinct
=================  ============================================================================================

Example::

    >>> text = load_text("the_raven")
    >>> vocab = CharVocab(text)
    >>> ids = vocab.encode(text)             # int64 array, one id per character
    >>> vocab.decode(ids[:26])
    'Once upon a midnight drear'
"""
import os

import numpy as np

__all__ = ["TEXTS", "load_text", "CharVocab"]

_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_embedded")

#: name -> file under ``autograd_core/data/_embedded``
TEXTS = {"the_raven": "the_raven.txt"}


def load_text(name="the_raven"):
    """The text ``name`` (one of :data:`TEXTS`) as a ``str`` (UTF-8, lines ending in ``\\n``)."""
    if name not in TEXTS:
        raise ValueError(f"load_text: unknown text {name!r}; available: {sorted(TEXTS)}")
    with open(os.path.join(_DIR, TEXTS[name]), encoding="utf-8") as f:
        return f.read()


class CharVocab:
    """The characters of a text, sorted, each with an integer id.

    Args:
        text: the characters to know (usually the training text).

    Attributes:
        chars: the sorted distinct characters; ``len(vocab)`` is their number.
    """

    def __init__(self, text):
        self.chars = sorted(set(text))
        self._index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        """``str`` -> int64 ids; a character outside the vocabulary raises ``KeyError`` naming it."""
        try:
            return np.array([self._index[c] for c in text], dtype=np.int64)
        except KeyError as exc:
            raise KeyError(f"CharVocab.encode: character {exc.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids):
        """int ids (a sequence, array or Tensor) -> ``str``."""
        ids = np.asarray(ids).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.chars)):
            raise ValueError(f"CharVocab.decode: ids must be in [0, {len(self.chars)}), got {ids.min()}..{ids.max()}")
        return "".join(self.chars[i] for i in ids)

    def __repr__(self):
        return f"CharVocab({len(self.chars)} characters)"
