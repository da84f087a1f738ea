"""The shipped public-domain text and the character vocabulary (autograd_core/data/text.py)."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core.data.text import TEXTS, CharVocab, load_text


def test_the_raven_is_shipped_whole():
    text = load_text("the_raven")
    assert text.startswith("Once upon a midnight dreary, while I pondered, weak and weary,\n")
    assert text.rstrip().endswith("Shall be lifted—nevermore!")
    assert len(text) == 6233 and text.count("\n\n") == 17          # 18 stanzas
    assert text.count("Nevermore") == 8 and load_text() == text


def test_unknown_text():
    with pytest.raises(ValueError, match="the_raven"):
        load_text("hamlet")
    assert set(TEXTS) == {"the_raven"}


def test_char_vocab_round_trip():
    text = load_text()
    vocab = CharVocab(text)
    assert len(vocab) == 55 and vocab.chars == sorted(vocab.chars) and repr(vocab) == "CharVocab(55 characters)"
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),) and ids.max() == len(vocab) - 1
    assert vocab.decode(ids) == text
    assert vocab.decode(ag.tensor(ids[:4])) == "Once"
    assert vocab.decode([]) == ""
    with pytest.raises(KeyError, match="'Z'"):
        vocab.encode("Zebra")
    with pytest.raises(ValueError, match=r"\[0, 55\)"):
        vocab.decode([55])
