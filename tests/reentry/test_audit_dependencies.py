"""bin/audit-dependencies: fail on a vulnerability with a fix, list those without one,
and say so plainly when the vulnerability service could not be reached."""

from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bin" / "audit-dependencies"


def load():
    loader = SourceFileLoader("audit_dependencies", str(SCRIPT))
    module = module_from_spec(spec_from_loader("audit_dependencies", loader))
    loader.exec_module(module)
    return module


def dep(name, version="1.0", vulns=()):
    return {"name": name, "version": version, "vulns": list(vulns)}


def test_a_vulnerability_with_a_fix_fails():
    code, message = load().verdict(
        {
            "dependencies": [
                dep("django"),
                dep("pillow", "10.0", [{"id": "PYSEC-1", "fix_versions": ["10.3.0"]}]),
            ]
        }
    )
    assert code == 1
    assert "pillow 10.0: PYSEC-1 (fixed in 10.3.0)" in message


def test_a_vulnerability_without_a_fix_is_listed_not_failed():
    code, message = load().verdict(
        {"dependencies": [dep("pillow", "10.0", [{"id": "GHSA-x", "fix_versions": []}])]}
    )
    assert code == 0
    assert "GHSA-x (no fix released yet)" in message


def test_clean():
    assert load().verdict({"dependencies": [dep("django"), dep("celery")]})[0] == 0


def test_offline_is_a_skip_that_says_so():
    skipped = {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be"}
    code, message = load().verdict({"dependencies": [skipped, {**skipped, "name": "celery"}]})
    assert code == 2
    assert "SKIPPED" in message and "NOT audited" in message
