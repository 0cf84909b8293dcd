# syntax=docker/dockerfile:1
# The Werkwijzer image: the API (werkwijzer serve) and every CLI command, and the runtime of the
# MLflow server, the Prefect server and worker, and the Dask scheduler and workers in
# deploy/compose.yaml (one image, so flows run the same code everywhere). docs/deploy.md.

# --- build: a virtual environment with the tested set of dependencies (requirements.lock) ---------
FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY werkwijzer ./werkwijzer
COPY models ./models
COPY explain ./explain
COPY flows ./flows
COPY casework ./casework
COPY api ./api
COPY cli ./cli
RUN python -m venv /opt/werkwijzer \
 && /opt/werkwijzer/bin/pip install -c requirements.lock . \
 && /opt/werkwijzer/bin/werkwijzer --help > /dev/null

# --- run: no compiler, no pip cache, a user without privileges -----------------------------------
FROM python:3.11-slim-bookworm
RUN groupadd --system --gid 10001 werkwijzer \
 && useradd --system --uid 10001 --gid werkwijzer --home-dir /var/lib/werkwijzer --create-home werkwijzer
COPY --from=build /opt/werkwijzer /opt/werkwijzer
ENV PATH=/opt/werkwijzer/bin:$PATH \
    WERKWIJZER_HOME=/var/lib/werkwijzer \
    PREFECT_HOME=/var/lib/werkwijzer/prefect \
    DO_NOT_TRACK=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    MLFLOW_DISABLE_TELEMETRY=true \
    PYTHONUNBUFFERED=1
USER werkwijzer
WORKDIR /var/lib/werkwijzer
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
ENTRYPOINT ["werkwijzer"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
