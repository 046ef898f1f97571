"""The demo corpus of resume-style documents, authored for this project and generated
from a seed."""
