"""The release machinery (docs/releasing.md): the workflows, scripts/release_action.py, and the
Dockerfile's pins.

The workflows are checked the way GitHub reads them, offline: actionlint (its binary ships in the
wheel of the dev extra) and GitHub's workflow and action JSON Schemas as vendored in
check-jsonschema. Both run with an unreachable proxy in their environment, so a tool that tried
the network would fail here instead of quietly passing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
IMAGE = "ghcr.io/acme/readiness:1.2.3"
DIGEST = "sha256:" + "ab" * 32
REFERENCE = f"docker://{IMAGE}@{DIGEST}"
# The Dockerfile's build args that state pyproject's `scanners` pins, by distribution name.
SCANNER_ARGS = {"semgrep": "SEMGREP_VERSION", "pip-audit": "PIP_AUDIT_VERSION", "safety": "SAFETY_VERSION"}
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def _load_release_action() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_action", ROOT / "scripts" / "release_action.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release_action = _load_release_action()


def tool(name: str) -> str:
    """A command of the dev extra: beside this interpreter (the project venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]' (scripts/setup.sh does)")
    return found


def run_offline(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    proxies = {key.lower(): value for key, value in OFFLINE.items()} | OFFLINE
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env={**os.environ, **proxies},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_workflow(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def dockerfile_args() -> dict[str, str]:
    args: dict[str, str] = {}
    for name, value in re.findall(r"^ARG ([A-Za-z_][A-Za-z0-9_]*)=(\S*)$", DOCKERFILE, re.M):
        assert name not in args, f"ARG {name} has two defaults"
        args[name] = value
    return args


# -- the workflows, as GitHub reads them ------------------------------------------------------------


def test_there_is_a_release_workflow() -> None:
    assert RELEASE in WORKFLOWS
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "readiness.yml", "release.yml"}


def test_workflows_pass_actionlint() -> None:
    # shellcheck checks the run: scripts when it is installed; pyflakes is not used (no Python steps).
    result = run_offline(tool("actionlint"), "-no-color", "-pyflakes=", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_match_githubs_schema() -> None:
    result = run_offline(
        tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_metadata_matches_githubs_schema_before_and_after_a_release(tmp_path: Path) -> None:
    released = tmp_path / "action.yml"
    shutil.copyfile(ROOT / "action.yml", released)
    release_action.release(released, IMAGE, DIGEST)
    result = run_offline(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.github-actions",
        str(ROOT / "action.yml"),
        str(released),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_runs_on_full_version_tags_only() -> None:
    trigger = load_workflow(RELEASE)["on"]
    assert set(trigger) == {"push"} and set(trigger["push"]) == {"tags"}
    patterns = [_github_filter(pattern) for pattern in trigger["push"]["tags"]]

    def runs(tag: str) -> bool:
        return any(pattern.fullmatch(tag) for pattern in patterns)

    assert runs("v1.2.3") and runs("v0.1.0") and runs("v10.20.30")
    # Moving the major tag must not start a release again; neither do branches or other tags.
    assert not any(runs(tag) for tag in ("v1", "v1.2", "1.2.3", "va.b.c", "v1.2.3/x", "latest"))


def _github_filter(pattern: str) -> re.Pattern[str]:
    """GitHub's filter pattern syntax (the part of it the workflow may use) as a regex."""
    out = []
    for char in re.findall(r"\[[^\]]*\]|\*\*|.", pattern):
        if char.startswith("["):
            out.append(char)
        elif char == "**":
            out.append(".*")
        elif char == "*":
            out.append("[^/]*")
        elif char in "+?":
            out.append(char)
        else:
            out.append(re.escape(char))
    return re.compile("".join(out))


def test_release_jobs_have_the_least_permissions() -> None:
    workflow = load_workflow(RELEASE)
    assert workflow["permissions"] == {}, "nothing by default: each job says what it needs"
    jobs = workflow["jobs"]
    assert set(jobs) == {"image", "dist", "publish"}
    assert jobs["image"]["permissions"] == {"contents": "write", "packages": "write"}
    assert jobs["dist"]["permissions"] == {"contents": "read"}
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    for name, job in jobs.items():
        if name != "publish":
            assert "id-token" not in job["permissions"], f"{name} must not mint OIDC tokens"


def test_publish_job_uses_trusted_publishing_after_the_image() -> None:
    publish = load_workflow(RELEASE)["jobs"]["publish"]
    assert set(publish["needs"]) == {"image", "dist"}, "no package without its image"
    assert publish["environment"], "an environment the trusted publisher is bound to"
    assert isinstance(publish["environment"], str), "only a name: no URL of the package index"
    (step,) = [
        step for step in publish["steps"] if step.get("uses", "").startswith("pypa/gh-action-pypi-publish@")
    ]
    assert not step.get("with"), "the default target and no password: trusted publishing"
    assert "secrets." not in RELEASE.read_text(encoding="utf-8").split("\n  publish:", 1)[1]


def test_dist_job_builds_and_checks_both_distributions() -> None:
    dist = load_workflow(RELEASE)["jobs"]["dist"]
    script = "\n".join(step.get("run", "") for step in dist["steps"])
    assert "python -m build" in script
    assert "twine check --strict dist/*" in script


def test_image_job_pushes_the_version_and_pins_action_yml_by_digest() -> None:
    steps = load_workflow(RELEASE)["jobs"]["image"]["steps"]
    (build,) = [step for step in steps if step.get("uses", "").startswith("docker/build-push-action@")]
    assert build["with"]["push"] is True
    assert build["with"]["tags"] == "${{ steps.names.outputs.image }}:${{ steps.names.outputs.version }}"
    assert "GO_SOURCE=download" in build["with"]["build-args"]
    script = "\n".join(step.get("run", "") for step in steps)
    assert 'echo "image=ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/readiness"' in script
    assert 'scripts/release_action.py action.yml "$IMAGE" "$DIGEST"' in script
    assert 'git push --force origin "refs/tags/$TAG" "refs/tags/$MAJOR"' in script
    (pin,) = [step for step in steps if step.get("id") == "pin"]
    assert pin["env"]["DIGEST"] == "${{ steps.build.outputs.digest }}"


def _uses() -> Iterator[tuple[str, str]]:
    for path in WORKFLOWS:
        for job in load_workflow(path)["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    yield path.name, step["uses"]


def test_actions_are_pinned_by_commit_or_major_version() -> None:
    for name, uses in _uses():
        if uses.startswith("./"):
            continue
        ref = uses.partition("@")[2]
        assert re.fullmatch(r"[0-9a-f]{40}|v[0-9]+|release/v[0-9]+", ref), f"{name}: {uses}"


# -- scripts/release_action.py --------------------------------------------------------------------


def test_main_keeps_building_the_dockerfile() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}


def test_rewrites_the_image_line_and_keeps_every_other_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = (ROOT / "action.yml").read_bytes()
    action = tmp_path / "action.yml"
    action.write_bytes(original)
    assert release_action.main([str(action), IMAGE, DIGEST]) == 0
    assert capsys.readouterr().out == f"image: {REFERENCE}\n"
    before, after = original.splitlines(keepends=True), action.read_bytes().splitlines(keepends=True)
    assert len(before) == len(after)
    changed = [number for number, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    assert len(changed) == 1
    assert before[changed[0]] == b"  image: Dockerfile\n"
    assert after[changed[0]] == f"  image: {REFERENCE}\n".encode()
    assert yaml.safe_load(action.read_text(encoding="utf-8"))["runs"] == {
        "using": "docker",
        "image": REFERENCE,
    }


def test_rewrites_an_earlier_release(tmp_path: Path) -> None:
    original = (ROOT / "action.yml").read_bytes()
    action = tmp_path / "action.yml"
    action.write_bytes(original)
    release_action.release(action, IMAGE, DIGEST)
    later = "sha256:" + "cd" * 32
    line = release_action.release(action, "ghcr.io/acme/readiness:1.2.4", later)
    assert line == f"  image: docker://ghcr.io/acme/readiness:1.2.4@{later}"
    assert action.read_bytes() == original.replace(
        b"image: Dockerfile", f"image: {line.strip()[7:]}".encode()
    )


def test_keeps_line_endings_indentation_and_a_trailing_comment() -> None:
    text = (
        "name: x\r\ndescription: y\r\nruns:\r\n    using: 'docker'\r\n"
        '    image: "Dockerfile"   # built on each run\r\n    args: ["a"]\r\n'
    )
    new_text, line = release_action.rewrite(text, REFERENCE)
    assert line == f"    image: {REFERENCE}   # built on each run"
    assert new_text == text.replace('"Dockerfile"', REFERENCE)


@pytest.mark.parametrize(
    "image",
    [
        "Dockerfile.release",
        "./Dockerfile",
        "docker/Dockerfile",
        "docker://Ghcr.io/acme/readiness:1",
        "docker://ghcr.io/acme/readiness:1@sha256:abc",
        "docker://ghcr.io/acme/readiness:1;curl",
        "${{ inputs.image }}",
    ],
)
def test_refuses_an_unexpected_image_line(
    tmp_path: Path, image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    action = tmp_path / "action.yml"
    text = f"name: x\ndescription: y\nruns:\n  using: docker\n  image: '{image}'\n"
    action.write_text(text, encoding="utf-8")
    assert release_action.main([str(action), IMAGE, DIGEST]) == 1
    assert "refusing to replace it" in capsys.readouterr().err
    assert action.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("runs:\n  using: node24\n  main: index.js\n", "not a Docker container action"),
        ("runs:\n  using: docker\n", "found 0"),
        ("runs:\n  using: docker\n  image: Dockerfile\n  image: Dockerfile\n", "found 2"),
        # An image: elsewhere (here an input's default) is not the action's image.
        ("inputs:\n  x:\n    image: Dockerfile\nruns:\n  using: docker\n", "found 0"),
    ],
)
def test_refuses_a_file_that_is_not_one_docker_action(text: str, message: str) -> None:
    with pytest.raises(release_action.ReleaseError, match=message):
        release_action.rewrite(text, REFERENCE)


@pytest.mark.parametrize(
    ("image", "digest"),
    [
        ("ghcr.io/Acme/readiness:1.2.3", DIGEST),  # registries take lower-case names only
        ("ghcr.io/acme/readiness", DIGEST),  # no tag
        (f"ghcr.io/acme/readiness:1.2.3@{DIGEST}", DIGEST),  # the digest goes on its own
        (f"docker://{IMAGE}", DIGEST),
        (IMAGE, "ab" * 32),  # the algorithm is part of the digest
        (IMAGE, "sha256:" + "AB" * 32),
        (IMAGE, "sha256:abc"),
        (IMAGE, "sha512:" + "ab" * 64),
    ],
)
def test_refuses_malformed_arguments(tmp_path: Path, image: str, digest: str) -> None:
    action = tmp_path / "action.yml"
    shutil.copyfile(ROOT / "action.yml", action)
    with pytest.raises(release_action.ReleaseError):
        release_action.release(action, image, digest)
    assert action.read_bytes() == (ROOT / "action.yml").read_bytes()


def test_command_line_as_the_workflow_runs_it(tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    shutil.copyfile(ROOT / "action.yml", action)
    script = ROOT / "scripts" / "release_action.py"
    result = subprocess.run(
        [sys.executable, "-I", str(script), str(action), IMAGE, DIGEST],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, f"image: {REFERENCE}\n", "")
    again = subprocess.run(
        [sys.executable, "-I", str(script), str(action), "not a reference", DIGEST],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1 and again.stderr.startswith("release_action: image 'not a reference'")


# -- the Dockerfile's pins --------------------------------------------------------------------------


def test_dockerfile_states_exactly_the_scanner_pins_of_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins: dict[str, str] = {}
    for line in pyproject["project"]["optional-dependencies"]["scanners"]:
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{line}: the scanners extra pins exact versions"
        pins[requirement.name] = specifier.version
    assert set(pins) == set(SCANNER_ARGS), "every pinned scanner has a build arg and a label"
    args = dockerfile_args()
    assert {name: args[arg] for name, arg in SCANNER_ARGS.items()} == pins
    # The image installs the extra itself; no scanner is pinned anywhere else in the Dockerfile.
    assert '"/src[scanners]"' in DOCKERFILE
    for name in pins:
        assert not re.search(rf"{re.escape(name)}==", DOCKERFILE), f"{name} pinned in the Dockerfile"


def test_dockerfile_labels_every_tool_version() -> None:
    labels = dict(re.findall(r"(readiness\.[a-z.-]+)=\"([^\"]*)\"", DOCKERFILE))
    for name, arg in SCANNER_ARGS.items():
        assert labels[f"readiness.scanner.{name}.version"] == f"${{{arg}}}"
    # Each Go stage labels its own toolchain and govulncheck.
    download = DOCKERFILE[DOCKERFILE.index("AS go-download") : DOCKERFILE.index("AS go-debian")]
    debian = DOCKERFILE[DOCKERFILE.index("AS go-debian") : DOCKERFILE.index("FROM go-${GO_SOURCE}")]
    assert 'readiness.scanner.go.version="${GO_VERSION}"' in download
    assert 'readiness.scanner.govulncheck.version="${GOVULNCHECK_VERSION}"' in download
    assert 'readiness.go.source="download"' in download
    assert 'readiness.scanner.go.version="${DEBIAN_GO_VERSION}"' in debian
    assert 'readiness.scanner.govulncheck.version="${DEBIAN_GOVULNCHECK_VERSION}"' in debian
    assert 'readiness.go.source="debian"' in debian


def test_go_is_pinned_for_both_sources() -> None:
    args = dockerfile_args()
    assert args["GO_SOURCE"] == "download", "GitHub's runners download Go"
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", args["GO_VERSION"])
    # A checksum passed at build time is enforced; without one, the archive is checked against
    # the checksum of Go's own release index (never skipped).
    assert re.fullmatch(r"(?:[0-9a-f]{64})?", args["GO_SHA256"])
    assert 'sha256="${GO_SHA256}"' in DOCKERFILE and "mode=json&include=all" in DOCKERFILE
    assert re.fullmatch(r"v[0-9]+\.[0-9]+\.[0-9]+", args["GOVULNCHECK_VERSION"])
    assert "sha256sum -c -" in DOCKERFILE
    assert '"golang.org/x/vuln/cmd/govulncheck@${GOVULNCHECK_VERSION}"' in DOCKERFILE
    for arg in ("DEBIAN_GOLANG_GO_VERSION", "DEBIAN_GO_VERSION", "DEBIAN_GOVULNCHECK_VERSION"):
        assert args[arg], arg
    assert '"govulncheck=${DEBIAN_GOVULNCHECK_VERSION}"' in DOCKERFILE
    assert re.search(r"^FROM go-\$\{GO_SOURCE\}$", DOCKERFILE, re.M)
    assert re.search(r"^ARG BASE_IMAGE=\S+$", DOCKERFILE, re.M)


def test_build_image_script_builds_the_debian_variant() -> None:
    script = (ROOT / "scripts" / "build-image.sh").read_text(encoding="utf-8")
    assert "--build-arg GO_SOURCE=debian" in script, "only Debian's mirrors are reachable there"
