"""Models built from ``nn``'s layers, and the teaching apps that use them.

=========================  ==========================================================================
:mod:`.course`             the course's reference models: ``MLP``, ``CNN``, ``PlaygroundMLP``, ``build_model``
:mod:`.zoo`                the network zoo: ``Perceptron``, ``RBF``, ``RBFNetwork``, ``AutoEncoder``, ``VAE``
                           (with ``elbo_loss``, ``corrupt`` and ``train_autoencoder``)
:mod:`.seq2seq`            the recurrent design patterns: ``SequenceTagger``, ``SequenceClassifier``,
                           ``OutputFeedbackRNN``, ``Seq2Seq``
:mod:`.playground`         the TensorFlow-playground experience: ``Playground``, ``PlaygroundNet`` (its
                           controls are in :mod:`.playground_widget`)
=========================  ==========================================================================

Example::

    >>> from nn.models import CNN, VAE, Seq2Seq, Playground
    >>> model = CNN(dropout=0.25)
"""
from .course import ACTIVATIONS, CNN, MLP, PlaygroundMLP, build_model
from .playground import DATASETS, FEATURES, Playground, PlaygroundNet, make_dataset
from .seq2seq import OutputFeedbackRNN, Seq2Seq, SequenceClassifier, SequenceTagger
from .zoo import RBF, VAE, AutoEncoder, Perceptron, RBFNetwork, corrupt, elbo_loss, train_autoencoder

__all__ = ["MLP", "CNN", "PlaygroundMLP", "build_model", "ACTIVATIONS",
           "Perceptron", "RBF", "RBFNetwork", "AutoEncoder", "VAE", "elbo_loss", "corrupt", "train_autoencoder",
           "SequenceTagger", "SequenceClassifier", "OutputFeedbackRNN", "Seq2Seq",
           "Playground", "PlaygroundNet", "DATASETS", "FEATURES", "make_dataset"]
