"""See the computational graph: pictures of the forward and backward passes, a step-by-step replay of
backpropagation, a text tree for terminals, and training diagnostics.

graphviz and matplotlib are optional: nothing here imports them until a picture or a plot is asked for.

Example::

    >>> from autograd_core.viz import draw_graph, backprop_steps
    >>> loss = F.cross_entropy(model(x), y)
    >>> draw_graph(loss, mode="both", show_values=True, show_grads=True)   # inline SVG in Jupyter
    >>> backprop_steps(loss)                                                 # a slider over the chain rule
    >>> backprop_steps(loss).save_gif("backprop.gif")                        # ... as an animation (animate.py)
    >>> Diagnostics(model).plot_gradient_flow()                              # gradient norms per layer / time step

Modules: ``trace`` (the graph as nodes and edges), ``grouping`` (module clusters), ``fold`` (shape-only ops and
multi-output nodes folded away), ``dot`` (DOT text; ``tooltips``, ``order``), ``render`` (the picture object),
``grads``/``replay``/``animate`` (the backward pass step by step), ``text``, ``diagnostics``, ``plots``.
"""
from .draw import draw_graph, to_dot
from .trace import trace
from .text import graph_text, print_graph
from .replay import backprop_steps, Replay, Frame
from .diagnostics import Diagnostics

__all__ = ["draw_graph", "to_dot", "trace", "graph_text", "print_graph", "backprop_steps", "Replay", "Frame",
           "Diagnostics"]
