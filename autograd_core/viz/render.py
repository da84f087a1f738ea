"""The picture object: a ``graphviz.Digraph`` that shows itself in Jupyter and saves to files.

Where Graphviz's ``dot`` program is missing, a plain ``Digraph`` raises ``graphviz.ExecutableNotFound`` when a
notebook displays it. :class:`GraphImage` catches that and shows the DOT text with an install hint instead, so a
notebook still runs to the end. This module imports graphviz; it is only imported when a picture is asked for.
"""
import html
import os
import warnings

import graphviz

__all__ = ["GraphImage", "INSTALL_HINT", "dot_available"]

INSTALL_HINT = (
    "Graphviz's `dot` program was not found, so the graph is shown as DOT text. To see the picture, install "
    "Graphviz itself (the Python package `graphviz` alone does not include it): `sudo apt-get install graphviz` "
    "(Debian/Ubuntu), `brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, or see "
    "https://graphviz.org/download/ . The DOT text can also be pasted into an online viewer.")

_RENDER_ERRORS = (graphviz.ExecutableNotFound, graphviz.CalledProcessError)
IMAGE_FORMATS = ("svg", "png", "pdf", "jpg", "jpeg")


def dot_available():
    """True if Graphviz's ``dot`` program can be run."""
    try:
        graphviz.Digraph(body=["\ta\n"]).pipe(format="svg")
        return True
    except _RENDER_ERRORS:
        return False


class GraphImage(graphviz.Digraph):
    """A ``graphviz.Digraph`` drawn by :func:`draw_graph`.

    In Jupyter it displays inline as SVG; without ``dot`` it displays its DOT text and how to install Graphviz
    (no exception). ``save('graph.png')`` writes ``.svg``, ``.png``, ``.pdf`` or ``.dot`` files.

    Attributes:
        mode: 'forward', 'backward' or 'both'.
        n_nodes, n_edges: how many nodes and edges are drawn.
        n_hidden: nodes left out because of ``max_nodes``.
    """

    mode = "forward"
    n_nodes = n_edges = n_hidden = 0

    @classmethod
    def from_dot(cls, dot_graph):
        img = cls(body=list(dot_graph.body), format="svg", encoding="utf-8")
        img.mode = dot_graph.mode
        img.n_nodes, img.n_edges, img.n_hidden = dot_graph.n_nodes, dot_graph.n_edges, dot_graph.n_hidden
        return img

    # ------------------------------------------------------------------ Jupyter
    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        except _RENDER_ERRORS as exc:
            return self.fallback_bundle(exc)

    def _repr_svg_(self):
        return self.svg()

    def fallback_bundle(self, exc=None):
        """The mimebundle shown when ``dot`` cannot run: the hint and the DOT text."""
        hint = INSTALL_HINT
        if exc is not None and not isinstance(exc, graphviz.ExecutableNotFound):
            hint = f"Graphviz failed to render this graph ({type(exc).__name__}); showing its DOT text."
        return {"text/plain": hint + "\n\n" + self.source,
                "text/html": f"<div><p><b>{html.escape(hint)}</b></p><pre>{html.escape(self.source)}</pre></div>"}

    def svg(self):
        """The rendered SVG text, or None where ``dot`` is missing."""
        try:
            return self.pipe(format="svg", encoding="utf-8")
        except _RENDER_ERRORS:
            return None

    def __repr__(self):
        extra = f", {self.n_hidden} hidden" if self.n_hidden else ""
        return f"<GraphImage {self.mode}: {self.n_nodes} nodes, {self.n_edges} edges{extra}>"

    # ------------------------------------------------------------------ files
    def save(self, path, fallback=True):
        """Write the picture; the format comes from the extension (``.svg``, ``.png``, ``.pdf``, ``.dot``/``.gv``).

        Args:
            path: file name.
            fallback: where ``dot`` is missing, write the DOT text next to it (``name.dot``) and warn instead of
                raising.

        Returns:
            the path written.
        """
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        if ext in ("dot", "gv"):
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.source)
            return path
        if ext not in IMAGE_FORMATS:
            raise ValueError(f"save: unknown format '.{ext}' (use .svg, .png, .pdf, .jpg, .dot or .gv)")
        try:
            data = self.pipe(format="jpeg" if ext == "jpg" else ext)
        except graphviz.ExecutableNotFound:
            if not fallback:
                raise RuntimeError(INSTALL_HINT) from None
            dot_path = os.path.splitext(path)[0] + ".dot"
            with open(dot_path, "w", encoding="utf-8") as f:
                f.write(self.source)
            warnings.warn(f"{INSTALL_HINT} Wrote the DOT text to {dot_path} instead of {path}.", RuntimeWarning,
                          stacklevel=2)
            return dot_path
        with open(path, "wb") as f:
            f.write(data)
        return path
