# The HTTP service around the packaged pipeline: the wheel, the service and the part of
# the library it imports (ner_project/pipeline), no training code. Build the wheel
# first (`spacy project run all`), then:
#   docker build -t resume-ner .
#   docker run -p 8000:8000 resume-ner            # add -e NER_API_KEY=... and others
# Another pipeline: --build-arg PACKAGE=en_other_ner --build-arg VERSION=1.2.0
# The install and start steps are those of docs/serving.md ("Serve the wheel
# anywhere"), and a test (tests/service/test_dockerfile.py) runs them outside Docker
# and checks that they match it.
FROM python:3.11-slim

ARG PACKAGE=en_resume_ner
ARG VERSION=0.1.0
WORKDIR /srv
COPY requirements-serve.txt ./
COPY packages/${PACKAGE}-${VERSION}/dist/${PACKAGE}-${VERSION}-py3-none-any.whl ./
RUN pip install --no-cache-dir -r requirements-serve.txt ${PACKAGE}-${VERSION}-py3-none-any.whl
COPY ner_project/__init__.py ner_project/
COPY ner_project/pipeline/ ner_project/pipeline/
COPY service/ service/

# Resumes are personal data: run as a user that cannot write to the app.
RUN useradd --create-home --uid 10001 ner
USER ner
ENV NER_MODEL=${PACKAGE} HF_HUB_OFFLINE=1
EXPOSE 8000
CMD ["uvicorn", "service.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
