# The HTTP service around the packaged pipeline. Build the wheel first
# (`spacy project run all`), then:
#   docker build -t resume-ner .
#   docker run -p 8000:8000 resume-ner            # add -e NER_API_KEY=... and others
# The install and start steps are the README's ("Serve the wheel anywhere"), and a test
# (tests/test_dockerfile.py) runs them outside Docker and checks that they match it.
FROM python:3.11-slim

WORKDIR /srv
COPY requirements-serve.txt ./
COPY packages/en_resume_ner-0.1.0/dist/en_resume_ner-0.1.0-py3-none-any.whl ./
RUN pip install --no-cache-dir -r requirements-serve.txt en_resume_ner-0.1.0-py3-none-any.whl
COPY service/ service/
COPY scripts/ scripts/

# Resumes are personal data: run as a user that cannot write to the app.
RUN useradd --create-home --uid 10001 ner
USER ner
ENV NER_MODEL=en_resume_ner HF_HUB_OFFLINE=1
EXPOSE 8000
CMD ["uvicorn", "service.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
