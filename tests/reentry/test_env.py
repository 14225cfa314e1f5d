import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from reentry.env import env_bool, env_int, env_list, env_secret


def test_env_secret_reads_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_SECRET", "s3cret")
    assert env_secret("SOME_SECRET", default="dev") == "s3cret"


def test_env_secret_treats_an_empty_variable_as_unset(monkeypatch):
    monkeypatch.setenv("SOME_SECRET", "")
    assert env_secret("SOME_SECRET", default="dev") == "dev"


def test_env_secret_prefers_the_file_named_by_name_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("SOME_SECRET", "from-the-variable")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret_file))
    assert env_secret("SOME_SECRET") == "from-a-file"


def test_env_secret_with_a_missing_file_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "nope"))
    with pytest.raises(ImproperlyConfigured):
        env_secret("SOME_SECRET")


def test_env_bool_rejects_a_word_it_does_not_know(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG")


def test_env_int_and_env_list_parse_their_values(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "42")
    monkeypatch.setenv("SOME_HOSTS", " a.example , b.example ,, ")
    assert env_int("SOME_NUMBER", 1) == 42
    assert env_list("SOME_HOSTS") == ["a.example", "b.example"]


@pytest.mark.parametrize("secret_key", ["", None], ids=["empty", "unset"])
def test_settings_refuse_to_load_with_debug_off_and_no_secret_key(secret_key):
    env = {"PATH": "", "DEBUG": "false", "PYTHONPATH": str(settings.BASE_DIR)}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", "import reentry.settings"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
