"""readiness.render.inert with hostile values: each function's output, exactly."""

from __future__ import annotations

import pytest

from readiness.render import inert

ZWJ = "\u200d"
LONG_LINE = "A" * 65_536


# -- plain: one line, no control characters, bounded ------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("first\nsecond\r\nthird\rfourth", "first second third fourth"),
        ("tab\there", "tab here"),
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("\x1b]8;;http://evil.example\x07link\x1b]8;;\x07", "link"),  # an OSC 8 terminal hyperlink
        ("bell\x07 nul\x00 del\x7f c1\x9b31m", "bell nul del c1"),
        ("line\u2028sep\u2029para\x85next", "line sep para next"),
        ("admin\u202e\u2066txt.exe\u2069", "admintxt.exe"),  # bidirectional overrides
        ("  lots   of\n\n  space  ", "lots of space"),
        (None, ""),
        (42, "42"),
    ],
)
def test_plain_is_one_clean_line(value: object, expected: str) -> None:
    assert inert.plain(value) == expected


def test_plain_cuts_a_64_kb_line_with_an_ellipsis() -> None:
    text = inert.plain(LONG_LINE, 100)
    assert text == "A" * 99 + "…" and len(text) == 100
    assert inert.plain("\x1b[31m" * 20_000 + "B" * 10, 100).endswith("…")  # cut before cleaning too
    assert inert.plain("short", 100) == "short"


# -- markdown_text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("</details>", "&lt;/details&gt;"),
        ("<!-- readiness:scorecard project=x -->", "&lt;!-- readiness:scorecard project=x --&gt;"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a & b &#64;x", f"a &amp; b &amp;#{ZWJ}64;x"),  # no entity of its own
        ("[click](javascript:alert(1))", "\\[click\\]\\(javascript:alert(1))"),
        ("![](http://127.0.0.1/x.png)", f"!\\[\\]\\(http:{ZWJ}//127.0.0.1/x.png)"),
        (
            "see https://evil.example and www.evil.example",
            f"see https:{ZWJ}//evil.example and www{ZWJ}.evil.example",
        ),
        ("<http://evil.example>", f"&lt;http:{ZWJ}//evil.example&gt;"),
        ("ping @org/team and @user", f"ping @{ZWJ}org/team and @{ZWJ}user"),
        ("mail me@example.com", f"mail me@{ZWJ}example.com"),
        ("fixes #12 and GH-3", f"fixes #{ZWJ}12 and GH{ZWJ}-3"),
        ("a | b", "a \\| b"),
        ("**bold** _em_ ~~gone~~ $x^2$", "\\*\\*bold\\*\\* \\_em\\_ \\~\\~gone\\~\\~ \\$x^2\\$"),
        ("snake_case_name", "snake_case_name"),  # intraword underscores are never emphasis
        ("back\\slash\\", "back\\\\slash\\\\"),
        ("# heading", "\\# heading"),
        ("> quote", "&gt; quote"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. item", "1\\. item"),
        ("2) item", "2\\) item"),
        ("===", "\\==="),
        ("line one\n# two\n> three\n- four", "line one # two &gt; three - four"),
        ("\x1b[31mred\x1b[0m", "red"),
    ],
)
def test_markdown_text_renders_as_the_text_it_is(value: str, expected: str) -> None:
    assert inert.markdown_text(value) == expected


def test_markdown_text_keeps_backtick_quotes_as_inert_code() -> None:
    # Checks quote code in single backticks; those parts stay code spans, made inert as code.
    assert inert.markdown_text("Redis key `user:<id>` has no TTL") == f"Redis key `user:<{ZWJ}id>` has no TTL"
    assert inert.markdown_text("owner `@org/team`") == f"owner `@{ZWJ}org/team`"
    # A stray backtick cannot open a span that swallows what follows.
    assert inert.markdown_text("it's ` open") == "it's \\` open"
    assert inert.markdown_text("``` fence") == "\\`\\`\\` fence"


def test_markdown_text_is_bounded() -> None:
    assert inert.markdown_text(LONG_LINE, 50) == "A" * 49 + "…"
    assert len(inert.markdown_text("<" * 65_536, 50)) == 49 * len("&lt;") + 1


