"""autograd_core.runtime: allocator and OpenMP settings applied at import, each skipped when the user chose."""
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


def test_apply_sets_both_on_a_fresh_environment():
    env, libc = {}, FakeLibc()
    settings = runtime.apply(env, libc_loader=lambda: libc)
    assert env["GOMP_SPINCOUNT"] == runtime.GOMP_SPINCOUNT
    assert libc.calls == [(-3, runtime.MMAP_THRESHOLD), (-1, runtime.TRIM_THRESHOLD)]
    assert settings["malloc"].startswith("set M_MMAP_THRESHOLD=256 MiB")
    assert settings["gomp_spincount"] == "set GOMP_SPINCOUNT=10000"


@pytest.mark.parametrize("name", ["GOMP_SPINCOUNT", "OMP_WAIT_POLICY"])
def test_user_openmp_choice_is_kept(name):
    env = {name: "5"}
    settings = runtime.apply(env, libc_loader=FakeLibc)
    assert env == {name: "5"}
    assert settings["gomp_spincount"] == f"skipped: {name} set by the user"


@pytest.mark.parametrize("env", [{"MALLOC_TRIM_THRESHOLD_": "0"}, {"MALLOC_MMAP_THRESHOLD_": "1"},
                                 {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"}])
def test_user_malloc_choice_is_kept(env):
    libc = FakeLibc()
    settings = runtime.apply(dict(env), libc_loader=lambda: libc)
    assert libc.calls == []
    assert settings["malloc"].startswith("skipped:") and "set by the user" in settings["malloc"]


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_opt_out_skips_everything(value):
    env, libc = {runtime.OPT_OUT: value}, FakeLibc()
    settings = runtime.apply(env, libc_loader=lambda: libc)
    assert "GOMP_SPINCOUNT" not in env and libc.calls == []
    assert all(v.startswith("skipped: AUTOGRAD_CORE_TUNE_RUNTIME=0") for v in settings.values())


def test_mallopt_failures_are_reported_not_raised():
    assert runtime.apply({}, libc_loader=lambda: FakeLibc(result=0))["malloc"] == \
        "skipped: mallopt refused the thresholds"

    def no_libc():
        raise OSError("no C library")
    assert "mallopt unavailable" in runtime.apply({}, libc_loader=no_libc)["malloc"]


def _run(code, **env_changes):
    env = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY", runtime.OPT_OUT)}
    env.update(env_changes)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


REPORT = ("import json, os, autograd_core as ag; "
          "print(json.dumps([ag.runtime_settings(), os.environ.get('GOMP_SPINCOUNT')]))")


def test_import_applies_the_settings_in_a_fresh_process():
    settings, spincount = _run(REPORT)
    assert spincount == "10000" and settings["gomp_spincount"] == "set GOMP_SPINCOUNT=10000"
    assert settings["malloc"].startswith("set ") == GLIBC


def test_import_respects_the_opt_out_in_a_fresh_process():
    settings, spincount = _run(REPORT, AUTOGRAD_CORE_TUNE_RUNTIME="0")
    assert spincount is None and settings["gomp_spincount"].startswith("skipped")


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_freed_large_arrays_stay_in_the_process():
    """The point of the malloc setting: re-allocating a freed 48 MB array does not fault its pages in again."""
    code = ("import json, resource, numpy as np, autograd_core\n"
            "a = np.ones(12 << 20, np.float32); del a\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            "for _ in range(5):\n"
            "    a = np.ones(12 << 20, np.float32); del a\n"
            "print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before))\n")
    tuned = _run(code)
    untuned = _run(code, AUTOGRAD_CORE_TUNE_RUNTIME="0")
    assert tuned < 100, tuned                     # 48 MB is ~12,000 pages (or ~24 huge pages) per allocation
    assert untuned > tuned
