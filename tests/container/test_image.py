"""The action's container image, built and run the way GitHub's runner runs a Docker action.

The image is built by scripts/build-image.sh (buildah from a debootstrap-made Debian base: no
Docker engine and no registry needed) and run with ``buildah run``, as the runner runs it: the
workspace mounted at /github/workspace, which is the working directory and belongs to another
uid than the container's root; GITHUB_OUTPUT and GITHUB_STEP_SUMMARY under /github/file_commands;
the event payload at /github/workflow/event.json; HOME at /github/home; every input of action.yml
as INPUT_<NAME> with its hyphens kept; the image's own ENTRYPOINT. Everything runs offline: the
scanners get local advisory sources, GitHub is the fake on loopback.

Slow (the first build on a machine makes the base with debootstrap, then pip installs the
scanners: a few minutes). Skipped only where buildah is missing outside CI; CI installs it
(.ci/run). READINESS_TEST_IMAGE=<image> reuses an image already built, for quick iterations.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import shared_data
from tests.github.fake_github import FakeGitHub
from tests.scanners import offline

ROOT = Path(__file__).resolve().parents[2]
EVENT = shared_data.data("github/events/pull_request.opened.1.json")
STORAGE = os.environ.get("BUILDAH_STORAGE_DRIVER", "vfs")
PINNED = {"semgrep": "1.185.0", "pip-audit": "2.10.1", "safety": "3.8.1"}
ENTRYPOINT = ["/opt/readiness/bin/python", "/entrypoint.py"]
RUNNER_UID = 1001  # the `runner` user of GitHub's hosted runners owns the checkout

pytestmark = [
    pytest.mark.slow,
    pytest.mark.container,
    pytest.mark.skipif(
        shutil.which("buildah") is None and not os.environ.get("CI"),
        reason="buildah is not installed (apt-get install buildah debootstrap); CI always runs this",
    ),
]


def buildah(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["buildah", "--storage-driver", STORAGE, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def tail(result: subprocess.CompletedProcess[str], limit: int = 6000) -> str:
    out, err = result.stdout[-limit:], result.stderr[-limit:]
    return f"exit {result.returncode}\n--- stdout\n{out}\n--- stderr\n{err}"


@dataclass(frozen=True)
class Container:
    """One working container of the image; each run is one ``buildah run``, like a ``docker run``.

    Made once per module: with the vfs storage driver a container is a full copy of the image.
    Whatever a run writes goes to the mounted directories, as on the runner.
    """

    name: str

    def run(
        self,
        command: Sequence[str],
        *,
        mounts: Mapping[Path, str] | None = None,
        env: Mapping[str, str] | None = None,
        workdir: str = "/github/workspace",
        timeout: float = 900,
    ) -> subprocess.CompletedProcess[str]:
        args = ["run", "--isolation", "chroot", "--network", "host", "--workingdir", workdir]
        for host, inside in (mounts or {}).items():
            args += ["--volume", f"{host}:{inside}"]
        for name, value in (env or {}).items():
            args += ["--env", f"{name}={value}"]
        return buildah(*args, self.name, "--", *command, timeout=timeout)


@dataclass(frozen=True)
class Runner:
    """The host side of the directories GitHub's runner mounts into a container action."""

    workspace: Path
    file_commands: Path
    workflow: Path
    home: Path
    temp: Path
    output_name: str
    summary_name: str

    @property
    def mounts(self) -> dict[Path, str]:
        return {
            self.workspace: "/github/workspace",
            self.file_commands: "/github/file_commands",
            self.workflow: "/github/workflow",
            self.home: "/github/home",
            self.temp: "/github/runner_temp",
        }

    def outputs(self) -> dict[str, str]:
        return parse_outputs((self.file_commands / self.output_name).read_text(encoding="utf-8"))

    def summary(self) -> str:
        return (self.file_commands / self.summary_name).read_text(encoding="utf-8")

    def env(self, api_url: str, inputs: Mapping[str, str]) -> dict[str, str]:
        """The environment the runner gives a Docker action on a pull_request event."""
        event = json.loads((self.workflow / "event.json").read_text(encoding="utf-8"))
        pull = event["pull_request"]
        env = {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "HOME": "/github/home",
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": "/github/runner_temp",
            "GITHUB_WORKSPACE": "/github/workspace",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": "/github/workflow/event.json",
            "GITHUB_OUTPUT": f"/github/file_commands/{self.output_name}",
            "GITHUB_STEP_SUMMARY": f"/github/file_commands/{self.summary_name}",
            "GITHUB_REPOSITORY": event["repository"]["full_name"],
            "GITHUB_SHA": git_head(self.workspace),  # the checkout: the PR's merge commit
            "GITHUB_REF": f"refs/pull/{pull['number']}/merge",
            "GITHUB_HEAD_REF": pull["head"]["ref"],
            "GITHUB_BASE_REF": pull["base"]["ref"],
            "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_API_URL": api_url,
            "GITHUB_SERVER_URL": "https://github.com",
        }
        # The runner passes every input of action.yml, with its default when the workflow sets none.
        action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
        for name, spec in action["inputs"].items():
            value = inputs.get(name, str((spec or {}).get("default", "")))
            env[f"INPUT_{name.upper().replace(' ', '_')}"] = value
        return env


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's two forms: ``name=value`` and ``name<<DELIMITER`` … ``DELIMITER``."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            for body in lines:
                if body == delimiter:
                    break
                value.append(body)
            else:
                raise AssertionError(f"output {name!r}: no closing delimiter {delimiter!r}")
            outputs[name] = "\n".join(value)
        elif line:
            name, value_text = line.split("=", 1)
            outputs[name] = value_text
    return outputs


