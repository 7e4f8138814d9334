"""The one production-code rule: which files are the service itself, and which are not.

Tests, fixtures, mocks, examples, vendored and development-only files register routes, start
servers, write keys and hold passwords without the service doing so. Each language's own
conventions define them (Go ``*_test.go``, ``testdata/`` and ``<pkg>test`` packages; Python
``tests/`` and ``conftest.py``; JavaScript ``__tests__`` and ``*.spec.*``); the policy's
``test_paths`` adds the project's own. Every check asks here, so no two disagree.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from enum import StrEnum
from pathlib import PurePosixPath

import pathspec

from readiness import globs


class Kind(StrEnum):
    PRODUCTION = "production"
    TEST = "test"  # tests, fixtures, mocks, test data
    EXAMPLE = "example"  # examples, samples, demos, docs
    VENDORED = "vendored"  # third-party code copied in
    DEVELOPMENT = "development"  # files for a developer's machine: devcontainers, local overrides


_TEST_DIRS = frozenset({
    "test", "tests", "testing", "__tests__", "testdata", "test-data", "test_data", "testutil", "testutils",
    "testhelpers", "spec", "specs", "e2e", "integration-tests", "integration_tests", "fixtures",
    "__fixtures__", "fixture", "mocks", "mock", "__mocks__", "fakes", "cypress", "playwright",
    "loadtest", "loadtests", "load-tests", "perf-tests", "benchmarks",
})  # fmt: skip
_EXAMPLE_DIRS = frozenset({"examples", "example", "samples", "sample", "demo", "demos", "docs", "doc"})
_VENDORED_DIRS = frozenset({"vendor", "third_party", "third-party", "node_modules", "bower_components"})
_DEVELOPMENT_DIRS = frozenset({".devcontainer", ".vscode", ".idea"})
# Go test-helper packages are named after what they test: `storagetest`, `redistest`, `e2etest`.
_GO_TEST_PACKAGE = re.compile(r"^[a-z0-9]+test(?:s|ing|util|utils)?$")
_WORDS_ENDING_IN_TEST = frozenset({"latest", "attest", "contest", "protest", "greatest", "fastest"})
# `ui-tests`, `integration_test`, `test-utils`, `e2e-specs`: a test word joined to another.
_TEST_WORD = re.compile(r"(?:^|[-_.])(?:tests?|testing|specs?|e2e|fixtures?|mocks?)(?:[-_.]|$)")
_TEST_FILE = re.compile(
    r"(?:_test\.go|_test\.py|^test_.*\.py|^conftest\.py|[._](?:spec|test)\.[cm]?[jt]sx?|_mock\.go|^mock_.*\.go"
    r"|^mocks?\.go)$"
)
_DEVELOPMENT_FILE = re.compile(
    r"^(?:docker-)?compose\.(?:override|dev|development|local|test|ci)\.ya?ml$"
    r"|^docker-compose[._-](?:override|dev|development|local|test|ci)\.ya?ml$"
    r"|^\.env\.(?:example|sample|template|dist|local|dev|development|test)$"
    r"|\.(?:example|sample|template|dist)$"
)


def kind(path: str) -> Kind:
    """What a file is by its language's conventions (the policy's ``test_paths`` aside)."""
    return _kind(path)


@functools.lru_cache(maxsize=65536)
def _kind(path: str) -> Kind:
    pure = PurePosixPath(path)
    directories = [part.lower() for part in pure.parts[:-1]]
    name = pure.name.lower()
    if any(d in _VENDORED_DIRS for d in directories):
        return Kind.VENDORED
    if any(_is_test_directory(d) for d in directories) or _TEST_FILE.search(name):
        return Kind.TEST
    if any(d in _EXAMPLE_DIRS for d in directories):
        return Kind.EXAMPLE
    if any(d in _DEVELOPMENT_DIRS for d in directories) or _DEVELOPMENT_FILE.search(name):
        return Kind.DEVELOPMENT
    return Kind.PRODUCTION


def _is_test_directory(directory: str) -> bool:
    if directory in _TEST_DIRS or _TEST_WORD.search(directory):
        return True
    return directory not in _WORDS_ENDING_IN_TEST and bool(_GO_TEST_PACKAGE.match(directory))


def by_convention_not_production(path: str) -> bool:
    """A test, fixture, example, vendored or development file by its language's conventions alone."""
    return _kind(path) is not Kind.PRODUCTION


def is_production(path: str, test_paths: Sequence[str] = ()) -> bool:
    """Whether ``path`` is part of what ships: by convention, and not matched by ``test_paths``."""
    return _kind(path) is Kind.PRODUCTION and not matches_test_paths(path, tuple(test_paths))


def matches_test_paths(path: str, test_paths: tuple[str, ...]) -> bool:
    return bool(test_paths) and _spec(test_paths).match_file(path)


@functools.lru_cache(maxsize=8)
def _spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return globs.spec(patterns)


# Generated stubs by generator naming conventions: protobuf and gRPC (Go, Python, JavaScript),
# grpc-gateway, Kubernetes deepcopy, stringer, wire, mockery-style `_gen` files.
_GENERATED_NAME = re.compile(
    r"(?:\.pb(?:\.gw)?\.go|_grpc\.pb\.go|\.pb\.validate\.go|_pb2(?:_grpc)?\.pyi?|_(?:grpc_)?pb\.[cm]?[jt]s"
    r"|_pb\.d\.ts|[._]gen(?:erated)?\.go|^zz_generated\..*\.go|_string\.go|^wire_gen\.go)$"
)
# The markers the generators write in the file's first lines: Go's standard one
# (https://go.dev/s/generatedcode) and protoc's own for Python and JavaScript.
_GENERATED_MARKER = re.compile(
    r"^(?://|#) Code generated .* DO NOT EDIT\.?$"
    r"|^# Generated by the protocol buffer compiler\.\s+DO NOT EDIT!"
    r"|^// GENERATED CODE -- DO NOT EDIT!",
    re.M,
)


def generated_name(path: str) -> bool:
    """Named as a code generator names its output (cheap: decides whether the head is read)."""
    return bool(_GENERATED_NAME.search(PurePosixPath(path).name))


def is_generated(path: str, head: str) -> bool:
    """A generated stub: named as its generator names files AND carrying the generator's marker in
    ``head`` (the file's first lines). Both, because both are written by the change under review:
    a marker alone pasted into a handwritten `main.go`, or a stub name alone, keeps the file judged."""
    return generated_name(path) and bool(_GENERATED_MARKER.search(head))
