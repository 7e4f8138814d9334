# The readiness GitHub Action: a Docker container action (action.yml: runs.using docker). GitHub's
# rules for such images apply: the runner starts the container as root with the workspace mounted
# at /github/workspace as its working directory, so there is no USER and no WORKDIR here, and the
# ENTRYPOINT is in exec form.
#
# What is pinned where:
# - semgrep, pip-audit, safety: pyproject.toml's `scanners` extra, the one place. readiness is
#   installed here with that extra into one virtual environment. The *_VERSION build args below
#   only state those pins for the image's labels: the build fails when what pip installed differs
#   from them, and tests/test_release_workflow.py asserts their defaults equal the extra's pins.
# - The Go toolchain and govulncheck: the build args of the go-download and go-debian stages.
# - The base image: BASE_IMAGE, pinned by tag. Its digest is pinned at release time: resolve it
#   with `docker buildx imagetools inspect python:3.12-slim-bookworm` and pass
#   python:3.12-slim-bookworm@sha256:<digest>. It is not pinned here because it could not be
#   checked against the registry where this was written, and a wrong digest breaks every build.
#   Machines without a container registry build with
#   --build-arg BASE_IMAGE=localhost/debian-python:bookworm, a base that scripts/build-image.sh
#   makes with debootstrap (Python 3.11, which readiness supports).
#
# GO_SOURCE picks where Go and govulncheck come from:
# - download (the default, for GitHub's runners and the release workflow): the official Go
#   release archive at GO_VERSION, checked against its pinned sha256, and govulncheck built with it
#   by `go install` at GOVULNCHECK_VERSION (the module's checksum is verified by Go's checksum
#   database, as for every `go install`).
# - debian: Debian bookworm's golang-go and govulncheck packages, at pinned package versions, for
#   machines that reach only Debian's package mirrors (scripts/build-image.sh passes it).
ARG BASE_IMAGE=python:3.12-slim-bookworm
ARG GO_SOURCE=download

FROM ${BASE_IMAGE} AS base

# CGO_ENABLED=0: without a C compiler in the image, `go list` (which govulncheck drives) must
# not try cgo. Semgrep runs offline-friendly: no version check, no metrics. /usr/local/go/bin is
# where the go-download stage puts the toolchain (absent in the go-debian variant: Debian's go is
# in /usr/bin).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CGO_ENABLED=0 \
    SEMGREP_ENABLE_VERSION_CHECK=0 \
    SEMGREP_SEND_METRICS=off \
    PATH=/usr/local/go/bin:${PATH}

# git (the workspace belongs to another uid than the container's root, hence safe.directory).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends \
      ca-certificates git >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
      /var/log/apt /var/log/dpkg.log \
 && git config --system --add safe.directory '*'


# -- Go from the official release archive (GO_SOURCE=download) ----------------------------------
FROM base AS go-download
# GO_SHA256 pins the archive's checksum when given (a release should pass the one on the Go
# downloads page for its architecture); left empty, the build takes the checksum from the same
# site's JSON release index (https://go.dev/dl/?mode=json&include=all) and checks the archive
# against it. No checksum is written down here: none could be verified where this was written.
# x/vuln v1.8.0 needs Go >= 1.26.0; GOTOOLCHAIN=local makes a mismatch fail instead of fetching
# another toolchain.
ARG GO_VERSION=1.26.8
ARG GO_SHA256=
ARG GO_DOWNLOAD_URL=https://go.dev/dl
ARG GOVULNCHECK_VERSION=v1.8.0
RUN set -eu; \
    arch="$(dpkg --print-architecture)"; \
    file="go${GO_VERSION}.linux-${arch}.tar.gz"; \
    archive="/tmp/${file}"; \
    python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
      "${GO_DOWNLOAD_URL}/${file}" "$archive"; \
    sha256="${GO_SHA256}"; \
    if [ -z "$sha256" ]; then \
      sha256="$(python3 -c 'import json, sys, urllib.request; index = json.load(urllib.request.urlopen(sys.argv[1] + "/?mode=json&include=all")); print(next(f["sha256"] for r in index for f in r["files"] if f["filename"] == sys.argv[2]))' "${GO_DOWNLOAD_URL}" "$file")"; \
    fi; \
    echo "${sha256}  ${archive}" | sha256sum -c -; \
    tar -C /usr/local -xzf "$archive"; \
    rm -f "$archive"; \
    test "$(go env GOVERSION)" = "go${GO_VERSION}"; \
    GOTOOLCHAIN=local GOBIN=/usr/local/bin GOPATH=/tmp/gopath GOCACHE=/tmp/gocache \
      go install -trimpath "golang.org/x/vuln/cmd/govulncheck@${GOVULNCHECK_VERSION}"; \
    go version -m /usr/local/bin/govulncheck | grep -q "mod[[:space:]]*golang.org/x/vuln[[:space:]]*${GOVULNCHECK_VERSION}"; \
    chmod -R u+w /tmp/gopath; \
    rm -rf /tmp/gopath /tmp/gocache