def git(repository: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", f"safe.directory={repository}", "-C", str(repository), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def git_head(repository: Path) -> str:
    return git(repository, "rev-parse", "HEAD")


def chown_tree(top: Path, uid: int) -> None:
    for path in [top, *top.rglob("*")]:
        os.lchown(path, uid, uid)


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def image() -> str:
    given = os.environ.get("READINESS_TEST_IMAGE")
    if given:
        return given
    name = "localhost/readiness-action:test"
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-image.sh")],
        env={**os.environ, "IMAGE": name},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, f"scripts/build-image.sh failed:\n{tail(result)}"
    return name


@pytest.fixture(scope="module")
def image_config(image: str) -> dict[str, Any]:
    result = buildah("inspect", "--type", "image", image)
    assert result.returncode == 0, tail(result)
    config: dict[str, Any] = json.loads(result.stdout)["OCIv1"]["config"]
    return config


@pytest.fixture(scope="module")
def container(image: str) -> Iterator[Container]:
    result = buildah("from", "--quiet", "--pull=never", image)
    assert result.returncode == 0, tail(result)
    made = Container(result.stdout.strip().splitlines()[-1])
    try:
        yield made
    finally:
        buildah("rm", made.name)


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    """A checkout of the No-Go example owned by the runner's uid, and the runner's other mounts."""
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "examples" / "adtech-exchange", workspace)
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(workspace, "-c", "user.name=ci", "-c", "user.email=ci@example.invalid", "commit", "-qm", "checkout")
    made = Runner(
        workspace=workspace,
        file_commands=tmp_path / "file_commands",
        workflow=tmp_path / "workflow",
        home=tmp_path / "home",
        temp=tmp_path / "runner_temp",
        output_name=f"set_output_{uuid.uuid4()}",
        summary_name=f"step_summary_{uuid.uuid4()}",
    )
    for directory in (made.file_commands, made.workflow, made.home, made.temp):
        directory.mkdir()
    (made.file_commands / made.output_name).touch()
    (made.file_commands / made.summary_name).touch()
    shutil.copyfile(EVENT, made.workflow / "event.json")
    if os.geteuid() == 0:
        chown_tree(workspace, RUNNER_UID)
    return made


