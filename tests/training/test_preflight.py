"""ner_project/training/preflight.py: an unusable transformer or GPU stops training at once, saying
what to do, instead of minutes of retries or a traceback deep in thinc."""

import importlib.util
import sys

import pytest

from ner_project.training import preflight
from tests.helpers import PROJECT_DIR, run_cli


def failure(capsys, check, *args) -> str:
    with pytest.raises(SystemExit) as exit_info:
        check(*args)
    assert exit_info.value.code == 1
    return " ".join(capsys.readouterr().out.split())


def test_model_folder_passes(tiny_transformer):
    preflight.check_transformer(str(tiny_transformer))


def test_missing_folder_names_it_and_the_export_command(capsys, tmp_path):
    missing = tmp_path / "models" / "bert"
    (tmp_path / "models").mkdir()
    out = failure(capsys, preflight.check_transformer, str(missing))
    assert f"Transformer folder {missing} does not exist" in out
    assert "spacy project run export-transformer" in out


def test_folder_without_config_json_is_refused(capsys, tmp_path):
    out = failure(capsys, preflight.check_transformer, str(tmp_path))
    assert f"Transformer folder {tmp_path} has no config.json" in out


def test_hub_name_while_offline_fails_at_once(capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = failure(capsys, preflight.check_transformer, "roberta-base")
    assert "'roberta-base' is not in the local Hugging Face cache" in out
    assert "HF_HUB_OFFLINE is set" in out


def test_hub_name_without_network_fails_without_retrying(capsys, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(preflight, "hub_reachable", lambda timeout_s=3.0: False)
    out = failure(capsys, preflight.check_transformer, "roberta-base")
    assert "huggingface.co cannot be reached" in out
    assert "set vars.transformer to a local model folder" in out


def test_cpu_needs_no_gpu_packages():
    preflight.check_gpu(-1)


@pytest.mark.skipif(
    importlib.util.find_spec("cupy") is not None, reason="cupy is installed here"
)
def test_gpu_without_cupy_says_how_to_install_it(capsys):
    out = failure(capsys, preflight.check_gpu, 0)
    assert "gpu_id=0 asks for a GPU, but cupy cannot be imported" in out
    assert "pip install -r requirements-gpu.txt" in out


def test_the_previous_runs_training_log_is_removed(tiny_transformer, tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"step": 300}\n')
    result = run_cli(
        [
            *(sys.executable, PROJECT_DIR / "scripts" / "preflight.py"),
            *("--transformer", tiny_transformer, "--training-log", log),
        ]
    )
    assert result.returncode == 0, result.output
    assert not log.exists()  # spaCy's logger then writes this run's
    assert f"Removed the previous run's {log}" in result.output
