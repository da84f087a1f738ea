"""Importing autograd_core (and running its kernels) changes nothing process-wide (issue 16).

Each check runs in a fresh subprocess so that what an earlier test imported or configured cannot hide a change.
"""
import json
import os
import platform
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# a conv and a pool large enough for the numba parallel kernels (kernels/_jit.PARALLEL_MIN_WORK), with backward
WORK = ("from autograd_core.ops.conv import conv2d\n"
        "from autograd_core.ops.pooling import max_pool2d\n"
        "x = ag.randn(16, 8, 28, 28, requires_grad=True)\n"
        "w = ag.randn(16, 8, 3, 3, requires_grad=True)\n"
        "max_pool2d(conv2d(x, w, padding=1), 2).sum().backward()\n")


def _run(code):
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=180,
                         env=dict(os.environ, PYTHONPATH=REPO))
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("torch_first", [False, True])
def test_import_and_kernels_leave_the_environment_and_numba_config_alone(torch_first):
    if torch_first:
        pytest.importorskip("torch")
    code = ("import json, os\n"
            + ("import torch\n" if torch_first else "")
            + "import numba\n"
            "env0, layer0 = dict(os.environ), numba.config.THREADING_LAYER\n"
            "import autograd_core as ag\n"
            "env1, layer1 = dict(os.environ), numba.config.THREADING_LAYER\n"
            + WORK +
            "env2, layer2 = dict(os.environ), numba.config.THREADING_LAYER\n"
            "print(json.dumps([env0 == env1 == env2, sorted(set(env2) ^ set(env0)), layer0, layer1, layer2]))\n")
    same, changed, *layers = _run(code)
    assert same, f"os.environ changed: {changed}"
    assert layers[0] == layers[1] == layers[2], layers


def test_numba_picks_its_threading_layer_as_without_us():
    """The layer numba chooses for a parallel kernel is the one it chooses in a process that never imports us."""
    kernel = ("import numba, numpy as np\n"
              "@numba.njit(parallel=True)\n"
              "def f(a):\n"
              "    for i in numba.prange(a.size):\n"
              "        a[i] += 1\n"
              "f(np.zeros(100000))\n")
    plain = _run("import json\n" + kernel + "print(json.dumps(numba.threading_layer()))")
    ours = _run("import json, autograd_core as ag\n" + WORK + kernel + "print(json.dumps(numba.threading_layer()))")
    assert ours == plain


MALLINFO = ("import ctypes\n"
            "class Info(ctypes.Structure):\n"
            "    _fields_ = [(n, ctypes.c_size_t) for n in ('arena ordblks smblks hblks hblkhd usmblks fsmblks '\n"
            "                                               'uordblks fordblks keepcost').split()]\n"
            "libc = ctypes.CDLL(None)\n"
            "libc.mallinfo2.restype = Info\n")


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
@pytest.mark.parametrize("tune", [False, True])
def test_import_does_not_change_the_allocator(tune):
    """glibc serves a 48 MB block with mmap (its threshold adapts up to 32 MiB, no further) unless mallopt raised
    the threshold, which only tune_runtime() does: import and kernels alone leave it alone."""
    code = ("import json, numpy as np, autograd_core as ag\n" + ("ag.tune_runtime()\n" if tune else "") + WORK
            + MALLINFO + "if not hasattr(libc, 'mallinfo2'):\n    print('null'); raise SystemExit\n"
            "a = np.ones(12 << 20, np.float32)\n"
            "print(json.dumps(libc.mallinfo2().hblkhd >= a.nbytes))\n")
    mmapped = _run(code)
    if mmapped is None:
        pytest.skip("glibc without mallinfo2 (< 2.33)")
    assert mmapped is not tune


def test_import_does_not_touch_numpys_blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    del threadpoolctl
    code = ("import json, numpy as np, threadpoolctl\n"
            "a = np.ones((300, 300)); a @ a\n"
            "info0 = [(i['filepath'], i['num_threads']) for i in threadpoolctl.threadpool_info()]\n"
            "import autograd_core as ag\n" + WORK +
            "info1 = [(i['filepath'], i['num_threads']) for i in threadpoolctl.threadpool_info()\n"
            "         if i['filepath'] in {p for p, _ in info0}]\n"
            "print(json.dumps([info0, info1]))\n")
    before, after = _run(code)
    assert before == after
