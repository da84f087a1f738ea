"""The ``test`` extra installs what the tests import, and gradcheck's failure message reads well."""
import ast
import json
import os
import re
import sys

import numpy as np
import pytest

import autograd_core as ag

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# import name -> distribution name, where they differ; torch is installed on its own (one pinned CPU build)
DIST = {"PIL": "pillow", "IPython": "ipykernel", "yaml": "pyyaml", "sklearn": "scikit-learn"}
PROVIDED_ELSEWHERE = {"torch", "autograd_core", "nn", "optim", "parity", "parity_helpers", "torch_parity",
                      "attention_parity", "op_table", "conftest", "numpy", "numba", "tqdm"}


def _imports(source):
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "importorskip" and node.args
              and isinstance(node.args[0], ast.Constant)):
            names.add(node.args[0].value.split(".")[0])
    return names


def _test_extra():
    text = open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8").read()
    block = re.search(r"^test = \[(.*?)\]", text, re.S | re.M).group(1)
    return {re.split(r"[<>=\[ ]", s.strip().strip('"'))[0].lower() for s in block.split(",") if s.strip()}


def test_test_extra_installs_what_tests_and_notebooks_import():
    used = set()
    for folder in ("tests", "tests/op_table"):
        for name in os.listdir(os.path.join(ROOT, folder)):
            if name.endswith(".py"):
                used |= _imports(open(os.path.join(ROOT, folder, name), encoding="utf-8").read())
    nb_dir = os.path.join(ROOT, "notebooks")
    for name in os.listdir(nb_dir):
        if name.endswith(".ipynb"):
            cells = json.load(open(os.path.join(nb_dir, name), encoding="utf-8"))["cells"]
            code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
            code = "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!")))
            used |= _imports(code)
    local = {n[:-3] for n in os.listdir(os.path.join(ROOT, "tests")) if n.endswith(".py")}
    third_party = {n for n in used if n not in sys.stdlib_module_names and n not in PROVIDED_ELSEWHERE | local}
    extra = _test_extra()
    missing = sorted(n for n in third_party if DIST.get(n, n).lower() not in extra)
    assert not missing, f"imported by tests or notebooks but not in the test extra: {missing}"
    assert "ipywidgets" in extra and "pillow" in extra


def test_gradcheck_failure_prints_plain_integers():
    class Bad(ag.Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x.numpy() ** 2

        def backward(self, grad):
            (x,) = self.saved_tensors
            return grad * 3 * x

    x = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
    with pytest.raises(ag.GradcheckError) as err:
        ag.gradcheck(lambda t: Bad.apply(t).sum(), (x,))
    msg = str(err.value)
    assert "np.int64" not in msg and re.search(r"index \(\d+,\)", msg)
    m = ag.tensor(np.ones((2, 3)), dtype=ag.float64, requires_grad=True)
    with pytest.raises(ag.GradcheckError, match=r"index \(\d+, \d+\)") as err2:
        ag.gradcheck(lambda t: Bad.apply(t).sum(), (m,))
    assert "np." not in str(err2.value)


def test_readme_figures_fit_the_page_width():
    """Every figure the README shows is at most 1000 px wide (regenerate: notebooks/figures/make_figures.py)."""
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert figures
    for fig in figures:
        path = os.path.join(ROOT, fig)
        if fig.endswith(".svg"):
            head = open(path, encoding="utf-8").read(2000)
            m = re.search(r'<svg width="([\d.]+)(pt|px)"', head)
            width = float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1)
        else:
            from PIL import Image
            width = Image.open(path).size[0]
        assert width <= 1000, f"{fig} is {width:.0f} px wide"
