"""A Dockerfile reader: instructions with their line numbers, continuations joined.

Heredocs (``RUN <<EOF`` ... ``EOF``, BuildKit's Dockerfile 1.4 syntax, in RUN, COPY and ADD)
belong to their instruction: the body is appended to its arguments, never read as instructions
of its own. Otherwise a ``USER app`` line inside a heredoc would pass for the image's user.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_ESCAPE_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)", re.IGNORECASE)
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_KEYWORDS = ("RUN", "COPY", "ADD")


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper-cased: FROM, RUN, CMD, ...
    arguments: str  # the raw text after the keyword, continuations joined with spaces
    line: int  # 1-based line where the instruction starts
    stage: int  # index of the build stage (0 for the first FROM)

    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form CMD/ENTRYPOINT/RUN, or None for the shell form."""
        text = self.arguments.strip()
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        return None


@dataclass(frozen=True)
class Dockerfile:
    path: str
    instructions: tuple[Instruction, ...]

    def final_stage(self) -> list[Instruction]:
        if not self.instructions:
            return []
        last = max(instruction.stage for instruction in self.instructions)
        return [instruction for instruction in self.instructions if instruction.stage == last]

    def find(self, keyword: str, *, final_stage_only: bool = False) -> list[Instruction]:
        pool = self.final_stage() if final_stage_only else list(self.instructions)
        return [instruction for instruction in pool if instruction.keyword == keyword]


def parse(path: str, text: str) -> Dockerfile:
    lines = text.splitlines()
    escape = "\\"
    for raw in lines[:5]:
        match = _ESCAPE_DIRECTIVE.match(raw.strip())
        if match:
            escape = match.group(1)
    instructions: list[Instruction] = []
    stage = -1
    index = 0
    while index < len(lines):
        raw = lines[index]
        start = index
        index += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        joined = stripped
        while joined.endswith(escape) and index < len(lines):
            head = joined[:-1].rstrip()
            following = lines[index].strip()
            index += 1
            # Docker drops comment and blank lines inside a continuation; the instruction goes on.
            joined = (
                f"{head} {escape}" if not following or following.startswith("#") else f"{head} {following}"
            )
        joined = joined.removesuffix(escape).strip()
        keyword, _, arguments = joined.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        if keyword in _HEREDOC_KEYWORDS:
            bodies, index = _heredocs(arguments, lines, index)
            arguments = "\n".join([arguments.strip(), *bodies])
        instructions.append(Instruction(keyword, arguments.strip(), start + 1, max(stage, 0)))
    return Dockerfile(path, tuple(instructions))


def _heredocs(arguments: str, lines: list[str], index: int) -> tuple[list[str], int]:
    """The bodies of the heredocs ``arguments`` opens, read from ``lines[index:]`` in order, and
    the index after the last one. ``<<-`` strips leading tabs (from the terminator too); an
    unterminated heredoc runs to the end of the file, as BuildKit reads it (and then refuses)."""
    bodies = []
    for strip_tabs, _, delimiter in _HEREDOC.findall(arguments):
        body = []
        while index < len(lines):
            line = lines[index].lstrip("\t") if strip_tabs else lines[index]
            index += 1
            if line == delimiter:
                break
            body.append(line)
        bodies.append("\n".join(body))
    return bodies, index


def stage_chain(dockerfile: Dockerfile) -> list[list[Instruction]]:
    """The final stage's instructions, then those of the earlier stages it is built ``FROM``, nearest
    first. A runtime stage written ``FROM base AS runtime`` inherits ``base``'s CMD, ENTRYPOINT and
    USER, so judging the final stage alone would miss what the image actually runs."""
    stages: dict[int, list[Instruction]] = {}
    for instruction in dockerfile.instructions:
        stages.setdefault(instruction.stage, []).append(instruction)
    if not stages:
        return []
    names: dict[str, int] = {}
    parents: dict[int, str] = {}
    for index, instructions in stages.items():
        # Global ARGs before the first FROM carry stage 0 too, so look for the FROM, not at [0].
        base = next((i for i in instructions if i.keyword == "FROM"), None)
        if base is None:
            continue
        tokens = [token for token in base.arguments.split() if not token.startswith("--")]
        if tokens:
            parents[index] = tokens[0].lower()
        if len(tokens) >= 3 and tokens[1].lower() == "as":
            names[tokens[2].lower()] = index
    current = max(stages)
    chain = [stages[current]]
    # A stage can only refer to stages declared before it, which also rules out cycles.
    while (parent := names.get(parents.get(current, ""))) is not None and parent < current:
        current = parent
        chain.append(stages[current])
    return chain


def nearest(chain: list[list[Instruction]], keyword: str) -> Instruction | None:
    """The instruction that takes effect: the last one of the nearest stage that sets it."""
    for stage in chain:
        found = [instruction for instruction in stage if instruction.keyword == keyword]
        if found:
            return found[-1]
    return None
