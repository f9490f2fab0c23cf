"""Settings: defaults < kmsearch.toml < KMSEARCH_* environment < flags, validated once when loaded, with errors
that name the setting, where its value came from and what is allowed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kmsearch.config import Settings
from kmsearch.errors import InvalidParameterError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No KMSEARCH_* variable from the caller's shell, and a working folder without a kmsearch.toml."""
    for name in list(os.environ):
        if name.startswith("KMSEARCH_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_toml(folder: Path, body: str, name: str = "kmsearch.toml") -> Path:
    path = folder / name
    path.write_text(f"[kmsearch]\n{body}\n", encoding="utf-8")
    return path


# setting, value in kmsearch.toml, in the environment, as a flag (each differs from the one below it)
PRECEDENCE = [
    ("fusion", '"rrf"', "score", "rrf"),
    ("chunk_tokens", "150", "120", 100),
    ("ocr_dpi", "300", "250", 150),
    ("backend", '"torch"', "onnx", "onnx-int8"),
    ("index_dir", '"from-toml"', "from-env", Path("from-flag")),
    ("ocr", "false", "yes", False),
]


@pytest.mark.parametrize("name, in_toml, in_env, as_flag", PRECEDENCE, ids=[p[0] for p in PRECEDENCE])
def test_each_source_overrides_the_one_below(tmp_path, monkeypatch, name, in_toml, in_env, as_flag):
    default = getattr(Settings(), name)
    assert getattr(Settings.load(), name) == default  # no file, no variable: the default

    write_toml(tmp_path, f"{name} = {in_toml}")
    from_toml = getattr(Settings.load(), name)
    assert from_toml != default

    monkeypatch.setenv(f"KMSEARCH_{name.upper()}", in_env)
    from_env = getattr(Settings.load(), name)
    assert from_env != from_toml

    from_flag = getattr(Settings.load(**{name: as_flag}), name)
    assert from_flag == as_flag and from_flag != from_env
    assert getattr(Settings.load(**{name: None}), name) == from_env  # None: the flag was not given


def test_values_from_text_get_the_settings_types(tmp_path, monkeypatch):
    monkeypatch.setenv("KMSEARCH_CHUNK_TOKENS", "150")
    monkeypatch.setenv("KMSEARCH_FUSION_ALPHA", "0.25")
    monkeypatch.setenv("KMSEARCH_OCR", "off")
    monkeypatch.setenv("KMSEARCH_ONNX_DIR", "exports")
    monkeypatch.setenv("KMSEARCH_BACKEND", " ONNX ")
    settings = Settings.load()
    assert (settings.chunk_tokens, settings.fusion_alpha, settings.ocr) == (150, 0.25, False)
    assert settings.onnx_dir == Path("exports") and settings.backend == "onnx"


def test_config_file_comes_from_the_argument_or_kmsearch_config(tmp_path, monkeypatch):
    elsewhere = write_toml(tmp_path, "rrf_k = 10", "other.toml")
    assert Settings.load(elsewhere).rrf_k == 10
    monkeypatch.setenv("KMSEARCH_CONFIG", str(elsewhere))
    assert Settings.load().rrf_k == 10


def test_a_bad_fusion_in_kmsearch_toml_fails_when_loaded(tmp_path):
    write_toml(tmp_path, 'fusion = "max"')
    with pytest.raises(InvalidParameterError) as caught:
        Settings.load()
    message = str(caught.value)
    assert message == "setting fusion: 'max' is not one of score, rrf (in kmsearch.toml)"


def test_a_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("KMSEARCH_CHUNK_TOKENS", "many")
    with pytest.raises(InvalidParameterError, match=r"setting chunk_tokens: 'many' is not a whole number of 16 or more "
                                                    r"\(environment variable KMSEARCH_CHUNK_TOKENS\)"):
        Settings.load()


def test_a_flag_wins_over_a_bad_value_below_it(tmp_path, monkeypatch):
    write_toml(tmp_path, 'fusion = "max"')
    monkeypatch.setenv("KMSEARCH_OCR_DPI", "20")
    settings = Settings.load(fusion="rrf", ocr_dpi=300)
    assert (settings.fusion, settings.ocr_dpi) == ("rrf", 300)


@pytest.mark.parametrize("changes, says", [
    ({"ocr_dpi": 0}, "setting ocr_dpi: 0 is not a whole number from 50 to 600 (flag or argument)"),
    ({"extract_timeout_s": 0}, "setting extract_timeout_s: 0 is not a number above 0 (flag or argument)"),
    ({"dense_index": "hnsw"}, "setting dense_index: 'hnsw' is not one of auto, flat, ivf (flag or argument)"),
    ({"fusion_alpha": 1.5}, "setting fusion_alpha: 1.5 is not a number from 0 to 1 (flag or argument)"),
    ({"chunk_overlap": 150}, "setting chunk_overlap: 150 is not a whole number from 0 to half of chunk_tokens (100)"),
    ({"colour": "red"}, "unknown setting 'colour' (flag or argument); known settings: index_dir, model,"),
])
def test_bad_values_fail_however_the_settings_are_made(changes, says):
    for make in (lambda: Settings(**changes), lambda: Settings.load(**changes), lambda: Settings().replace(**changes)):
        with pytest.raises(InvalidParameterError) as caught:
            make()
        assert str(caught.value).startswith(says)


def test_every_bad_value_is_reported_at_once(tmp_path):
    write_toml(tmp_path, 'fusion = "max"\nocr_dpi = 20\ncolour = "red"')
    with pytest.raises(InvalidParameterError) as caught:
        Settings.load()
    message = str(caught.value)
    assert "setting fusion: 'max'" in message and "setting ocr_dpi: 20" in message
    assert "unknown setting 'colour' (in kmsearch.toml)" in message


def test_a_toml_file_that_does_not_parse_is_named(tmp_path):
    (tmp_path / "kmsearch.toml").write_text("[kmsearch\n", encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=r"kmsearch.toml: not valid TOML"):
        Settings.load()


def test_settings_are_frozen_and_replace_makes_a_checked_copy():
    settings = Settings()
    with pytest.raises(Exception):
        settings.ocr = False  # type: ignore[misc]
    changed = settings.replace(ocr=False, model=None)
    assert changed.ocr is False and settings.ocr is True and changed.model is None
    assert settings.replace() == settings and changed != settings
    assert changed.cache_path == Path("indexes/default/embeddings.sqlite")
    assert changed.limits["extract_timeout_s"] == 120.0


def test_the_cli_stops_at_a_bad_setting_before_opening_anything(tmp_path):
    from kmsearch.cli import cli

    write_toml(tmp_path, 'fusion = "max"')
    result = CliRunner().invoke(cli, ["search", "records", "--index", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: setting fusion: 'max' is not one of score, rrf (in kmsearch.toml)"
