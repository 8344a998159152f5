"""The aequa pytest plugin, run in a sandbox by pytester: the marker, the fixtures, the
terminal summary, the JSON report, the seed option, and its entry point in pyproject.toml."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata

import pytest
from conftest import REPO

pytest_plugins = ["pytester"]


def plugin_args() -> list[str]:
    """Load the plugin by name unless the installed wheel's entry point already does (loading
    it twice under two names is an error)."""
    installed = any(ep.name == "aequa" for ep in metadata.entry_points(group="pytest11"))
    return [] if installed else ["-p", "aequa.testing.plugin"]


CHECKS = """
import pytest
from aequa.testing import assert_fairness

Y = [1, 0, 1, 0, 1, 0, 1, 0]
S = ["a"] * 4 + ["b"] * 4

@pytest.mark.fairness
def test_fair():
    assert_fairness(Y, [1, 0, 1, 0, 1, 0, 1, 0], sensitive_features=S, max_difference=0.1,
                    n_boot=0)

@pytest.mark.fairness
def test_unfair():
    assert_fairness(Y, [1, 1, 1, 0, 0, 0, 0, 1], sensitive_features=S, max_difference=0.1,
                    n_boot=0)

@pytest.mark.fairness
def test_forgot_the_check():
    assert True

def test_plain():
    assert True
"""


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*plugin_args(), "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.fairness: a bias check (fairness, drift,*"])
    pytester.makepyfile(CHECKS)
    strict = pytester.runpytest(*plugin_args(), "--strict-markers", "-p", "no:cacheprovider")
    strict.assert_outcomes(passed=3, failed=1)


def test_summary_lists_every_check(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    out = result.stdout.str()
    section = out[out.index("aequa checks") :].splitlines()
    assert section[1:5] == [
        "PASS test_checks.py::test_fair: fairness demographic_parity difference "
        "(between_groups) = 0 (threshold <= 0.1) n=8",
        "FAIL test_checks.py::test_unfair: fairness demographic_parity difference "
        "(between_groups) = 0.5 (threshold <= 0.1) n=8",
        "NONE test_checks.py::test_forgot_the_check: marked fairness but ran no aequa check",
        "2 aequa checks: 1 passed, 1 failed",
    ]
    # The failure itself shows the actionable message.
    result.stdout.fnmatch_lines(
        [
            "E*aequa.testing.FairnessAssertionError: demographic_parity: selection_rate "
            "difference (between_groups) is 0.5, above max_difference=0.1 by 0.4.",
            "E*Groups furthest apart: a (0.75) and b (0.25).",
        ]
    )


def test_marker_selects_the_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CHECKS)
    result = pytester.runpytest(*plugin_args(), "-m", "fairness", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1, deselected=1)


def test_no_summary_without_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "aequa checks" not in result.stdout.str()


def test_report_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_checks=CHECKS)
    path = pytester.path / "out" / "aequa.json"
    result = pytester.runpytest(*plugin_args(), f"--aequa-report={path}", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([f"aequa report: {path}"])
    doc = json.loads(path.read_text())
    assert doc["schema"] == "aequa.testing.checks" and doc["schema_version"] == 1
    assert doc["summary"] == {"checks": 2, "passed": 1, "failed": 1}
    assert doc["marked_without_checks"] == ["test_checks.py::test_forgot_the_check"]
    fair, unfair = doc["checks"]
    assert (fair["test"], fair["passed"], fair["value"]) == ("test_checks.py::test_fair", True, 0)
    assert (unfair["test"], unfair["passed"], unfair["value"], unfair["threshold"]) == (
        "test_checks.py::test_unfair",
        False,
        0.5,
        0.1,
    )
    assert unfair["operator"] == "<=" and unfair["n"] == 8 and unfair["interval"] is None
    assert [g["group"] for g in unfair["details"]["groups"]] == ["a", "b"]
    assert unfair["message"].startswith("demographic_parity: selection_rate difference")
    assert re.match(r"\d{4}-\d\d-\d\dT", doc["created"])


def test_fixtures_and_seed_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_recorder(aequa_check):
            assert aequa_check.results == []
            r = aequa_check.fairness([1, 0, 1, 0], [1, 0, 1, 0],
                                     sensitive_features=["a", "a", "b", "b"], max_difference=0.1)
            assert aequa_check.results == [r]
            assert r.seed == 1234  # from --aequa-seed

        def test_adult(aequa_adult):
            assert aequa_adult.shape == (48842, 16)
            assert set(aequa_adult["sex"].dropna()) == {"Female", "Male"}
            aequa_adult.drop(columns="sex", inplace=True)  # a copy: the next test is unaffected

        def test_adult_again(aequa_adult):
            assert "sex" in aequa_adult.columns
        """
    )
    result = pytester.runpytest(*plugin_args(), "--aequa-seed=1234", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["PASS test_fixtures_and_seed_option.py::test_recorder: *"])


def test_fixtures_are_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*plugin_args(), "--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["aequa_check*", "*aequa checks*", "aequa_adult*"])


def test_unittest_case_checks_are_summarised(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import unittest
        from aequa.testing import assert_fairness

        class Checks(unittest.TestCase):
            def test_parity(self):
                assert_fairness([1, 0, 1, 0], [1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"],
                                min_ratio=0.8, n_boot=0)
        """
    )
    result = pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "FAIL test_unittest_case_checks_are_summarised.py::Checks::test_parity: fairness "
            "demographic_parity ratio (between_groups) = 0 (threshold >= 0.8) n=4"
        ]  # fmt: skip
    )


def test_entry_point_is_declared_in_pyproject() -> None:
    text = (REPO / "pyproject.toml").read_text()
    if sys.version_info >= (3, 11):
        import tomllib

        entry_points = tomllib.loads(text)["project"]["entry-points"]["pytest11"]
        assert entry_points == {"aequa": "aequa.testing.plugin"}
    else:  # pragma: no cover
        assert '[project.entry-points.pytest11]\naequa = "aequa.testing.plugin"' in text


def test_entry_point_loads_the_plugin_without_p(tmp_path) -> None:
    """Install pyproject's pytest11 entry point in a throwaway dist-info and let pytest find it
    by itself, as it does for the installed wheel."""
    text = (REPO / "pyproject.toml").read_text()
    block = text[text.index("[project.entry-points.pytest11]") :].split("\n\n")[0]
    dist = tmp_path / "site" / "aequa_entry_point_check-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: aequa-entry-point-check\n"
                                   "Version: 0.0\n")  # fmt: skip
    (dist / "entry_points.txt").write_text(block.replace("project.entry-points.", "")
                                           .replace('"', ""))  # fmt: skip
    (tmp_path / "test_ep.py").write_text(
        "import pytest\nfrom aequa.testing import assert_fairness\n\n"
        "@pytest.mark.fairness\ndef test_a():\n"
        "    assert_fairness([1, 0, 1, 0], [1, 0, 1, 0], sensitive_features=['a', 'a', 'b', 'b'],"
        " max_difference=0.1, n_boot=0)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers",
         "--color=no", "test_ep.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 aequa checks: 1 passed, 0 failed" in run.stdout
