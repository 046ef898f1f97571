"""The project's tests, laid out as the package they specify.

The tests import every module of `ner_project`; bytecode caches written into its folders
would change the checksums of the workflow's deps and rerun steps (see project.yml), so
none are written while they run.
"""

import sys

sys.dont_write_bytecode = True
