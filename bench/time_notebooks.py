"""Time notebooks the way the test suite runs them (nbclient, as nbmake), reporting wall and kernel CPU time.

    python bench/time_notebooks.py notebooks/03_mlp_fashion_mnist.ipynb notebooks/08_network_zoo.ipynb
    AUTOGRAD_CORE_FAST=1 python bench/time_notebooks.py notebooks/*.ipynb        # the CI's fast mode

Normal mode unless ``AUTOGRAD_CORE_FAST`` is set. On a loaded machine the wall time mostly measures the load;
the kernel's CPU time (user + system, all threads) is what the notebook costs, and close to its wall time on an
idle machine with ``OPENBLAS_NUM_THREADS=1`` (set here, as ``notebooks/conftest.py`` does).
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

PROBE = "import resource as _r; _u = _r.getrusage(_r.RUSAGE_SELF); print(_u.ru_utime + _u.ru_stime)"


def time_notebook(path, slowest=5):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=1800, kernel_name="python3",
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    cells = []
    start = time.perf_counter()
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                t = time.perf_counter()
                client.execute_cell(cell, i)
                cells.append((time.perf_counter() - t, i))
        probe = nbformat.v4.new_code_cell(PROBE)
        nb.cells.append(probe)
        client.execute_cell(probe, len(nb.cells) - 1)
    wall = time.perf_counter() - start
    cpu = float(probe.outputs[0]["text"])
    print(f"{os.path.basename(path)}: wall {wall:.1f} s, kernel CPU {cpu:.1f} s; slowest cells: "
          + ", ".join(f"[{i}] {t:.1f} s" for t, i in sorted(cells, reverse=True)[:slowest]))
    return wall, cpu


def main(paths):
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    mode = "fast" if os.environ.get("AUTOGRAD_CORE_FAST", "").lower() in ("1", "true", "yes", "on") else "normal"
    print(f"{mode} mode, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for p in paths:
        time_notebook(p)


if __name__ == "__main__":
    main(sys.argv[1:])
