# The readiness GitHub Action: a Docker container action (action.yml: runs.using docker, image
# Dockerfile). GitHub's rules for such images apply: the runner starts the container as root
# with the workspace mounted at /github/workspace as its working directory, so there is no
# USER and no WORKDIR here, and the ENTRYPOINT is in exec form.
#
# The base is Debian bookworm with Python (bookworm's Debian packages golang-go and govulncheck
# are installed below), pinned by tag. The digest is pinned at release time: resolve it with
# `docker buildx imagetools inspect python:3.12-slim-bookworm` and write the line as
# python:3.12-slim-bookworm@sha256:<digest>. It is not pinned here because it could not be
# checked against the registry where this was written, and a wrong digest breaks every run.
# Machines without a container registry build with
# --build-arg BASE_IMAGE=localhost/debian-python:bookworm, a base that scripts/build-image.sh
# makes with debootstrap (Python 3.11, which readiness supports).
ARG BASE_IMAGE=python:3.12-slim-bookworm
FROM ${BASE_IMAGE}

LABEL org.opencontainers.image.title="readiness" \
      org.opencontainers.image.description="Production-readiness gate: Go/No-Go with evidence" \
      org.opencontainers.image.licenses="Apache-2.0"

# CGO_ENABLED=0: without a C compiler in the image, `go list` (which govulncheck drives) must
# not try cgo. Semgrep runs offline-friendly: no version check, no metrics.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CGO_ENABLED=0 \
    SEMGREP_ENABLE_VERSION_CHECK=0 \
    SEMGREP_SEND_METRICS=off

# git (the workspace belongs to another uid than the container's root, hence safe.directory),
# the Go toolchain and govulncheck. Go 1.19 ships the standard library precompiled as well as in
# source; govulncheck loads packages from source and `go build` rebuilds into its cache, so the
# precompiled archives (about 240 MB) go.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends \
      ca-certificates git golang-go govulncheck >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
      /var/log/apt /var/log/dpkg.log "$(go env GOROOT)/pkg/$(go env GOOS)_$(go env GOARCH)" \
 && git config --system --add safe.directory '*'

# Each scanner in its own virtual environment (their pinned dependencies conflict), linked
# into /usr/local/bin where readiness finds them on PATH.
RUN set -eu; \
    for entry in semgrep:semgrep==1.185.0:semgrep \
                 pip-audit:pip-audit==2.10.1:pip-audit \
                 safety:safety==3.8.1:safety; do \
      name="${entry%%:*}"; rest="${entry#*:}"; requirement="${rest%%:*}"; executable="${rest#*:}"; \
      python3 -m venv "/opt/$name"; \
      "/opt/$name/bin/pip" install --no-cache-dir --quiet "$requirement"; \
      ln -s "/opt/$name/bin/$executable" "/usr/local/bin/$executable"; \
    done

# readiness itself, from the build context (not editable: /src is removed afterwards).
COPY pyproject.toml README.md /src/
COPY readiness /src/readiness
RUN python3 -m venv /opt/readiness \
 && /opt/readiness/bin/pip install --no-cache-dir --quiet /src \
 && ln -s /opt/readiness/bin/readiness /usr/local/bin/readiness \
 && rm -rf /src

COPY entrypoint.py /entrypoint.py
ENTRYPOINT ["/opt/readiness/bin/python", "/entrypoint.py"]