@pytest.fixture
def osv_url(tmp_path: Path) -> Iterator[str]:
    """A local OSV API serving the PyPA advisories of requests (pip-audit's source, offline)."""
    from tests.scanners.osv_server import OsvIndex, OsvServer

    advisories = tmp_path / "advisories"
    advisories.mkdir()
    if not shared_data.has_shared(offline.PYPA):  # tests/data's few advisories
        shutil.copytree(offline.LOCAL / "pypa" / "requests", advisories, dirs_exist_ok=True)
    else:
        with tarfile.open(shared_data.shared(offline.PYPA)) as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.startswith("vulns/requests/"):
                    data = archive.extractfile(member).read()  # type: ignore[union-attr]
                    (advisories / Path(member.name).name).write_bytes(data)
    with OsvServer(OsvIndex.load(advisories)) as server:
        yield server.url


def _go_osv_entries() -> Iterator[dict[str, Any]]:
    if not shared_data.has_shared(offline.GO):
        for path in sorted((offline.LOCAL / "go").glob("*.json")):
            yield json.loads(path.read_text(encoding="utf-8"))
        return
    with tarfile.open(shared_data.shared(offline.GO)) as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.endswith(".json"):
                yield json.loads(archive.extractfile(member).read())  # type: ignore[union-attr]


def legacy_go_vulndb(directory: Path) -> None:
    """A Go vulnerability database of the standard library in the layout Debian's govulncheck
    reads (index.json, stdlib.json, ID/<id>.json, aliases.json), from the shared OSV entries (else
    tests/data's few)."""
    entries: list[dict[str, Any]] = []
    for entry in _go_osv_entries():
        if any(a.get("package", {}).get("name") == "stdlib" for a in entry.get("affected", [])):
            entries.append(entry)
    (directory / "ID").mkdir(parents=True)
    aliases: dict[str, list[str]] = {}
    for entry in entries:
        (directory / "ID" / f"{entry['id']}.json").write_text(json.dumps(entry))
        for alias in entry.get("aliases", []):
            aliases.setdefault(alias, []).append(entry["id"])
    (directory / "stdlib.json").write_text(json.dumps(entries))
    (directory / "aliases.json").write_text(json.dumps(aliases))
    (directory / "index.json").write_text(json.dumps({"stdlib": max(e["modified"] for e in entries)}))


# -- the image ------------------------------------------------------------------------------------


def test_image_follows_githubs_rules_for_docker_actions(image_config: dict[str, Any]) -> None:
    assert not image_config.get("User"), "no USER: the runner starts the container as root"
    assert not image_config.get("WorkingDir"), "no WORKDIR: the runner sets /github/workspace"
    assert image_config["Entrypoint"] == ENTRYPOINT, "the ENTRYPOINT in exec form"
    env = dict(item.split("=", 1) for item in image_config["Env"])
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["SEMGREP_ENABLE_VERSION_CHECK"] == "0"
    assert env["SEMGREP_SEND_METRICS"] == "off"