LABEL readiness.go.source="download" \
      readiness.scanner.go.version="${GO_VERSION}" \
      readiness.scanner.govulncheck.version="${GOVULNCHECK_VERSION}"


# -- Go from Debian bookworm's packages (GO_SOURCE=debian) ----------------------------------------
FROM base AS go-debian
# The package versions of bookworm. Go 1.19 ships the standard library precompiled as well as in
# source; govulncheck loads packages from source and `go build` rebuilds into its cache, so the
# precompiled archives (about 240 MB) go.
ARG DEBIAN_GOLANG_GO_VERSION=2:1.19~1
ARG DEBIAN_GO_VERSION=1.19.8-2
ARG DEBIAN_GOVULNCHECK_VERSION=0.0~git20230201.4c848ed-1
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends \
      "golang-go=${DEBIAN_GOLANG_GO_VERSION}" "golang-1.19-go=${DEBIAN_GO_VERSION}" \
      "golang-1.19-src=${DEBIAN_GO_VERSION}" "govulncheck=${DEBIAN_GOVULNCHECK_VERSION}" >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
      /var/log/apt /var/log/dpkg.log "$(go env GOROOT)/pkg/$(go env GOOS)_$(go env GOARCH)"
LABEL readiness.go.source="debian" \
      readiness.scanner.go.version="${DEBIAN_GO_VERSION}" \
      readiness.scanner.govulncheck.version="${DEBIAN_GOVULNCHECK_VERSION}"


# -- readiness and its scanners -------------------------------------------------------------------
FROM go-${GO_SOURCE}

ARG BASE_IMAGE
# The pins of pyproject.toml's `scanners` extra, stated (see the top of this file).
ARG SEMGREP_VERSION=1.185.0
ARG PIP_AUDIT_VERSION=2.10.1
ARG SAFETY_VERSION=3.8.1
# Set by the release workflow.
ARG VERSION=dev
ARG REVISION=
ARG SOURCE=

# readiness with its `scanners` extra in one virtual environment (the extra's pins install
# together and `pip check` stays clean), from the build context (not editable: /src is removed
# afterwards); its executables are linked into /usr/local/bin, where readiness finds the scanners.
COPY pyproject.toml README.md /src/
COPY readiness /src/readiness
RUN set -eu; \
    python3 -m venv /opt/readiness; \
    /opt/readiness/bin/pip install --no-cache-dir --quiet "/src[scanners]"; \
    /opt/readiness/bin/pip check; \
    /opt/readiness/bin/python -c 'import importlib.metadata as m, sys; \
wrong = [f"{n} {m.version(n)} is installed, the build args state {v}" \
         for n, v in (arg.split("=", 1) for arg in sys.argv[1:]) if m.version(n) != v]; \
sys.exit("; ".join(wrong) or None)' \
      "semgrep=${SEMGREP_VERSION}" "pip-audit=${PIP_AUDIT_VERSION}" "safety=${SAFETY_VERSION}"; \
    for executable in readiness semgrep pip-audit safety; do \
      ln -s "/opt/readiness/bin/$executable" "/usr/local/bin/$executable"; \
    done; \
    rm -rf /src

LABEL org.opencontainers.image.title="readiness" \
      org.opencontainers.image.description="Production-readiness gate: Go/No-Go with evidence" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="${BASE_IMAGE}" \
      readiness.scanner.semgrep.version="${SEMGREP_VERSION}" \
      readiness.scanner.pip-audit.version="${PIP_AUDIT_VERSION}" \
      readiness.scanner.safety.version="${SAFETY_VERSION}"

COPY entrypoint.py /entrypoint.py
ENTRYPOINT ["/opt/readiness/bin/python", "/entrypoint.py"]
