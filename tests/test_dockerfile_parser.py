"""The Dockerfile reader: heredoc bodies belong to their instruction and are never read as
instructions of their own (a `USER app` inside one must not pass for the image's user)."""

from __future__ import annotations

from pathlib import Path

from readiness.model import Outcome
from readiness.parsers import dockerfile
from tests.support import run_check, write_tree

HEREDOCS = """FROM debian:12
RUN <<EOF
apt-get update
USER app
EOF
COPY <<-'CONF' /etc/app.conf
\tUSER nobody
\tCONF
RUN <<ONE cat > /a && <<"TWO" cat > /b
first
ONE
second
TWO
CMD ["/app"]
"""


def test_heredoc_bodies_are_part_of_their_instruction() -> None:
    parsed = dockerfile.parse("Dockerfile", HEREDOCS)
    assert [(i.keyword, i.line, i.arguments) for i in parsed.instructions] == [
        ("FROM", 1, "debian:12"),
        ("RUN", 2, "<<EOF\napt-get update\nUSER app"),
        ("COPY", 6, "<<-'CONF' /etc/app.conf\nUSER nobody"),
        ("RUN", 9, '<<ONE cat > /a && <<"TWO" cat > /b\nfirst\nsecond'),
        ("CMD", 14, '["/app"]'),
    ]
    assert parsed.find("USER") == []


def test_heredocs_only_open_in_run_copy_and_add() -> None:
    parsed = dockerfile.parse("Dockerfile", "FROM x\nLABEL note=<<EOF\nUSER app\n")
    assert [i.keyword for i in parsed.instructions] == ["FROM", "LABEL", "USER"]


def test_an_unterminated_heredoc_runs_to_the_end_of_the_file() -> None:
    parsed = dockerfile.parse("Dockerfile", "FROM x\nRUN <<EOF\necho hi\nUSER app\n")
    assert [(i.keyword, i.arguments) for i in parsed.instructions] == [
        ("FROM", "x"),
        ("RUN", "<<EOF\necho hi\nUSER app"),
    ]


def test_a_user_line_inside_a_heredoc_does_not_make_the_image_non_root(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", {"Dockerfile": HEREDOCS, "main.go": "package main\n"})
    result = run_check("security/non-root", root)
    assert result.outcome is Outcome.FAIL
    assert [(e.path, e.line) for f in result.failures for e in f.evidence] == [("Dockerfile", 1)]