# -- inline_code --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("deploy/web.yaml:3", "`deploy/web.yaml:3`"),
        ("a`b", "``a`b``"),
        ("a``b```c", "````a``b```c````"),
        ("`starts", "`` `starts ``"),
        ("ends`", "`` ends` ``"),
        ("svc/<img src=x onerror=alert(1)>.go", f"`svc/<{ZWJ}img src=x onerror=alert(1)>.go`"),
        ("</details>", f"`<{ZWJ}/details>`"),
        ("<!-- readiness:scorecard project=x -->", f"`<{ZWJ}!-- readiness:scorecard project=x -->`"),
        ("@org/team", f"`@{ZWJ}org/team`"),
        ("[click](javascript:alert(1))", f"`[click]{ZWJ}(javascript:alert(1))`"),
        ("a|b", "`a|b`"),
        ("one\ntwo\r\x1b[2Kthree", "`one two three`"),
        ("x ##[stop-commands]t", f"`x ##{ZWJ}[stop-commands]t`"),
        ("", "` `"),
    ],
)
def test_inline_code_cannot_be_closed_or_read_as_markup(value: str, expected: str) -> None:
    assert inert.inline_code(value) == expected


def test_inline_code_in_a_table_escapes_pipes() -> None:
    assert inert.inline_code("a|b\\|c", table=True) == "`a\\|b\\\\|c`"


def test_inline_code_is_bounded() -> None:
    assert inert.inline_code(LONG_LINE, 20) == "`" + "A" * 19 + "…`"


# -- table_cell ---------------------------------------------------------------------------------------


def test_table_cell_stays_in_its_cell() -> None:
    assert inert.table_cell("a | b\nc") == "a \\| b c"
    assert inert.table_cell("x `a|b` y") == "x `a\\|b` y"
    assert inert.table_cell("1.2.3") == "1.2.3"  # a cell never opens a block: no escape needed
    assert inert.table_cell("@org/team <b>") == f"@{ZWJ}org/team &lt;b&gt;"


# -- log_line -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("msg\n::set-output name=x::y", "msg ::set-output name=x::y"),
        ("msg\r::add-mask::secret", "msg ::add-mask::secret"),
        ("::error::forged", f":{ZWJ}:error::forged"),
        ("  ::warning::forged", f":{ZWJ}:warning::forged"),
        ("text ##[stop-commands]token", f"text ##{ZWJ}[stop-commands]token"),
        ("\x1b[2K\x1b[1Ahidden", "hidden"),
    ],
)
def test_log_line_is_never_a_workflow_command(value: str, expected: str) -> None:
    assert inert.log_line(value) == expected


# -- relative_uri and cut_lines -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("deploy/web.yaml", "deploy/web.yaml"),
        ("cmd/my file.go", "cmd/my%20file.go"),
        ("svc/<img src=x>.go", "svc/%3Cimg%20src=x%3E.go"),
        ("c:evil/x", "c%3Aevil/x"),  # never read as a scheme
        ("/abs/x#frag?q", "abs/x%23frag%3Fq"),
        ("100%.txt", "100%25.txt"),
        ("node_modules/@scope/pkg", "node_modules/@scope/pkg"),
        ("dir\\win.txt", "dir/win.txt"),
        ("caf\u00e9.md", "caf%C3%A9.md"),
    ],
)
def test_relative_uri(path: str, expected: str) -> None:
    assert inert.relative_uri(path) == expected


def test_cut_lines_cuts_at_a_line_boundary() -> None:
    text = "line one `code`\nline two `more code`\nline three\n"
    cut = inert.cut_lines(text, 30, "… cut")
    assert cut == "line one `code`\n\n… cut\n"
    assert inert.cut_lines(text, 1000, "… cut") == text
    assert len(inert.cut_lines("x\n" * 50_000, 65_536, "… cut")) <= 65_536


def test_machine_documents_write_the_legacy_command_prefix_as_an_escape() -> None:
    import json
    import xml.etree.ElementTree as ElementTree

    value = {"a": "x ##[add-mask]y", "b": ["##[", "##"]}
    document = inert.json_for_logs(json.dumps(value))
    assert "##[" not in document and json.loads(document) == value
    xml = inert.xml_for_logs(ElementTree.tostring(ElementTree.Element("t", m="##[x]"), encoding="unicode"))
    assert "##[" not in xml and ElementTree.fromstring(xml).get("m") == "##[x]"
