import os
from pathlib import Path

import pytest

from readiness.repo import Repo
from tests.support import write_tree


def test_gitignore_and_excludes_are_honoured(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".gitignore": "build/\n*.log\n",
            "svc/.gitignore": "secret.txt\n",
            "build/out.yaml": "a: 1\n",
            "app.log": "x\n",
            "svc/secret.txt": "x\n",
            "svc/main.go": "package main\n",
            "vendor/lib.go": "package lib\n",
            "node_modules/x/index.js": "x\n",
        },
    )
    repo = Repo(tmp_path, exclude=["vendor/"])
    assert repo.paths == (".gitignore", "svc/.gitignore", "svc/main.go")


def test_symlinks_never_lead_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"passwd": "root:x:0:0\n"})
    root = write_tree(tmp_path / "repo", {"inside.txt": "hello\n"})
    os.symlink(outside / "passwd", root / "link-out")
    os.symlink(root / "inside.txt", root / "link-in")
    os.symlink(outside, root / "dir-out")
    os.symlink(root / "missing", root / "broken")
    repo = Repo(root)
    assert repo.paths == ("inside.txt", "link-in")
    assert repo.skipped == {
        "link-out": "symlink leading outside the repository",
        "dir-out": "symlinked directory (not followed)",
        "broken": "broken symlink",
    }


def test_oversized_binary_and_undecodable_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {"big.txt": "x" * 2000, "ok.txt": "fine\n"})
    (tmp_path / "blob.dat").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    repo = Repo(tmp_path, max_file_bytes=1000)
    assert "big.txt" not in repo.paths and repo.skipped["big.txt"] == "larger than 1000 bytes"
    assert repo.skipped["logo.png"] == "binary file"
    assert repo.text("blob.dat") == ""
    assert repo.skipped["blob.dat"] == "binary file"
    assert repo.text("latin1.txt") == "caf\ufffd\n"
    assert "decoded with replacement" in repo.skipped["latin1.txt"]


def test_hostile_yaml_becomes_a_problem_not_a_hang(tmp_path: Path) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    write_tree(
        tmp_path,
        {
            "bomb.yaml": "\n".join(bomb) + "\n",
            "deep.yaml": "[" * 5000 + "\n",
            "broken.yaml": "kind: Deployment\napiVersion: apps/v1\nmetadata: {name: x\n",
        },
    )
    repo = Repo(tmp_path)
    assert repo.k8s_objects() == []
    assert "alias bomb" in repo.problems["bomb.yaml"].message
    assert "nesting deeper" in repo.problems["deep.yaml"].message
    assert repo.problems["broken.yaml"].line == 4


def test_multi_document_manifests_keep_lines(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "all.yaml": """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        """
        },
    )
    repo = Repo(tmp_path)
    assert [(o.kind, o.name, o.line) for o in repo.k8s_objects()] == [
        ("Service", "web", 1),
        ("Deployment", "web", 5),
    ]


def test_helm_templates_are_not_parsed_as_manifests(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
            "chart/templates/deploy.yaml": (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
            ),
            "chart/values.yaml": "replicaCount: 2\n",
        },
    )
    repo = Repo(tmp_path)
    assert repo.k8s_objects() == []
    assert repo.problems == {}


def test_monorepo_services_are_discovered(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bidder/go.mod": "module example.com/bidder\n",
            "idr/pyproject.toml": "[project]\nname='idr'\n",
            "web/package.json": "{}\n",
            "web/sub/package.json": "{}\n",
        },
    )
    services = Repo(tmp_path).services()
    assert [(s.name, s.path, s.language) for s in services] == [
        ("bidder", "bidder", "go"),
        ("idr", "idr", "python"),
        ("web", "web", "node"),
        ("sub", "web/sub", "node"),
    ]
    assert services[0].contains("bidder/main.go") and not services[0].contains("bidderx/main.go")


def test_nested_services_own_their_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", "app.py": "", "bidder/go.mod": "", "bidder/main.go": ""})
    repo = Repo(tmp_path)
    root, bidder = repo.services()
    assert repo.files_of(root, ".py", ".go") == ["app.py"]
    assert repo.files_of(bidder, ".py", ".go") == ["bidder/main.go"]
    assert repo.owner("bidder/main.go") == bidder


def test_recording_tracks_reads_and_problems(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": "x: [\n", "b.txt": "b\n", "c.txt": "c\n"})
    repo = Repo(tmp_path)
    with repo.recording() as recording:
        repo.text("b.txt")
        repo.yaml("a.yaml")
    assert recording.paths == {"a.yaml", "b.txt"}
    assert set(recording.problems) == {"a.yaml"}


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        Repo(tmp_path / "missing")


def test_line_numbers_count_only_newlines(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one\x0ctwo\u2028three\r\nfour\n", encoding="utf-8")
    repo = Repo(tmp_path)
    assert repo.lines("a.txt") == ["one\x0ctwo\u2028three", "four"]
    assert repo.search("four", ["a.txt"])[0].line == 2


def test_control_characters_and_odd_shapes_do_not_crash_manifest_parsing(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "ctl.yaml": "kind: Deployment\napiVersion: apps/v1\x0c\n",
            "cron.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n"
            "spec:\n  jobTemplate: [1, 2]\n",
        },
    )
    repo = Repo(tmp_path)
    (cron,) = repo.k8s_objects()
    assert cron.pod_spec() is None and cron.containers() == []
    assert "unreadable YAML" in repo.problems["ctl.yaml"].message


def test_skipped_files_count_in_the_listing_digest(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.txt": "a\n"})
    before = Repo(tmp_path).tree_digest()
    (tmp_path / "legal").mkdir()
    (tmp_path / "legal/DPA.pdf").write_bytes(b"%PDF-1.7")
    assert Repo(tmp_path).tree_digest() != before


def test_compose_variants_in_a_compose_folder_are_compose_files(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "contrib/docker-compose/basic.yml": "services:\n  app:\n    image: app:1\n",
            "contrib/docker-compose/notes.yml": "services:\n  - not a stack\n",
            "deploy/values.yml": "services:\n  app:\n    image: app:1\n",
        },
    )
    assert [c.path for c in Repo(root).compose_files()] == ["contrib/docker-compose/basic.yml"]


@pytest.mark.parametrize(
    "pattern",
    [
        r"^func main\(",
        r"Shutdown\($",
        r"\bredis\b",
        r"^\s*$",
        r"(?i)^TIMEOUT",
        r"(?<!\S)retry",  # a lookbehind: searched line by line only
        r"end(?!\s)",  # a lookahead that would see the next line in the whole text
        r"\Aline",
        r"(?s)a.b",
        r"[^x]$",
    ],
)
def test_search_finds_the_same_lines_with_or_without_the_whole_file_prefilter(
    tmp_path: Path, pattern: str
) -> None:
    import re

    text = "func main() {\r\n\tsrv.Shutdown(\n\nTIMEOUT = 3\n  retry end\nend\nline\na\nb\nuse redis\n"
    write_tree(tmp_path, {"main.go": text, "other.go": "package other\n"})
    repo = Repo(tmp_path, use_git=False)
    regex = re.compile(pattern)
    expected = [
        (path, number, line.strip())
        for path in ["main.go", "other.go"]
        for number, line in enumerate(repo.lines(path), start=1)
        if regex.search(line)
    ]
    found = [(m.path, m.line, m.text) for m in repo.search(regex, ["main.go", "other.go"])]
    assert found == expected
    assert found or pattern == r"(?s)a.b"  # each pattern but the one spanning lines finds a line
