"""go.mod, read as text: the module path, the go and toolchain directives, requirements and
replacements, each with its line (so findings point at the line to change).

Read the way the go command reads it without changing it (``-mod=readonly``, as the scanners
run it): a requirement whose module path or version that command would refuse (a version not
in canonical form such as ``0.7.0``, ``v0.07.0`` or ``v0.7``, a quoted version with a space or a
newline, a stray character) is a *problem* on its line, left out of the requirements, so it is
never matched under a spelling the build would not use, nor passed on to a tool.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from readiness.parsers.versions import canonical_go_version

_DIRECTIVES = {"module", "go", "toolchain", "require", "replace", "exclude", "retract", "godebug", "tool"}
# The go command's lexer: tokens are separated by spaces, tabs and carriage returns; a string is
# "quoted" (Go escapes); parentheses stand alone; a word runs to the next of those or a comment.
_SPACE = re.compile(r"[ \t\r]+")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_WORD = re.compile(r'[()]|(?:[^ \t\r"()/]|/(?!/))+')
_PATH_ELEMENT = re.compile(r"[A-Za-z0-9._~-]+", re.ASCII)
# go and toolchain directives: 1.21, 1.21.3, 1.21rc2 (the toolchain's with a "go" prefix).
_GO_RELEASE = re.compile(
    r"(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*)){0,2}(?:(?:alpha|beta|rc)[0-9]+)?", re.ASCII
)
_SHOWN = 60  # characters of a refused value quoted in a problem


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
    # (line, what is wrong): entries the go command would refuse, left out of the above.
    problems: tuple[tuple[int, str], ...] = ()

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

    def line_of(self, module: str, version: str | None = None) -> int | None:
        """The line of the requirement that builds ``module`` (at ``version`` when given, which
        picks the right one of two requirements of a module), written under its own path or
        replaced: where a finding against that module version belongs."""
        for candidates in (self.requires, self.selected()):
            same = [r for r in candidates if r.module == module]
            exact = [r for r in same if version is not None and r.version == version]
            if exact or same:
                return (exact or same)[0].line
        return None

    def minimum_go(self) -> tuple[str, int] | None:
        """The lowest Go release that builds the module, and the line that says so: the
        toolchain directive when there is one, else the go directive (both are minimums)."""
        if self.toolchain and self.toolchain_line:
            return self.toolchain.removeprefix("go"), self.toolchain_line
        if self.go and self.go_line:
            return self.go, self.go_line
        return None


def is_module_file(path: str) -> bool:
    """A go.mod the scanners audit: not a vendored copy, not test data (often broken on purpose)."""
    pure = PurePosixPath(path)
    return pure.name == "go.mod" and not {"vendor", "testdata"} & set(pure.parts[:-1])


class _Refused(ValueError):
    """A value on a go.mod line the go command would refuse (the message says which and why)."""


def parse(path: str, text: str) -> GoMod:
    module, go, toolchain = "", None, None
    go_line = toolchain_line = None
    requires: list[GoRequirement] = []
    replaces: dict[tuple[str, str], tuple[str, str]] = {}
    problems: list[tuple[int, str]] = []
    block: str | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        tokens, unterminated = _lex(raw)
        if not tokens and not unterminated:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
                continue
            verb, rest = block, tokens
        else:
            if not tokens or tokens[0] not in _DIRECTIVES:
                continue
            verb, rest = tokens[0], tokens[1:]
            if rest == ["("] and not unterminated:
                block = verb
                continue
        if verb not in ("module", "go", "toolchain", "require", "replace"):
            continue
        try:
            words = _words(rest, unterminated)
            if verb == "module" and words:
                module = words[0]
            elif verb == "go" and words:
                go, go_line = _release(words, "go"), number
            elif verb == "toolchain" and words and words[0] != "default":
                toolchain, toolchain_line = "go" + _release(words, "toolchain"), number
            elif verb == "require":
                requires.append(_requirement(words, number, "// indirect" in raw))
            elif verb == "replace":
                replaces.update([_replacement(words)])
        except _Refused as refused:
            problems.append((number, str(refused)))
    return GoMod(
        path, module, go, go_line, toolchain, toolchain_line, tuple(requires), replaces, tuple(problems)
    )


def _lex(line: str) -> tuple[list[str], bool]:
    """The line's tokens before its ``//`` comment, as the go command's lexer splits them, and
    whether it ends inside a quoted string. One pass: a string that is never closed ends the
    line rather than being scanned again from every quote in it."""
    tokens: list[str] = []
    index = 0
    while index < len(line):
        match = _SPACE.match(line, index)
        if match is not None:
            index = match.end()
            continue
        if line.startswith("//", index):
            break
        match = _STRING.match(line, index) if line[index] == '"' else _WORD.match(line, index)
        if match is None:  # a quote that is never closed
            return tokens, True
        tokens.append(match.group())
        index = match.end()
    return tokens, False


def _words(tokens: list[str], unterminated: bool) -> list[str]:
    """The tokens as values, quoted strings unquoted. A character the go command refuses (a
    non-printing one, a Unicode space), a quote in a bare word or an unterminated string is
    refused."""
    if unterminated:
        raise _Refused("unterminated quoted string: the go command refuses the line")
    words = []
    for token in tokens:
        for character in token:
            if not character.isprintable():
                raise _Refused(f"unexpected character {character!r}: the go command refuses the line")
        if token.startswith('"'):
            try:
                token = json.loads(token)  # Go's escapes, as far as a go.mod needs them
            except ValueError:
                raise _Refused(f"{_shown(token)} is not a quoted string the go command reads") from None
        elif "`" in token or "'" in token:
            raise _Refused(f"{_shown(token)}: an unquoted value can't hold a quote")
        words.append(token)
    return words


def _shown(value: str) -> str:
    return repr(value[:_SHOWN] + ("…" if len(value) > _SHOWN else ""))


def _release(words: list[str], verb: str) -> str:
    """The Go release a go (``1.21.3``) or toolchain (``go1.21.3``) directive names."""
    prefix = "go" if verb == "toolchain" else ""
    value = words[0].removeprefix(prefix)
    if len(words) != 1 or not words[0].startswith(prefix) or not _GO_RELEASE.fullmatch(value):
        shown = "go1.21.3" if verb == "toolchain" else "1.21.3"
        raise _Refused(f"{verb} {_shown(' '.join(words))} is not a Go release (written like {shown})")
    return value


def _module_path(path: str) -> str:
    """``path`` when it is a module path the go command takes (slash-separated elements of
    letters, digits and ``-._~``, none empty, none starting or ending with a dot)."""
    elements = path.split("/")
    if not path or not all(
        _PATH_ELEMENT.fullmatch(e) and not e.startswith(".") and not e.endswith(".") for e in elements
    ):
        raise _Refused(f"{_shown(path)} is not a module path")
    return path


def _version(module: str, version: str) -> str:
    canonical = canonical_go_version(version)
    if canonical is None:
        raise _Refused(
            f"{module}: version {_shown(version)} is not a canonical module version (vX.Y.Z, a "
            "pre-release or a pseudo-version): the go command refuses it and it is not audited"
        )
    return canonical


def _requirement(words: list[str], line: int, indirect: bool) -> GoRequirement:
    if len(words) != 2:
        raise _Refused(f"require {_shown(' '.join(words))}: expected a module path and one version")
    module = _module_path(words[0])
    return GoRequirement(module, _version(module, words[1]), line, indirect)


def _replacement(words: list[str]) -> tuple[tuple[str, str], tuple[str, str]]:
    arrow = words.index("=>") if "=>" in words else -1
    old, new = words[:arrow], words[arrow + 1 :]
    if arrow < 0 or len(old) not in (1, 2) or len(new) not in (1, 2):
        raise _Refused(f"replace {_shown(' '.join(words))}: expected module [version] => target [version]")
    module = _module_path(old[0])
    key = (module, _version(module, old[1]) if len(old) == 2 else "")
    if len(new) == 1:
        if not _is_directory(new[0]):
            raise _Refused(f"replace {module}: a replacement without a version must be a local directory")
        return key, (new[0], "")
    target = _module_path(new[0])
    return key, (target, _version(target, new[1]))


def _is_directory(path: str) -> bool:
    """How the go command tells a local directory from a module path in a replacement."""
    return (
        path in (".", "..")
        or path.startswith(("./", "../", "/", ".\\", "..\\"))
        or bool(re.match(r"[A-Za-z]:[\\/]", path))
    )
