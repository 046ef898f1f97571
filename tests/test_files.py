"""ner_project/files.py (the `clean` command): generated files go, the folders git keeps stay."""

from tests.helpers import load_script

clean = load_script("clean").clean


def test_clean_empties_kept_folders_and_deletes_generated_ones(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "nested").mkdir(parents=True)
    (corpus / ".gitkeep").touch()
    (corpus / "train.spacy").write_bytes(b"x")
    (corpus / "nested" / "file").write_bytes(b"x")
    exported = tmp_path / "assets" / "model"
    exported.mkdir(parents=True)
    (exported / "config.json").write_text("{}")
    config = tmp_path / "config.cfg"
    config.write_text("[nlp]")
    clean([corpus, exported, config, tmp_path / "never-made"])
    assert [p.name for p in corpus.iterdir()] == [".gitkeep"]
    assert not exported.exists() and not config.exists()
    assert (tmp_path / "assets").is_dir()
