"""Validate a training config before the workflow fills and trains with it.

`spacy init fill-config` saves values of the wrong type without a word and answers an
unknown function name with a traceback; this check names the config file and the
field at fault instead, and exits non-zero.
"""

from pathlib import Path

from catalogue import RegistryError
from spacy import util
from spacy.schemas import ConfigSchemaTraining
from thinc.api import ConfigValidationError
from wasabi import msg


def validate_config(config_path: Path, code_path: Path | None = None) -> None:
    """Parse CONFIG_PATH, fill it with spaCy's defaults, and resolve its training block."""
    if not config_path.is_file():
        msg.fail(f"Config file {config_path} not found", exits=1)
    if code_path:
        util.import_file("functions", code_path)
    section = []
    try:
        config = util.load_config(config_path, interpolate=False)
        nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
        filled = nlp.config.interpolate()
        section = ["training"]
        util.registry.resolve(filled["training"], schema=ConfigSchemaTraining)
    except ConfigValidationError as error:
        fields = [
            f"[{' -> '.join(map(str, section + list(err.get('loc', []))))}] "
            f"{err.get('msg')}"
            for err in error.errors or []
        ]
        details = "\n".join(fields) or " ".join(str(error).split())
        msg.fail(f"{config_path} is not a valid config", details, exits=1)
    except (RegistryError, ValueError, KeyError) as error:
        # The registry lists every known function name after its message: keep the
        # message.
        problem = str(error).split("Available names")[0].strip()
        msg.fail(f"{config_path} is not a valid config: {problem}", exits=1)
    msg.good(f"{config_path} is a valid config")
