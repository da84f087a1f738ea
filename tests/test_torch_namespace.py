"""The torch layout: ``autograd_core.nn`` is ``nn``, ``.optim`` is ``optim``, ``.utils.data`` is ``.data`` (the same
module objects, submodules included), ``.autograd``, ``.multiprocessing``, and a PyTorch program run unchanged with
``import autograd_core as torch``."""
import importlib
import operator
import subprocess
import sys

import numpy as np
import pytest

import autograd_core
import nn
import optim


@pytest.mark.parametrize("alias,real", [
    ("autograd_core.nn", "nn"), ("autograd_core.nn.functional", "nn.functional"), ("autograd_core.nn.init", "nn.init"),
    ("autograd_core.nn.utils", "nn.utils"), ("autograd_core.nn.utils.rnn", "nn.utils.rnn"),
    ("autograd_core.nn.parameter", "nn.parameter"), ("autograd_core.optim", "optim"),
    ("autograd_core.optim.lr_scheduler", "optim.lr_scheduler"), ("autograd_core.utils.data", "autograd_core.data"),
    ("autograd_core.utils.data.dataset", "autograd_core.data.dataset"),
])
def test_alias_is_the_same_module_object(alias, real):
    mod = importlib.import_module(alias)
    assert mod is importlib.import_module(real)
    assert sys.modules[alias] is sys.modules[real]
    assert mod.__name__ == real and mod.__spec__.name == real     # the module keeps its own name and spec


def test_import_forms_and_attribute_access():
    import autograd_core.nn as nn_alias
    import autograd_core.nn.functional as F
    from autograd_core import nn as nn_from, optim as optim_from
    from autograd_core.nn import functional as F2
    from autograd_core.utils.data import DataLoader, TensorDataset
    assert nn_alias is nn and nn_from is nn and optim_from is optim
    assert F is nn.functional and F2 is nn.functional
    assert autograd_core.nn.Linear is nn.Linear and autograd_core.optim.SGD is optim.SGD
    assert autograd_core.utils.data.DataLoader is DataLoader is autograd_core.data.DataLoader
    assert TensorDataset is autograd_core.data.TensorDataset
    assert autograd_core.nn.utils.rnn.pad_sequence is nn.utils.rnn.pad_sequence
    assert autograd_core.optim.lr_scheduler.StepLR is optim.lr_scheduler.StepLR


def test_backend_submodules_import_as_in_pytorch_examples():
    import autograd_core.backends.cudnn as cudnn          # the DCGAN example's line, with torch switched
    import autograd_core.backends.mps
    import autograd_core.cuda
    assert cudnn is autograd_core.backends.cudnn and autograd_core.backends.mps.is_available() is False
    assert autograd_core.cuda.is_available() is False


def test_missing_submodule_is_an_ordinary_import_error():
    with pytest.raises(ModuleNotFoundError, match="autograd_core.nn.no_such_module"):
        importlib.import_module("autograd_core.nn.no_such_module")
    with pytest.raises(ModuleNotFoundError, match="autograd_core.utils.data.no_such_module"):
        importlib.import_module("autograd_core.utils.data.no_such_module")
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        autograd_core.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        autograd_core.utils.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        autograd_core.autograd.no_such_name  # noqa: B018


def test_new_data_submodules_are_found_through_the_alias(tmp_path, monkeypatch):
    """The alias is generic: a module added to autograd_core.data later is importable as utils.data.<name>."""
    from autograd_core import _aliases
    assert _aliases.target_name("autograd_core.utils.data.sampler") == "autograd_core.data.sampler"
    assert _aliases.target_name("autograd_core.utils.data.dataloader") == "autograd_core.data.dataloader"
    assert _aliases.target_name("autograd_core.nnx") is None and _aliases.target_name("nn") is None
    pkg = tmp_path / "fake_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "extra.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(_aliases.ALIASES, "autograd_core.fake_alias", "fake_pkg")
    mod = importlib.import_module("autograd_core.fake_alias.extra")
    assert mod is importlib.import_module("fake_pkg.extra") and mod.VALUE == 42
    for name in ("autograd_core.fake_alias.extra", "autograd_core.fake_alias", "fake_pkg.extra", "fake_pkg"):
        monkeypatch.delitem(sys.modules, name)


