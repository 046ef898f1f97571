"""What training needs beyond spaCy: the config's registered functions (`functions`,
shipped inside the packaged pipeline with `--code`), and the checks that run before
training starts."""
