"""Annotated files in, validated `Doc`s and `.spacy` corpora out: one module per input
format, one shared document model (`documents`), one set of error messages (`errors`)
and one conversion report (`report`)."""