def test_fresh_interpreter_imports_without_cycles_and_lazily():
    code = ("import sys, autograd_core\n"
            "assert 'nn' not in sys.modules and 'optim' not in sys.modules, 'nn imported eagerly'\n"
            "t = autograd_core\n"     # attribute access only, no import statement for the submodules
            "assert t.nn.utils.rnn.pad_sequence and t.nn.init.xavier_uniform_ and t.nn.parameter.Parameter\n"
            "assert t.optim.lr_scheduler.StepLR and t.utils.data.DataLoader and t.multiprocessing.Queue\n"
            "import autograd_core.nn.functional as F\n"
            "assert sys.modules['autograd_core.nn'] is sys.modules['nn']\n"
            "assert F is sys.modules['nn.functional']\n"
            "import autograd_core as torch\n"
            "assert torch.optim.Adam is sys.modules['optim'].Adam\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_only_one_finder_and_it_is_first():
    from autograd_core import _aliases
    finders = [f for f in sys.meta_path if isinstance(f, _aliases.AliasFinder)]
    assert len(finders) == 1
    _aliases.install()
    assert len([f for f in sys.meta_path if isinstance(f, _aliases.AliasFinder)]) == 1


def test_autograd_namespace():
    ag = autograd_core.autograd
    for name in ("grad", "backward", "Function", "gradcheck", "gradgradcheck", "set_detect_anomaly", "detect_anomaly",
                 "no_grad", "enable_grad"):
        assert hasattr(ag, name), name
    assert ag.Function is autograd_core.Function and ag.grad is autograd_core.grad


def test_autograd_submodules_are_reached_as_attributes(monkeypatch):
    """``torch.autograd.functional.jacobian`` works without importing the submodule first: attribute access on
    autograd_core.autograd imports ``autograd_core.autograd.<name>``."""
    import types
    fake = types.ModuleType("autograd_core.autograd.fake_sub")
    monkeypatch.setitem(sys.modules, "autograd_core.autograd.fake_sub", fake)
    assert autograd_core.autograd.fake_sub is fake


def test_multiprocessing_is_pythons():
    import multiprocessing
    mp = autograd_core.multiprocessing
    assert mp.get_context is multiprocessing.get_context and mp.Queue is multiprocessing.Queue
    assert mp.Process is multiprocessing.Process and mp.cpu_count() >= 1
    assert "tensor" in mp.__doc__.lower() and "shared" in mp.__doc__
    with pytest.raises(ValueError, match="nprocs"):
        mp.spawn(print, nprocs=0)


def test_multiprocessing_spawn_runs_the_function_in_processes():
    mp = autograd_core.multiprocessing
    q = mp.get_context("spawn").SimpleQueue()
    mp.spawn(q.put, nprocs=2)             # fn(i): each process puts its index (a stdlib callable: quick to spawn)
    assert sorted([q.get(), q.get()]) == [0, 1]


def test_multiprocessing_spawn_reports_a_failed_process():
    with pytest.raises(RuntimeError, match="process 0 terminated with exit code 1"):
        autograd_core.multiprocessing.spawn(operator.truediv, args=(0,), nprocs=1)    # 0 / 0 in the child


def test_share_memory_is_refused_not_faked():
    x = autograd_core.zeros(3)
    with pytest.raises(RuntimeError, match="can't be shared between processes"):
        x.share_memory_()
    assert x.is_shared() is False


PYTORCH_PROGRAM = '''
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


def run(path):
    torch.manual_seed(0)
    use_cuda = torch.cuda.is_available()
    use_mps = torch.backends.mps.is_available()
    if use_cuda:
        device = torch.device("cuda")
    elif use_mps:
        device = torch.device("mps")
    else:
        device = torch.device("cpu")
    torch.backends.cudnn.benchmark = True
    g = torch.Generator().manual_seed(0)
    x = torch.randn(96, 4, generator=g)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    model = Net().to(device)
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.9)
    for epoch in range(8):
        model.train()
        for data, target in loader:
            data, target = data.to(device), target.to(device, non_blocking=True)
            optimizer.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
        scheduler.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            pred = model(data).argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    torch.save(model.state_dict(), path)
    restored = Net().to(device)
    restored.load_state_dict(torch.load(path, map_location=device, weights_only=True))
    with torch.no_grad():
        same = torch.equal(restored(x), model(x))
    return correct / len(loader.dataset), device, loss.item(), same
'''


def _switch_imports(src):
    """The one-line switch of the README: ``import torch`` -> ``import autograd_core as torch`` (and ``torch.x``
    -> ``autograd_core.x`` in the other import lines); nothing else in the program changes."""
    out = []
    for line in src.splitlines():
        if line == "import torch":
            line = "import autograd_core as torch"
        elif line.startswith(("import torch.", "from torch.", "from torch ")):
            line = line.replace("torch", "autograd_core", 1)
        out.append(line)
    return "\n".join(out)


def test_a_pytorch_program_runs_with_only_the_import_changed(tmp_path):
    """A PyTorch program (the shape of the official examples' main loops) with ``import autograd_core as torch``;
    it trains to a high accuracy on a separable problem, on the CPU."""
    src = _switch_imports(PYTORCH_PROGRAM)
    assert "import autograd_core as torch" in src and "from autograd_core.utils.data import" in src
    assert sum(a != b for a, b in zip(src.splitlines(), PYTORCH_PROGRAM.splitlines())) == 6   # only imports
    env = {}
    exec(compile(src, "pytorch_program.py", "exec"), env)
    acc, device, loss, same = env["run"](tmp_path / "model.pt")
    assert device == autograd_core.device("cpu") and np.isfinite(loss) and same
    assert acc > 0.9
    assert autograd_core.backends.cudnn.benchmark is True
    autograd_core.backends.cudnn.benchmark = False


def test_the_same_program_with_pytorch_reaches_the_same_kind_of_accuracy(tmp_path):
    torch = pytest.importorskip("torch")
    env = {}
    exec(compile(PYTORCH_PROGRAM, "pytorch_program.py", "exec"), env)
    acc, device, _, same = env["run"](tmp_path / "model.pt")
    assert str(device) == "cpu" and acc > 0.9 and same and torch.cuda.is_available() is False
