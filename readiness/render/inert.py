"""Text from the repository under review, made inert for the place it is shown in.

Everything a scan quotes (file names and paths, alert, route and container names, snippets,
messages that quote code, check summaries, evidence notes, scanner details, waiver owners and
reasons) was written by the author of the change being gated. It reaches Markdown that GitHub
renders (the PR comment, the check run's summary and text, the job summary), plain-text fields
(annotations, SARIF and JUnit messages) and the workflow log, where a line can be a command. Each
function here makes a value safe for one kind of place; the renderers pass every repository-derived
value through one of them, and the templates through the Jinja filters registered in
:mod:`readiness.render.markdown`.

The rules, and why:

- *One line, no control characters* (:func:`plain`, used by all the others): ANSI escape
  sequences can recolour, hide or overwrite what a terminal or the Actions log shows; a line
  break lets a value start a Markdown block, a table row or a workflow command of its own;
  bidirectional overrides make a name read differently from what it is ("Trojan Source"). Tabs
  and line breaks become spaces, runs of whitespace one space, the rest is dropped.
- *A bounded length*: one 64 KB value must not eat the comment's 65,536-character budget, the
  check run's or an annotation's; a cut value ends with an ellipsis.
- *Markdown text* (:func:`markdown_text`): ``&``, ``<`` and ``>`` become entities, so no HTML
  (``<img onerror>``, ``</details>``, a ``<!--`` that fakes our comment marker, ``<script>``)
  and no ``<autolink>``; the punctuation that makes links, images, emphasis, strikethrough,
  math and table cells is backslash-escaped (and a ``(`` after ``]``), so ``[x](javascript:…)``
  and ``![](http://…)`` stay text; a value can never start a heading, quote or list item;
  ``@`` mentions, ``#123`` references, bare ``http://`` and ``www.`` autolinks are broken with a
  zero-width joiner (U+200D), invisible when read, so GitHub neither notifies nor links anything.
  Backtick-quoted parts of a message (checks quote code that way) stay code spans, made inert
  as below.
- *Inline code* (:func:`inline_code`): the fence is one backtick longer than the longest run in
  the value, so the value cannot close it; ``<``, ``@``, ``]`` before ``(`` and ``##`` before ``[``
  get a zero-width joiner after them,
  because a code span's content cannot be escaped with entities and the raw body is still
  searched (our comment is found by a ``<!--`` marker) or read by tools that drop the formatting.
- *Table cells* (``table=True``): ``|`` is escaped inside code spans too, the one escape GitHub
  honours there.
- *Log lines* (:func:`log_line`): plain text that cannot be read as a workflow command: no line
  break, no leading ``::``, and no ``##[``, which the runner's legacy command syntax finds
  anywhere in a line. The JSON, SARIF and JUnit documents (printed by ``--format``) write that
  ``[`` as an escape of their own, the same value (:func:`json_for_logs`, :func:`xml_for_logs`).
"""

from __future__ import annotations

import re
from urllib.parse import quote

ZWJ = "\u200d"  # zero-width joiner: breaks a pattern without changing what a reader sees
ELLIPSIS = "…"

# Default lengths, in characters. The checks' own messages stay well under TEXT_LIMIT (the longest
# in the examples is about 600); a value beyond it is hostile or a mistake, shown cut.
TEXT_LIMIT = 2000
SHORT_LIMIT = 400  # paths, names, owners, notes
SNIPPET_LIMIT = 300  # one source line

