"""Reading dependency manifests: Python requirements, pyproject and lock files; Node lock files;
go.mod. What is pinned (and audited), what is not, and on which line."""

from __future__ import annotations

import textwrap
from pathlib import Path

from readiness.facts import dependencies
from readiness.parsers import gomod, node_locks, python_manifests
from readiness.repo import Repo
from readiness.scanners import python_report
from tests.support import write_tree


def _text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_requirements_pins_ranges_urls_options_and_continuations() -> None:
    manifest = python_manifests.parse_requirements(
        "requirements.txt",
        _text(
            """
            # comment
            --index-url https://mirror.example/simple
            -r base.txt
            Django==2.0  # pinned, with a comment
            requests[security]==2.19.0 ; python_version >= "3.8"
            urllib3==1.24.1 \\
                --hash=sha256:0000
            flask>=2.3
            jinja2==3.*
            -e git+https://git.example/lib.git#egg=lib
            ./vendor/wheel
            pkg @ https://files.example/pkg-1.0.tar.gz
            ===broken
            """
        ),
    )
    pinned = [(r.name, r.version, r.line) for r in manifest.pinned]
    assert pinned == [("Django", "2.0", 4), ("requests", "2.19.0", 5), ("urllib3", "1.24.1", 6)]
    assert [(r.name, r.line) for r in manifest.unpinned] == [("flask", 8), ("jinja2", 9)]
    assert [r.line for r in manifest.direct] == [10, 11, 12]
    assert manifest.problems == ((13, "cannot parse requirement '===broken'"),)
    # The audit input: canonical names, no extras or markers.
    assert manifest.pinned_lines() == "django==2.0\nrequests==2.19.0\nurllib3==1.24.1\n"


def test_development_manifests_are_marked() -> None:
    assert python_manifests.parse_requirements("requirements-dev.txt", "pytest>=8\n").dev
    assert python_manifests.parse_requirements("requirements/test.txt", "pytest>=8\n").dev
    assert not python_manifests.parse_requirements("requirements.txt", "flask==3.0.0\n").dev
    assert python_manifests.parse_requirements("docs/requirements.txt", "sphinx\n").dev
    assert not python_manifests.is_dev_name("requirements/prod.txt")
    assert not python_manifests.is_dev_name("devops/requirements.txt")


def test_pyproject_project_poetry_and_groups() -> None:
    manifest = python_manifests.parse_pyproject(
        "pyproject.toml",
        _text(
            """
            [project]
            name = "svc"
            dependencies = [
              "fastapi==0.110.0",
              "redis>=5",
            ]
            [project.optional-dependencies]
            dev = ["pytest==8.1.1"]
            postgres = ["psycopg>=3"]
            [dependency-groups]
            lint = ["ruff>=0.6"]
            [tool.poetry.dependencies]
            python = "^3.11"
            httpx = "0.27.0"
            pydantic = "^2.6"
            lib = { git = "https://git.example/lib.git" }
            """
        ),
    )
    found = {r.name: (r.kind, r.version, r.line, r.dev) for r in manifest.requirements}
    assert found == {
        "fastapi": ("pinned", "0.110.0", 4, False),
        "redis": ("unpinned", None, 5, False),
        "pytest": ("pinned", "8.1.1", 8, True),
        "psycopg": ("unpinned", None, 9, False),
        "ruff": ("unpinned", None, 11, True),
        "httpx": ("pinned", "0.27.0", 14, False),
        "pydantic": ("unpinned", None, 15, False),
        "lib": ("direct", None, 16, False),
    }


def test_invalid_pyproject_is_a_problem_not_a_crash() -> None:
    manifest = python_manifests.parse_pyproject("pyproject.toml", "[project\nname = 1\n")
    assert manifest.requirements == () and manifest.problems[0][1].startswith("invalid TOML")


