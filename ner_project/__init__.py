"""The library behind the project's workflow: annotations are converted to `.spacy`
corpora (`conversion`), trained on with the config's registered functions
(`training`), scored (`evaluation`), and the trained pipeline is run over corpora
(`annotation`) and behind the HTTP service (`pipeline`). `demo` writes the demo corpus.

Importing this package imports none of its subpackages, so the service's image can
ship `pipeline` alone.
"""