def test_tools_in_the_image(container: Container, runner: Runner) -> None:
    script = r"""
set -e
semgrep --version
pip-audit --version
/opt/readiness/bin/python -c 'import importlib.metadata as m; print("safety", m.version("safety"))'
go version
test -x "$(command -v govulncheck)" && echo "govulncheck $(command -v govulncheck)"
for tool in semgrep pip-audit safety readiness; do echo "link $tool $(readlink /usr/local/bin/$tool)"; done
/opt/readiness/bin/python -c 'import readiness; print("package", readiness.__file__)'
echo "head $(git -C /github/workspace rev-parse HEAD)"
echo "cwd $(pwd)"
"""
    result = container.run(["sh", "-c", script], mounts=runner.mounts)
    assert result.returncode == 0, tail(result)
    lines = result.stdout.splitlines()
    assert PINNED["semgrep"] in lines
    assert f"pip-audit {PINNED['pip-audit']}" in lines
    assert f"safety {PINNED['safety']}" in lines
    assert any(line.startswith("go version go1.") for line in lines)
    assert any(line.startswith("govulncheck /") for line in lines)
    # The scanners share readiness's one virtual environment (its scanners extra), linked into /usr/local/bin.
    assert "link semgrep /opt/readiness/bin/semgrep" in lines
    assert "link pip-audit /opt/readiness/bin/pip-audit" in lines
    assert "link safety /opt/readiness/bin/safety" in lines
    assert "link readiness /opt/readiness/bin/readiness" in lines
    # readiness is installed into its venv (not an editable checkout of /src).
    package = next(line for line in lines if line.startswith("package "))
    assert package.startswith("package /opt/readiness/lib/python3.")
    assert "/site-packages/readiness/" in package
    # The checkout belongs to the runner's uid, not root: git works thanks to safe.directory.
    assert f"head {git_head(runner.workspace)}" in lines
    assert "cwd /github/workspace" in lines
    # Input names keep their hyphens (the runner execs the entrypoint directly; a shell would drop them).
    probe = "import os; print(os.environ['INPUT_FAIL-ON'])"
    result = container.run(["/opt/readiness/bin/python", "-c", probe], env={"INPUT_FAIL-ON": "risk"})
    assert result.returncode == 0 and result.stdout.strip() == "risk", tail(result)


PIP_AUDIT_OFFLINE = (
    "pip-audit -r /github/runner_temp/requirements.txt --disable-pip --no-deps"
    " -s osv -f json --progress-spinner off"
)


def test_pip_audit_runs_offline_in_the_image(container: Container, runner: Runner, osv_url: str) -> None:
    (runner.temp / "requirements.txt").write_text("requests==2.19.0\n")
    result = container.run(
        [*PIP_AUDIT_OFFLINE.split(), "--osv-url", osv_url],
        mounts=runner.mounts,
        env={"HOME": "/github/home"},
    )
    assert result.returncode == 1, tail(result)  # 1: vulnerabilities found
    report = json.loads(result.stdout)
    (dependency,) = report["dependencies"]
    assert (dependency["name"], dependency["version"]) == ("requests", "2.19.0")
    assert "PYSEC-2018-28" in {vuln["id"] for vuln in dependency["vulns"]}


def test_govulncheck_runs_offline_in_the_image(container: Container, runner: Runner) -> None:
    legacy_go_vulndb(runner.temp / "govulndb")
    module = runner.temp / "hello"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/hello\n\ngo 1.19\n")
    (module / "main.go").write_text(
        'package main\n\nimport "net/http"\n\nfunc main() {\n'
        '\thttp.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(nil) })\n'
        '\t_ = http.ListenAndServe(":8080", nil)\n}\n'
    )
    result = container.run(
        ["govulncheck", "-json", "./..."],
        mounts=runner.mounts,
        env={
            "HOME": "/github/home",
            "GOVULNDB": "file:///github/runner_temp/govulndb",
            "GOPROXY": "off",
            "GOFLAGS": "-mod=mod",
        },
        workdir="/github/runner_temp/hello",
    )
    assert result.returncode in (0, 3), tail(result)
    vulns = json.loads(result.stdout)["Vulns"]
    called = [
        v["OSV"]["id"] for v in vulns if any(p.get("CallStacks") for m in v["Modules"] for p in m["Packages"])
    ]
    assert vulns and called, "Go 1.19's net/http has advisories reachable from ListenAndServe"