def test_lock_files() -> None:
    poetry = python_manifests.parse_toml_lock(
        "poetry.lock",
        _text(
            """
            [[package]]
            name = "requests"
            version = "2.19.0"
            category = "main"

            [[package]]
            name = "pytest"
            version = "8.0.0"
            category = "dev"

            [[package]]
            name = "mylib"
            version = "0.1.0"

            [package.source]
            type = "git"
            url = "https://git.example/mylib.git"
            """
        ),
    )
    assert [(r.name, r.version, r.line, r.dev) for r in poetry.pinned] == [
        ("requests", "2.19.0", 2, False),
        ("pytest", "8.0.0", 7, True),
    ]
    assert [r.name for r in poetry.direct] == ["mylib"]
    uv = python_manifests.parse_toml_lock(
        "uv.lock",
        _text(
            """
            version = 1

            [[package]]
            name = "svc"
            version = "1.0.0"
            source = { editable = "." }

            [[package]]
            name = "idna"
            version = "2.7"
            source = { registry = "https://pypi.example/simple" }
            """
        ),
    )
    assert [(r.name, r.version, r.line) for r in uv.pinned] == [("idna", "2.7", 9)]
    pipfile = python_manifests.parse_pipfile_lock(
        "Pipfile.lock",
        _text(
            """
            {
                "_meta": {"hash": {"sha256": "x"}},
                "default": {
                    "certifi": {"version": "==2018.10.15"},
                    "lib": {"git": "https://git.example/lib.git"}
                },
                "develop": {
                    "certifi": {"version": "==2024.2.2"}
                }
            }
            """
        ),
    )
    assert [(r.name, r.version, r.line, r.dev) for r in pipfile.pinned] == [
        ("certifi", "2018.10.15", 4, False),
        ("certifi", "2024.2.2", 8, True),
    ]
    broken = python_manifests.parse_pipfile_lock("Pipfile.lock", "{")
    assert broken.problems and broken.problems[0][1].startswith("invalid JSON")


def test_which_files_are_install_manifests(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a/pyproject.toml": '[project]\ndependencies = ["flask>=3"]\n',
            "a/requirements.txt": "flask==3.0.0\n",
            "b/pyproject.toml": '[project]\ndependencies = ["flask>=3"]\n',
            "c/pyproject.toml": '[project]\ndependencies = ["flask>=3"]\n',
            "c/poetry.lock": '[[package]]\nname = "flask"\nversion = "3.0.0"\n',
            "d/pyproject.toml": '[project]\ndependencies = ["flask>=3"]\n',
            "d/requirements/prod.txt": "flask==3.0.0\n",
            "e/pyproject.toml": '[project]\nname = "tool-without-dependencies"\n',
            "notes.txt": "not a manifest\n",
        },
    )
    chosen, superseded = dependencies.manifest_paths(Repo(tmp_path))
    assert chosen == [
        "a/requirements.txt",
        "b/pyproject.toml",
        "c/poetry.lock",
        "d/requirements/prod.txt",
        "e/pyproject.toml",
    ]
    assert superseded == ["a/pyproject.toml", "c/pyproject.toml", "d/pyproject.toml"]
    assert [m.path for m in dependencies.manifests(Repo(tmp_path))] == chosen[:-1]


def test_layers_never_hold_two_versions_of_one_package() -> None:
    first = python_manifests.parse_requirements("a.txt", "requests==2.19.0\nflask==3.0.0\n")
    second = python_manifests.parse_requirements("b.txt", "requests==2.20.0\nFlask==3.0.0\n")
    assert python_report.layers([first, second]) == [
        [("requests", "2.19.0"), ("flask", "3.0.0")],
        [("requests", "2.20.0")],
    ]


