"""Workflow files and commands: outputs, the job summary and annotations.

These need no token and no permission, so they are also the fallback when the API refuses
(fork pull requests get a read-only token).

Every line written here is read by the runner, which takes a line starting with ``::`` (after
leading spaces) as a workflow command, and ``##[command]`` anywhere in a line. A finding's
message and path are the repository's text, so a value is made one line with no control
characters and no ``##[`` (readiness.render.inert.log_line) and then escaped as the runner
expects (``%``, CR and LF in data; ``:`` and ``,`` too in properties): it can never start a
line of its own or end a property early. Our own log messages keep their line breaks, escaped.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from readiness.model import Finding, Severity
from readiness.render.inert import log_line

STEP_SUMMARY_LIMIT = 1024 * 1024  # GitHub rejects step summaries over 1 MiB
MAX_COMMAND_ANNOTATIONS = 50  # GitHub shows only a handful per step anyway; keep logs readable

_LEVEL = {Severity.BLOCKER: "error", Severity.RISK: "warning", Severity.RECOMMENDATION: "notice"}


def write_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    """Append outputs in the heredoc form, with a delimiter no value can contain."""
    if not path:
        return
    with open(path, "a", encoding="utf-8") as stream:
        for name, value in outputs.items():
            delimiter = f"readiness_{secrets.token_hex(16)}"
            while delimiter in value:
                delimiter = f"readiness_{secrets.token_hex(16)}"
            stream.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def write_summary(path: str | None, markdown: str, pointer: str) -> None:
    """Append the summary, cut to GitHub's 1 MiB limit with a pointer to the full report."""
    if not path:
        return
    data = markdown.encode("utf-8")
    existing = Path(path).stat().st_size if Path(path).exists() else 0
    budget = STEP_SUMMARY_LIMIT - existing - 1024
    if len(data) > budget:
        note = f"\n\n… cut to fit GitHub's 1 MiB job-summary limit. {pointer}\n".encode()
        head = data[: max(0, budget - len(note))]
        # Cut at a line: no code span or escape is left half open to turn quoted text into markup.
        head = head[: head.rfind(b"\n") + 1] if b"\n" in head else b""
        data = head.decode("utf-8", errors="ignore").rstrip("\n").encode() + note
    with open(path, "ab") as stream:
        stream.write(data)


def _escape_data(text: str) -> str:
    """A command's data as the runner unescapes it (``%`` first, so ``%0A`` in a value stays text)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A command's property value: also ``:`` and ``,``, which would end the property list."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotate(findings: Iterable[Finding], stream: TextIO, prefix: str = "") -> int:
    """Workflow-command annotations for findings with a location; returns how many were printed."""
    count = 0
    for finding in sorted(findings, key=lambda f: -f.severity.rank):
        if finding.waived:
            continue
        located = next((e for e in finding.evidence if e.path), None)
        if located is None or located.path is None:
            continue
        if count >= MAX_COMMAND_ANNOTATIONS:
            break
        # The path stays exact (escaping is lossless) so the annotation lands on the file.
        properties = [f"file={_escape_property(prefix + located.path)}"]
        if located.line:
            properties.append(f"line={located.line}")
        title = log_line(f"{finding.title} ({finding.check_id})", 255)
        properties.append(f"title={_escape_property(title)}")
        message = _escape_data(log_line(finding.message))
        stream.write(f"::{_LEVEL[finding.severity]} {','.join(properties)}::{message}\n")
        count += 1
    return count


def log(stream: TextIO, level: str, message: str) -> None:
    """A workflow log line: level is notice, warning or error."""
    # Our messages may span lines (an error and its cause): each line is cleaned, and the breaks
    # are escaped, so the runner shows them inside this one command.
    lines = [log_line(part, 4000) for part in message.replace("\r\n", "\n").split("\n")[:20]]
    data = _escape_data("\n".join(lines))
    stream.write(f"::{level}::{data}\n")
