"""Hostile repository text through every renderer: the comment, the Markdown report (job summary
and check-run text), SARIF, check-run annotations and workflow commands show it, inert."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re

from readiness.github import publish, workflow
from readiness.model import (
    Answer,
    Assessment,
    Category,
    CategoryResult,
    CheckInfo,
    CheckOutcome,
    Evidence,
    Finding,
    Light,
    Outcome,
    QuestionAnswer,
    RepoStats,
    ScannerRun,
    Severity,
    Verdict,
    Waiver,
)
from readiness.render import comment, console, inert, json_report, junit, markdown, sarif

ZWJ = "\u200d"
MARKER = "<!-- readiness:scorecard project=p -->"
PATH = "svc/<img src=x onerror=alert(1)>.go"
MESSAGE = (
    "handler `h` at @org/team\n::set-output name=x::y\r::add-mask::z <img src=x onerror=alert(1)> "
    "</details> [click](javascript:alert(1)) ![](http://127.0.0.1/x.png) \x1b[31mred\x1b[0m | @user"
)
SNIPPET = 'log("``` </details> <!-- readiness:scorecard project=evil --> @org/team")'
NOTE = "[click](javascript:alert(1)) ![](http://127.0.0.1/x.png)"
OWNER = "@org/team"
REASON = "</details>\n<!-- readiness:scorecard project=x -->\n# fake heading " + "R" * 65_536


def _finding(severity: Severity, waiver: Waiver | None = None) -> Finding:
    return Finding(
        "security/tls",
        Category.SECURITY,
        severity,
        "Is TLS verified?",
        "TLS certificates are verified",
        MESSAGE,
        (Evidence(PATH, 7, SNIPPET, NOTE), Evidence(note=NOTE)),
        "Verify certificates.",
        waived_by=waiver,
    )


def hostile() -> Assessment:
    waiver = Waiver("security/tls", REASON, OWNER, dt.date(2027, 1, 31))
    findings = (_finding(Severity.BLOCKER), _finding(Severity.RISK, waiver))
    failed = CheckOutcome(
        "security/tls", Category.SECURITY, "TLS certificates are verified", "q", Outcome.FAIL, "", findings
    )
    unassessed = CheckOutcome(
        "security/secrets",
        Category.SECURITY,
        "Secrets",
        "q",
        Outcome.NOT_ASSESSED,
        "could not parse " + MESSAGE,
    )
    answer = QuestionAnswer(
        "security.tls",
        Category.SECURITY,
        "Is TLS verified?",
        Answer.NO,
        ("security/tls",),
        MESSAGE,
        (Evidence(PATH, 7),),
    )
    info = CheckInfo(
        "security/tls",
        Category.SECURITY,
        "TLS certificates are verified",
        "q",
        Severity.BLOCKER,
        "r",
        "l",
        "fix",
    )
    return Assessment(
        project="p",
        root=".",
        generated_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        readiness_version="0.1.0",
        fail_on="blocker",
        categories=(CategoryResult(Category.SECURITY, (failed, unassessed), Light.RED, answers=(answer,)),),
        verdict=Verdict.NO_GO,
        justification="No-Go: could not parse " + MESSAGE,
        repo=RepoStats(1, ((PATH, "too large: " + MESSAGE),), (("@org/team <b>", PATH, "go"),)),
        scanners=(ScannerRun("semgrep", "1.0 | <b>", "not-assessed", MESSAGE, 1.0),),
        warnings=(MESSAGE,),
        parse_problems=(PATH + ": " + MESSAGE,),
        catalogue=(info,),
    )


# What the hostile message becomes as Markdown text, exactly: HTML as entities, link and image
# syntax escaped, mentions and the bare URL broken by a zero-width joiner, one line, no ANSI.
MESSAGE_MD = (
    f"handler `h` at @{ZWJ}org/team ::set-output name=x::y ::add-mask::z &lt;img src=x onerror=alert(1)&gt; "
    "&lt;/details&gt; \\[click\\]\\(javascript:alert(1)) "
    f"!\\[\\]\\(http:{ZWJ}//127.0.0.1/x.png) red \\| @{ZWJ}user"
)
NOTE_MD = f"\\[click\\]\\(javascript:alert(1)) !\\[\\]\\(http:{ZWJ}//127.0.0.1/x.png)"
PATH_CODE = f"`svc/<{ZWJ}img src=x onerror=alert(1)>.go:7`"
SNIPPET_CODE = (
    f'````log("``` <{ZWJ}/details> <{ZWJ}!-- readiness:scorecard project=evil --> @{ZWJ}org/team")````'
)
# As plain text (annotations, SARIF, logs): one line, no control characters, nothing escaped.
MESSAGE_PLAIN = (
    "handler `h` at @org/team ::set-output name=x::y ::add-mask::z <img src=x onerror=alert(1)> "
    "</details> [click](javascript:alert(1)) ![](http://127.0.0.1/x.png) red | @user"
)


def assert_inert_markdown(body: str, details: int) -> None:
    """No raw form of anything the author planted, whatever line it is on."""
    for planted in (
        "<img",
        "](javascript:",
        "](http:",
        "@org/team",
        "@user",
        "<!-- readiness:scorecard project=x",
        "\x1b",
        "\r",
    ):
        assert planted not in body, planted
    assert body.count("</details>") == details  # the template's own, not one more
    assert not re.search(r"^\s*(::|#+ fake)", body, re.M)  # no command, no planted heading


def test_the_comment_shows_hostile_text_inert() -> None:
    body = comment.render(hostile(), marker=MARKER, gating=True, footer="f")
    assert_inert_markdown(body, details=4)
    assert body.count("<!--") == 1 and body.startswith(MARKER + "\n")
    lines = body.splitlines()
    assert lines[3] == f"No-Go: could not parse {MESSAGE_MD}"
    assert (
        f"- **TLS certificates are verified** (`security/tls`) — {MESSAGE_MD} ({PATH_CODE}, {NOTE_MD})"
        in lines
    )
    assert f"- ❌ **no** — Is TLS verified? {MESSAGE_MD}" in lines
    assert f"- `security/secrets`: could not parse {MESSAGE_MD}" in lines


def test_the_report_shows_hostile_text_inert_and_bounded() -> None:
    body = markdown.render(hostile())
    assert_inert_markdown(body, details=0)
    lines = body.splitlines()
    assert f"   - {MESSAGE_MD} — {PATH_CODE}, {NOTE_MD}" in lines
    assert f"    - {PATH_CODE} ({NOTE_MD}): {SNIPPET_CODE}" in lines
    # The waiver's 64 KB reason is cut in its cell; the owner pings nobody; the row stays one row.
    (row,) = [line for line in lines if line.startswith("| `security/tls` |")]
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert len(cells) == 6
    shown = "</details> <!-- readiness:scorecard project=x --> # fake heading "
    cut = "R" * (inert.SHORT_LIMIT - 1 - len(shown)) + "…"
    assert (
        cells[3].strip()
        == "&lt;/details&gt; &lt;!-- readiness:scorecard project=x --&gt; # fake heading " + cut
    )
    assert cells[4].strip() == f"@{ZWJ}org/team"
    assert len(row) < 3000
    assert f"| semgrep | 1.0 \\| &lt;b&gt; | not-assessed | {MESSAGE_MD} | 1.0 s |" in lines
    assert f"- Service `@{ZWJ}org/team <{ZWJ}b>` (go) at `svc/<{ZWJ}img src=x onerror=alert(1)>.go`" in lines
    assert f"- {MESSAGE_MD}" in lines  # the warning


def test_sarif_messages_are_plain_and_uris_encoded() -> None:
    run = json.loads(sarif.render(hostile()))["runs"][0]
    blocker = run["results"][0]
    assert blocker["message"] == {"text": f"{MESSAGE_PLAIN} ({NOTE}; {NOTE})"}
    assert "markdown" not in blocker["message"]
    assert blocker["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "svc/%3Cimg%20src=x%20onerror=alert(1)%3E.go",
        "uriBaseId": "%SRCROOT%",
    }
    justification = run["results"][1]["suppressions"][0]["justification"]
    assert justification.startswith("</details> <!-- readiness:scorecard project=x --> # fake heading RRR")
    assert "\n" not in justification and len(justification) < 500
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"] == f"security/secrets was not assessed: could not parse {MESSAGE_PLAIN}"


def test_annotations_are_one_plain_line_on_the_real_path() -> None:
    (annotation,) = publish.annotations_for(hostile().findings(), "services/api/")
    assert annotation["path"] == f"services/api/{PATH}"  # exact: it has to name the file
    assert annotation["message"] == MESSAGE_PLAIN
    assert annotation["title"] == "TLS certificates are verified (security/tls)"


def test_workflow_commands_cannot_be_injected() -> None:
    stream = io.StringIO()
    assert workflow.annotate(hostile().findings(), stream) == 1
    workflow.log(stream, "warning", "scan of " + MESSAGE + "\n##[add-mask]secret")
    lines = stream.getvalue().splitlines()
    assert lines == [
        "::error file=svc/<img src=x onerror=alert(1)>.go,line=7,title=TLS certificates are verified "
        f"(security/tls)::{MESSAGE_PLAIN}",
        # Our own log messages keep their line breaks, escaped; no piece can start a command.
        "::warning::scan of handler `h` at @org/team"
        f"%0A:{ZWJ}:set-output name=x::y ::add-mask::z"
        + MESSAGE_PLAIN.split("::add-mask::z", 1)[1]
        + f"%0A##{ZWJ}[add-mask]secret",
    ]


def test_the_terminal_scorecard_and_junit_carry_no_control_characters() -> None:
    text = console.scorecard(hostile())
    assert "\x1b" not in text and "\r" not in text
    assert f"! semgrep did not run: {MESSAGE_PLAIN}" in text.splitlines()
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    xml = junit.render(hostile())
    assert "\x1b" not in xml and "\r" not in xml


def test_no_output_carries_a_legacy_workflow_command() -> None:
    """The runner reads ``##[command]`` anywhere in a line of the log, and every document can be
    printed there (``readiness scan --format ...`` in a workflow step): none carries one, and the
    machine outputs still hold the exact value."""
    planted = "##[stop-commands]token"
    base = hostile()
    finding = _finding(Severity.BLOCKER)
    finding = dataclasses.replace(
        finding, message=f"{planted} `{planted}`", evidence=(Evidence("a.go", 1, planted, planted),)
    )
    check = dataclasses.replace(base.categories[0].checks[0], findings=(finding,))
    category = dataclasses.replace(base.categories[0], checks=(check,))
    assessment = dataclasses.replace(base, categories=(category,), justification=planted, warnings=(planted,))
    stream = io.StringIO()
    workflow.annotate(assessment.findings(), stream)
    workflow.log(stream, "warning", planted)
    outputs = {
        "comment": comment.render(assessment, marker=MARKER, gating=True, footer="f"),
        "report": markdown.render(assessment),
        "sarif": sarif.render(assessment),
        "json": json_report.render(assessment),
        "junit": junit.render(assessment),
        "console": console.scorecard(assessment),
        "log": stream.getvalue(),
    }
    assert {name: "##[" in text for name, text in outputs.items()} == dict.fromkeys(outputs, False)
    (saved,) = json.loads(outputs["json"])["findings"]
    assert saved["message"] == f"{planted} `{planted}`" and saved["evidence"][0]["snippet"] == planted
    result = json.loads(outputs["sarif"])["runs"][0]["results"][0]
    assert result["message"]["text"] == f"{planted} `{planted}` ({planted})"