_ANSI = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]            # CSI: colours, cursor movement, erasing
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)? # OSC: window titles, hyperlinks
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?      # DCS, SOS, PM, APC strings
    | \x1b[ -/]*[0-~]?                   # every other escape, and a lone ESC
    | \x9b[0-?]*[ -/]*[@-~]              # the 8-bit CSI
    """,
    re.VERBOSE,
)

# Line breaks and tabs become spaces; other control characters (Unicode category Cc) and the
# bidirectional embedding, override and isolate characters are dropped.
_LINE_BREAKS = "\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029"
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]  # Unicode category Cc, all of it
_TRANSLATION: dict[int, str | None] = (
    {code: None for code in _CONTROLS} | {ord(c): None for c in _BIDI} | {ord(c): " " for c in _LINE_BREAKS}
)

# What Markdown reads as structure inside a line: backslash (so the value's own backslashes cannot
# escape ours), code, emphasis, strikethrough, links and images, table cells, math. An underscore
# between two letters or digits is never emphasis and is left alone (snake_case stays readable).
_MARKDOWN_PUNCTUATION = re.compile(r"[\\`*\[\]|~$]|(?<=\])\(|(?<![^\W_])_|_(?![^\W_])")
# What GitHub turns into a notification or a link although no Markdown syntax asks for it.
_MENTION = re.compile(r"@(?=\w)")
_REFERENCE = re.compile(r"#(?=\d)|(?i:\bgh)(?=-\d)")
_BARE_URL = re.compile(r"(?i)(?<=:)(?=//)|(?<![\w.])(?=www\.)(www)")
# What makes a block when it starts a line: a heading, quote, list item, setext underline.
_LINE_START = re.compile(r"^(?:([#>+=-])|(\d+)([.)]))")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_BACKTICKS = re.compile(r"`+")


def plain(value: object, limit: int = TEXT_LIMIT) -> str:
    """The value as one line of plain text: no escape sequences, no control characters, no line
    breaks, whitespace collapsed, at most ``limit`` characters (cut ones end with an ellipsis)."""
    if value is None:
        return ""
    text = str(value)
    # Bound the work before cleaning: escape sequences and whitespace only ever shrink a value.
    bound = max(limit, 1) * 8 + 64
    cut = len(text) > bound
    text = _ANSI.sub("", text[:bound]).translate(_TRANSLATION)
    text = " ".join(text.split())
    if cut or len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + ELLIPSIS
    return text


def markdown_text(value: object, limit: int = TEXT_LIMIT, *, table: bool = False) -> str:
    """The value as Markdown that renders as the text it is, on one line; parts of it quoted in
    single backticks (as checks quote code) stay inert code spans. ``table``: for a table cell."""
    parts = _CODE_SPAN.split(plain(value, limit))
    rendered = "".join(_code(part, table) if i % 2 else _text(part) for i, part in enumerate(parts))
    if table:  # a cell never opens a block
        return rendered
    # A value at the start of a line must not open a block; the backslash is harmless elsewhere.
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", rendered, count=1)


def inline_code(value: object, limit: int = SHORT_LIMIT, *, table: bool = False) -> str:
    """The value as one inline code span that it cannot close. ``table``: for a table cell."""
    return _code(plain(value, limit), table)


def table_cell(value: object, limit: int = SHORT_LIMIT) -> str:
    """The value as the text of one Markdown table cell."""
    return markdown_text(value, limit, table=True)


def log_line(value: object, limit: int = TEXT_LIMIT) -> str:
    """The value as (part of) one line of the workflow log that the runner reads as no command."""
    text = plain(value, limit).replace("##[", f"##{ZWJ}[")
    if text.startswith("::"):
        text = f":{ZWJ}{text[1:]}"
    return text


def json_for_logs(document: str) -> str:
    """A JSON document the runner reads as no command when it is printed to a CI log (the runner
    finds ``##[command]`` anywhere in a line): each ``[`` after ``##`` is written as its escape
    ``\\u005b``. The same JSON value: ``#`` is not JSON syntax, so it only ever occurs in strings."""
    return document.replace("##[", "##\\u005b")


def xml_for_logs(document: str) -> str:
    """An XML document the runner reads as no command in a CI log: ``[`` after ``##`` as its
    character reference (``#`` only occurs in text and attribute values in what ElementTree writes)."""
    return document.replace("##[", "##&#91;")


def relative_uri(path: str) -> str:
    """A repository path as a relative URI reference (SARIF's artifactLocation.uri): spaces and
    odd characters percent-encoded, ``:`` too so the first segment never reads as a scheme."""
    return quote(path.replace("\\", "/").lstrip("/"), safe="/!$&'()*+,;=@")


def cut_lines(text: str, limit: int, note: str) -> str:
    """A rendered document cut to ``limit`` characters at a line boundary, ending with ``note``.

    Cutting at a line keeps every code span and escape whole (none spans two lines), so a cut can
    never turn quoted text back into markup."""
    if len(text) <= limit:
        return text
    tail = f"\n\n{note}\n"
    head = text[: max(limit - len(tail), 0)]
    if "\n" in head:
        head = head[: head.rindex("\n") + 1]
    return head.rstrip("\n") + tail


def _text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_PUNCTUATION.sub(lambda m: "\\" + m.group(0), text)
    text = _MENTION.sub("@" + ZWJ, text)
    text = _REFERENCE.sub(lambda m: m.group(0) + ZWJ, text)
    return _BARE_URL.sub(lambda m: (m.group(1) or "") + ZWJ, text)


def _code(text: str, table: bool) -> str:
    text = text.replace("<", "<" + ZWJ).replace("@", "@" + ZWJ).replace("](", "]" + ZWJ + "(")
    text = text.replace("##[", "##" + ZWJ + "[")  # printed to a CI log, it would be a command
    if table:
        text = text.replace("|", "\\|")
    if not text.strip():
        return "` `"  # an empty span is two bare backticks, which Markdown shows as such
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    # A space on both sides is stripped once by Markdown: it lets the value begin or end with `.
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == " " and text[-1] == " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
