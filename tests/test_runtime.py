"""autograd_core.runtime: the opt-in process tuning (``tune_runtime``), each setting skipped when the user chose."""
import json
import os
import platform
import subprocess
import sys

import pytest

from autograd_core import runtime

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


class FakeLibc:
    def __init__(self, result=1):
        self.calls, self.result = [], result

    @property
    def mallopt(self):
        def mallopt(param, value):
            self.calls.append((param, value))
            return self.result
        return mallopt


def _apply(env, libc=None, loaded=()):
    """runtime.tune_runtime on a private environment, a fake libc, and a fake list of loaded libraries."""
    return runtime.tune_runtime(env, libc_loader=lambda: libc or FakeLibc(), loaded_libraries=list(loaded))


def test_apply_sets_everything_on_a_fresh_environment():
    env, libc = {}, FakeLibc()
    settings = _apply(env, libc)
    assert env == {"GOMP_SPINCOUNT": "10000", "OPENBLAS_THREAD_TIMEOUT": "4"}
    assert libc.calls == [(-3, runtime.MMAP_THRESHOLD), (-1, runtime.TRIM_THRESHOLD)]
    assert settings == {"malloc": "set M_MMAP_THRESHOLD=256 MiB, M_TRIM_THRESHOLD=1024 MiB",
                        "openmp": "set GOMP_SPINCOUNT=10000",
                        "openblas_thread_timeout": "set OPENBLAS_THREAD_TIMEOUT=4"}


@pytest.mark.parametrize("name", ["GOMP_SPINCOUNT", "OMP_WAIT_POLICY"])
def test_user_openmp_choice_is_kept(name):
    env = {name: "5"}
    settings = _apply(env)
    assert env == {name: "5", "OPENBLAS_THREAD_TIMEOUT": "4"}
    assert settings["openmp"] == f"skipped: {name} set by the user"


def test_user_openblas_choice_is_kept():
    env = {"OPENBLAS_THREAD_TIMEOUT": "20"}
    assert _apply(env)["openblas_thread_timeout"] == "skipped: OPENBLAS_THREAD_TIMEOUT set by the user"
    assert env["OPENBLAS_THREAD_TIMEOUT"] == "20"


def test_openmp_loaded_first_leaves_numbas_threading_layer_alone():
    env = {}
    settings = _apply(env, loaded=["/usr/lib/libgomp.so.1", "/usr/lib/libc.so.6"])
    assert settings["openmp"] == ("skipped: OpenMP was loaded before tune_runtime(), so GOMP_SPINCOUNT would "
                                  "have no effect")
    assert env == {"OPENBLAS_THREAD_TIMEOUT": "4"}


def test_libraries_that_are_not_openblas_are_left_alone():
    settings = _apply({}, loaded=["/usr/lib/libc.so.6", "/nonexistent/libopenblas.so.0"])
    assert settings["openblas_thread_timeout"] == "set OPENBLAS_THREAD_TIMEOUT=4"


@pytest.mark.parametrize("env", [{"MALLOC_TRIM_THRESHOLD_": "0"}, {"MALLOC_MMAP_THRESHOLD_": "1"},
                                 {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"}])
def test_user_malloc_choice_is_kept(env):
    libc = FakeLibc()
    settings = _apply(dict(env), libc)
    assert libc.calls == []
    assert settings["malloc"].startswith("skipped:") and "set by the user" in settings["malloc"]


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_opt_out_skips_everything(value):
    env, libc = {runtime.OPT_OUT: value}, FakeLibc()
    settings = _apply(env, libc)
    assert env == {runtime.OPT_OUT: value} and libc.calls == []
    assert all(v.startswith("skipped: AUTOGRAD_CORE_TUNE_RUNTIME=0") for v in settings.values())


def test_mallopt_failures_are_reported_not_raised():
    assert _apply({}, FakeLibc(result=0))["malloc"] == "skipped: mallopt refused the thresholds"

    def no_libc():
        raise OSError("no C library")
    assert "mallopt unavailable" in runtime.tune_runtime({}, libc_loader=no_libc, loaded_libraries=[])["malloc"]


def _run(code, **env_changes):
    env = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY",
                                                            "OPENBLAS_THREAD_TIMEOUT", "NUMBA_THREADING_LAYER",
                                                            runtime.OPT_OUT)}
    env.update(env_changes)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


REPORT = ("import json, os, autograd_core as ag; before = dict(os.environ); settings = ag.tune_runtime(); "
          "print(json.dumps([settings, os.environ.get('GOMP_SPINCOUNT'), ag.runtime_settings() == settings]))")


def test_tune_runtime_applies_the_settings_in_a_fresh_process():
    settings, spincount, reported = _run(REPORT)
    assert spincount == "10000" and settings["openmp"] == "set GOMP_SPINCOUNT=10000" and reported
    assert settings["malloc"].startswith("set ") == GLIBC


def test_nothing_is_applied_until_asked():
    code = "import json, autograd_core as ag; print(json.dumps(ag.runtime_settings()))"
    assert all(v.startswith("not applied") for v in _run(code).values())


def test_openblas_loaded_before_tuning_is_restarted_and_still_correct():
    """numpy imported (and its BLAS threads started) first: OpenBLAS re-reads its environment and its threads
    restart on the next call, which still computes the right product."""
    code = ("import json, numpy as np\n"
            "a = np.random.default_rng(0).standard_normal((300, 300)); before = a @ a\n"
            "import autograd_core\n"
            "message = autograd_core.tune_runtime()['openblas_thread_timeout']\n"
            "after = a @ a\n"
            "print(json.dumps([message, bool(np.array_equal(before, after))]))\n")
    message, same = _run(code)
    assert same
    if "restarted" not in message:
        pytest.skip(f"numpy's BLAS is not a dynamically loaded OpenBLAS here: {message}")
    assert message.startswith("set OPENBLAS_THREAD_TIMEOUT=4, restarted the threads of ")


def test_tune_runtime_respects_the_opt_out_in_a_fresh_process():
    settings, spincount, _ = _run(REPORT, AUTOGRAD_CORE_TUNE_RUNTIME="0")
    assert spincount is None and settings["openmp"].startswith("skipped")


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_tuned_process_keeps_freed_large_arrays():
    """The point of the malloc setting: re-allocating a freed 48 MB array does not fault its pages in again."""
    code = ("import json, resource, numpy as np, autograd_core\n"
            "autograd_core.tune_runtime()\n"
            "a = np.ones(12 << 20, np.float32); del a\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            "for _ in range(5):\n"
            "    a = np.ones(12 << 20, np.float32); del a\n"
            "print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before))\n")
    tuned = _run(code)
    untuned = _run(code.replace("autograd_core.tune_runtime()", "pass"))
    assert tuned < 100, tuned                     # 48 MB is ~12,000 pages (or ~24 huge pages) per allocation
    assert untuned > tuned
