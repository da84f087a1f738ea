"""Run the notebooks as tests: ``python -m pytest --nbmake notebooks/`` (nbmake executes each one top to bottom).

The kernels nbmake starts inherit this process's environment, and this file is imported before any notebook
runs, so the variables set here reach every notebook (each only if not already set, so the caller can override):

* ``AUTOGRAD_CORE_FAST=1``: fast mode; notebooks shrink data and epochs with ``autograd_core.data.course.pick``
  so the whole set runs in a couple of minutes (``AUTOGRAD_CORE_FAST=0`` tests the full-length runs);
* ``TQDM_DISABLE=1``: no progress bars in the outputs;
* ``OPENBLAS_NUM_THREADS=1``: the notebooks' matrix products are small, and when the machine's cores are busy
  with other work (other CI jobs), OpenBLAS's worker threads wait on each other and a 64 x 64 product can take
  milliseconds instead of microseconds; one thread keeps the run time predictable (measured on the 2-core CI
  machine under load: 85 s for all notebooks instead of 213 s). It only affects the notebook kernels (new
  processes), not this one, whose numpy is already loaded.
"""
import os

os.environ.setdefault("AUTOGRAD_CORE_FAST", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