def test_package_lock_v3_and_v1() -> None:
    v3 = node_locks.parse(
        "package-lock.json",
        (Path(__file__).parent / "fixtures" / "npm-lock" / "package-lock.json").read_text(),
    )
    assert [(p.name, p.version, p.line, p.dev) for p in v3.packages] == [
        ("@babel/traverse", "7.23.0", 18, True),
        ("lodash", "4.17.11", 23, False),
        ("ms", "2.1.3", 27, False),
    ]
    v1 = node_locks.parse(
        "package-lock.json",
        _text(
            """
            {
              "lockfileVersion": 1,
              "dependencies": {
                "express": {
                  "version": "4.16.0",
                  "dependencies": {
                    "qs": {"version": "6.5.1"}
                  }
                },
                "local": {"version": "file:../local"}
              }
            }
            """
        ),
    )
    assert [(p.name, p.version, p.line, p.node) for p in v1.packages] == [
        ("express", "4.16.0", 4, "node_modules/express"),
        ("qs", "6.5.1", 7, "node_modules/express/node_modules/qs"),
    ]
    assert node_locks.parse("package-lock.json", "[").problem is not None


def test_yarn_and_pnpm_locks() -> None:
    classic = node_locks.parse_yarn(
        "yarn.lock",
        _text(
            """
            # yarn lockfile v1

            "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
              version "7.12.13"
              resolved "https://registry.example/x.tgz"

            lodash@^4.17.0:
              version "4.17.11"
            """
        ),
    )
    assert [(p.name, p.version, p.line) for p in classic.packages] == [
        ("@babel/code-frame", "7.12.13", 3),
        ("lodash", "4.17.11", 7),
    ]
    berry = node_locks.parse_yarn(
        "yarn.lock",
        _text(
            """
            __metadata:
              version: 6

            "lodash@npm:^4.17.0":
              version: 4.17.11
              resolution: "lodash@npm:4.17.11"

            "app@workspace:.":
              version: 0.0.0-use.local
            """
        ),
    )
    assert [(p.name, p.version, p.line) for p in berry.packages] == [("lodash", "4.17.11", 4)]
    pnpm = node_locks.parse_pnpm(
        "pnpm-lock.yaml",
        _text(
            """
            lockfileVersion: '6.0'
            dependencies:
              lodash:
                specifier: 4.17.11
                version: 4.17.11
            packages:
              /lodash@4.17.11:
                resolution: {integrity: sha512-x}
              /@babel/traverse@7.23.0(supports-color@5.5.0):
                resolution: {integrity: sha512-y}
              /ms/2.1.3:
                resolution: {integrity: sha512-z}
            """
        ),
    )
    assert [(p.name, p.version, p.line) for p in pnpm.packages] == [
        ("lodash", "4.17.11", 7),
        ("@babel/traverse", "7.23.0", 9),
        ("ms", "2.1.3", 11),
    ]


def test_go_mod_directives_requirements_and_replacements() -> None:
    mod = gomod.parse(
        "go.mod",
        _text(
            """
            module github.com/example/svc // the service

            go 1.22

            toolchain go1.22.5

            require github.com/redis/go-redis/v9 v9.5.1

            require (
                golang.org/x/crypto v0.17.0 // indirect
                golang.org/x/text v0.14.0
                example.com/local v1.0.0
            )

            replace golang.org/x/text v0.14.0 => golang.org/x/text v0.21.0
            replace example.com/local => ../local
            """
        ),
    )
    assert (mod.module, mod.go, mod.go_line, mod.toolchain, mod.toolchain_line) == (
        "github.com/example/svc",
        "1.22",
        3,
        "go1.22.5",
        5,
    )
    assert mod.minimum_go() == ("1.22.5", 5)
    assert [(r.module, r.version, r.line, r.indirect) for r in mod.requires] == [
        ("github.com/redis/go-redis/v9", "v9.5.1", 7, False),
        ("golang.org/x/crypto", "v0.17.0", 10, True),
        ("golang.org/x/text", "v0.14.0", 11, False),
        ("example.com/local", "v1.0.0", 12, False),
    ]
    assert [(r.module, r.version, r.line) for r in mod.selected()] == [
        ("github.com/redis/go-redis/v9", "v9.5.1", 7),
        ("golang.org/x/crypto", "v0.17.0", 10),
        ("golang.org/x/text", "v0.21.0", 11),
    ]
    assert gomod.parse("go.mod", "module m\n\ngo 1.19\n").minimum_go() == ("1.19", 3)