def test_readiness_scan_in_the_image_drives_the_scanners(container: Container, runner: Runner) -> None:
    result = container.run(
        [
            "readiness",
            "scan",
            "/github/workspace",
            "--json",
            "/github/runner_temp/assessment.json",
            "--output-dir",
            "/github/runner_temp/reports",
            "--no-checkpoint",
        ],
        mounts=runner.mounts,
        env={"HOME": "/github/home"},
    )
    assert result.returncode == 1, tail(result)  # the example is No-Go
    assessment = json.loads((runner.temp / "assessment.json").read_text(encoding="utf-8"))
    assert assessment["verdict"] == "no-go"
    assert list((runner.temp / "reports").glob("*-production-readiness.md"))
    runs = {run["name"]: run for run in assessment["scanners"]}
    assert runs["semgrep"]["status"] == "ok", runs["semgrep"]
    assert runs["semgrep"]["version"] == PINNED["semgrep"]
    # Scanners the image has but cannot use offline are reported, never counted as passes.
    if "pip-audit" in runs:
        assert runs["pip-audit"]["version"] == PINNED["pip-audit"], runs["pip-audit"]
    if "govulncheck" in runs:
        assert runs["govulncheck"]["version"], runs["govulncheck"]
    if "safety" in runs:  # no SAFETY_API_KEY here
        assert runs["safety"]["status"] in ("skipped", "not-assessed"), runs["safety"]


# -- the action, as the runner runs it -------------------------------------------------------------


def test_action_without_a_token_fails_the_no_go_example_and_writes_its_outputs(
    container: Container, runner: Runner
) -> None:
    env = runner.env("https://api.github.com", {"github-token": ""})
    result = container.run(ENTRYPOINT, mounts=runner.mounts, env=env)
    assert result.returncode == 1, tail(result)
    outputs = runner.outputs()
    assert outputs["verdict"] == "no-go"
    assert int(outputs["blockers"]) > 0
    assert int(outputs["risks"]) >= 0
    assert outputs["comment-url"] == ""
    report = runner.workspace / outputs["report-path"]
    assert outputs["report-path"].startswith("reports/") and report.is_file()
    assert f"📄 Report saved to: {outputs['report-path']}" in result.stdout
    sarif = json.loads((runner.workspace / outputs["sarif-path"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert (runner.workspace / "reports" / "comment.md").is_file(), "kept for the fork pattern"
    assert runner.summary().strip(), "the job summary carries the scorecard"
    # Without a token, results go to annotations (workflow commands on stdout).
    assert "::warning::no github-token" in result.stdout
    assert any(line.startswith("::error file=") for line in result.stdout.splitlines())


def test_action_publishes_to_github(container: Container, runner: Runner, osv_url: str) -> None:
    event = json.loads(EVENT.read_text(encoding="utf-8"))
    pull = event["pull_request"]
    repository = event["repository"]["full_name"]
    with FakeGitHub() as github:
        github.add_repo(repository)
        github.add_pull(
            pull["number"],
            head_sha=pull["head"]["sha"],
            head_ref=pull["head"]["ref"],
            base_ref=pull["base"]["ref"],
            base_sha=pull["base"]["sha"],
            repo=repository,
        )
        # The base commit has the same configuration: the pull request changes no policy.
        config_text = (ROOT / "examples" / "adtech-exchange" / ".readiness.yml").read_text(encoding="utf-8")
        github.add_file(".readiness.yml", config_text, repo=repository)
        env = runner.env(github.url, {"github-token": "ghs_container_test", "osv-url": osv_url})
        result = container.run(ENTRYPOINT, mounts=runner.mounts, env=env)
        violations = github.take_violations()
    assert not violations, "\n".join(map(str, violations))
    assert result.returncode == 1, tail(result)
    (comment,) = github.comments(pull["number"], repo=repository)
    assert "<!-- readiness:scorecard path=. -->" in comment.body
    assert "Policy changes in this pull request" not in comment.body
    assert runner.outputs()["comment-url"].endswith(f"#issuecomment-{comment.id}")
    (check,) = github.check_runs.values()
    assert check.head_sha == pull["head"]["sha"]
    assert check.conclusion == "failure", "a blocking check concludes failure"
