"""go.mod, read as text: the module path, the go and toolchain directives, requirements and
replacements, each with its line (so findings point at the line to change)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DIRECTIVE = re.compile(r"^(module|go|toolchain|require|replace|exclude|retract|godebug|tool)\b\s*(.*)$")


@dataclass(frozen=True)
class GoRequirement:
    module: str
    version: str
    line: int
    indirect: bool = False


@dataclass(frozen=True)
class GoMod:
    path: str
    module: str = ""
    go: str | None = None
    go_line: int | None = None
    toolchain: str | None = None
    toolchain_line: int | None = None
    requires: tuple[GoRequirement, ...] = ()
    # (module, version or "" for all versions) -> (new module, new version); a new version of ""
    # means a local directory replacement.
    replaces: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def selected(self) -> list[GoRequirement]:
        """The requirements as built: replacements applied, local directories left out."""
        found = []
        for requirement in self.requires:
            original = (requirement.module, requirement.version)
            module, version = self.replaces.get(original) or self.replaces.get(
                (requirement.module, ""), original
            )
            if version:
                found.append(GoRequirement(module, version, requirement.line, requirement.indirect))
        return found

    def minimum_go(self) -> tuple[str, int] | None:
        """The lowest Go release that builds the module, and the line that says so: the
        toolchain directive when there is one, else the go directive (both are minimums)."""
        if self.toolchain and self.toolchain_line:
            return self.toolchain.removeprefix("go"), self.toolchain_line
        if self.go and self.go_line:
            return self.go, self.go_line
        return None


def parse(path: str, text: str) -> GoMod:
    module, go, toolchain = "", None, None
    go_line = toolchain_line = None
    requires: list[GoRequirement] = []
    replaces: dict[tuple[str, str], tuple[str, str]] = {}
    block: str | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        indirect = "// indirect" in raw
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if block is not None:
            if line == ")":
                block = None
                continue
            verb, rest = block, line
        else:
            match = _DIRECTIVE.match(line)
            if match is None:
                continue
            verb, rest = match.group(1), match.group(2).strip()
            if rest == "(":
                block = verb
                continue
        words = rest.split()
        if verb == "module" and words:
            module = words[0].strip('"')
        elif verb == "go" and words:
            go, go_line = words[0], number
        elif verb == "toolchain" and words:
            toolchain, toolchain_line = words[0], number
        elif verb == "require" and len(words) >= 2:
            requires.append(GoRequirement(words[0].strip('"'), words[1], number, indirect))
        elif verb == "replace" and "=>" in words:
            arrow = words.index("=>")
            old, new = words[:arrow], words[arrow + 1 :]
            if old and new:
                key = (old[0].strip('"'), old[1] if len(old) > 1 else "")
                replaces[key] = (new[0].strip('"'), new[1] if len(new) > 1 else "")
    return GoMod(path, module, go, go_line, toolchain, toolchain_line, tuple(requires), replaces)
