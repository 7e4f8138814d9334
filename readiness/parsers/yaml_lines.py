"""A safe YAML loader that remembers line numbers and refuses hostile documents.

Findings must point at a line, so mappings and sequences come back as :class:`YMap` and
:class:`YList`, which carry the line of the node and of each key. Alias bombs ("billion
laughs") and absurd nesting are refused before any check walks them, because a check that
recurses through an exponentially expanded document would hang the scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

MAX_DEPTH = 200
MAX_EXPANDED_NODES = 500_000


class YMap(dict[Any, Any]):
    """A mapping that knows where it and each of its keys were written."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    line: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class YamlLimitError(yaml.YAMLError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class YamlError:
    message: str
    line: int


# libyaml's parser when PyYAML was built with it (the wheels are): the pure-Python scanner reads
# dense flow YAML at ~50 KB/s, so a committed file of brackets took seconds. Nesting is then
# bounded by libyaml itself and by the depth check in _expanded_size (the compose_node override
# below only runs with the pure-Python parser).
if TYPE_CHECKING:  # the same interface either way
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[YMap]:
    data = YMap()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=False)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines[key] = key_node.start_mark.line + 1


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[YList]:
    data = YList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=False) for child in node.value)


def _scalar_checked(
    construct: Callable[[yaml.SafeLoader, yaml.ScalarNode], Any],
) -> Callable[[_Loader, yaml.ScalarNode], Any]:
    """PyYAML's int, float and bool constructors assume the scalar fits the tag: ``0x_`` (an int
    by the implicit resolver), ``!!int abc``, ``!!float x`` or ``!!bool maybe`` raise a bare
    ValueError, IndexError or KeyError from inside the loader. Here they are YAML errors at
    their line, like every other malformed node."""

    def build(loader: _Loader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, IndexError, KeyError):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{str(node.value)[:40]!r} is not a valid {node.tag.rsplit(':', 1)[-1]}",
                node.start_mark,
            ) from None

    return build


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
for _tag, _construct in (
    ("int", yaml.SafeLoader.construct_yaml_int),
    ("float", yaml.SafeLoader.construct_yaml_float),
    ("bool", yaml.SafeLoader.construct_yaml_bool),
):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _scalar_checked(_construct))


def _timestamp_as_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    """An explicit ``!!timestamp`` stays the string it is, like the implicit ones below (PyYAML's
    constructor fails with an AttributeError on a value that is not a date)."""
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
# Timestamps stay strings: checks compare text, and a date object in a Kubernetes label is a surprise.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _expanded_size(node: yaml.Node, memo: dict[int, int], depth: int = 1) -> int:
    """Node count after expanding aliases, memoised so the count itself stays linear; a node
    deeper than MAX_DEPTH is refused here whichever parser composed it."""
    known = memo.get(id(node))
    if known is not None:
        return known
    if depth > MAX_DEPTH:
        raise YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
    memo[id(node)] = 1  # a recursive alias counts once instead of looping
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, memo, depth + 1) + _expanded_size(value, memo, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded_size(child, memo, depth + 1)
    size = min(size, MAX_EXPANDED_NODES + 1)
    memo[id(node)] = size
    return size


def load_all(text: str) -> tuple[list[Any], YamlError | None]:
    """Every document of a YAML stream, and the first error (with its line) if the stream breaks.

    Documents before a broken one are kept: one bad document in a multi-document manifest
    should not hide the good ones from the checks.
    """
    documents: list[Any] = []
    try:
        # The reader rejects control characters as soon as the loader is built: inside the try.
        loader = _Loader(text)
    except yaml.YAMLError as error:
        return documents, YamlError(f"unreadable YAML: {error}", 0)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
                raise YamlLimitError(
                    f"document expands to more than {MAX_EXPANDED_NODES} nodes (alias bomb?)",
                    node.start_mark.line + 1,
                )
            documents.append(loader.construct_document(node))
    except YamlLimitError as error:
        return documents, YamlError(str(error), error.line)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = f"{error.problem or error.context or 'invalid YAML'}"
        if "maximum nesting depth" in problem:  # libyaml's own bound, deeper than ours
            problem = f"nesting deeper than {MAX_DEPTH} levels"
        return documents, YamlError(problem, line)
    except yaml.YAMLError as error:  # the reader's (control characters, bad encoding)
        return documents, YamlError(f"unreadable YAML: {str(error).splitlines()[0]}", 0)
    except RecursionError:
        return documents, YamlError("document nests too deeply to parse", 0)
    finally:
        loader.dispose()
    return documents, None
