"""GitHub failing the way it does: writes land once, waits are capped, and retries stop in time.

Each test drives readiness.github.publish through readiness.github.client.connect (the Action's
client, with its retry layers) against the fake GitHub, with a WaitBudget whose clock is fake:
the waits are asserted as numbers, never timed.
"""

from __future__ import annotations

import time

import pytest
from github import GithubException

from readiness.github import publish
from readiness.github.client import (
    PER_WAIT,
    RUN_WAIT,
    WaitBudget,
    connect,
    wanted_wait,
)
from tests.github.fake_github import BOT_LOGIN, FakeGitHub

SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
PR = 2
OUTPUT = publish.CheckOutput("failure", "No-Go: 2 blocker(s), 1 risk(s)", "## summary", "## full report")
DETAILS = "https://github.com/octo-org/hello-world/actions/runs/1234"
BODY = "## ⛔ Production readiness: NO-GO\n\nTwo blockers."
TAG = publish.marker(".")


class Clock:
    """Stands in for time.sleep: records what would have been slept."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture(autouse=True)
def unpaced_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")  # PyGithub's pause between writes


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def budget(clock: Clock) -> WaitBudget:
    return WaitBudget(scale=1.0, sleep=clock.sleep)


def repo_on(fake: FakeGitHub, budget: WaitBudget, **options: int):  # type: ignore[no-untyped-def]
    fake.add_pull(PR, head_sha=SHA)
    return connect(fake.url, "ghs_token", budget=budget, **options).get_repo("octo-org/hello-world")


def notes(count: int) -> list[dict[str, str | int]]:
    return [
        {
            "path": "app.py",
            "start_line": i,
            "end_line": i,
            "annotation_level": "failure",
            "title": f"finding {i}",
            "message": f"message {i}",
        }
        for i in range(1, count + 1)
    ]


def operations(fake: FakeGitHub) -> list[str]:
    return [f"{r.operation_id} {r.status}" for r in fake.requests]


# -- the check run ------------------------------------------------------------------------------------


def test_a_check_run_post_answered_502_after_it_was_applied_leaves_one_check_run(
    fake_github: FakeGitHub, budget: WaitBudget
) -> None:
    repo = repo_on(fake_github, budget)
    fault = fake_github.fail(502, route="checks/create", applied=True)

    url = publish.check_run(repo, SHA, OUTPUT, notes(120), DETAILS, budget=budget)

    (run,) = fake_github.check_runs.values()
    assert fault.hits == 1
    assert (run.name, run.head_sha, run.status, run.conclusion) == (
        "production-readiness",
        SHA,
        "completed",
        "failure",
    )
    assert (run.title, run.summary, run.text, run.details_url) == (
        OUTPUT.title,
        OUTPUT.summary,
        OUTPUT.text,
        DETAILS,
    )
    assert [a["start_line"] for a in run.annotations] == list(range(1, 121))  # none twice
    assert run.external_id is not None and run.external_id.startswith("readiness-")
    assert url == f"https://github.com/octo-org/hello-world/runs/{run.id}"
    assert operations(fake_github) == [
        "checks/create 502",
        "checks/list-for-ref 200",  # found by name, head SHA and our external id...
        "checks/update 200",  # ...and brought to the final state, without its annotations again
        "checks/update 200",  # annotations 51-100
        "checks/update 200",  # annotations 101-120
    ]
    listed = fake_github.calls("checks/list-for-ref")[0]
    assert listed.query == {"check_name": "production-readiness", "filter": "all"}
    assert "annotations" not in fake_github.calls("checks/update")[0].body["output"]
    assert fake_github.calls("checks/update")[0].body["conclusion"] == "failure"
    assert budget.waits == [1.0]


def test_another_jobs_check_run_of_the_same_name_is_left_alone(
    fake_github: FakeGitHub, budget: WaitBudget
) -> None:
    repo = repo_on(fake_github, budget)
    other = fake_github.client(lazy=True).get_repo("octo-org/hello-world")
    theirs = other.create_check_run(
        "production-readiness",
        SHA,
        external_id="svc-b",
        conclusion="success",
        output={"title": "Go", "summary": "ok"},
    )
    fake_github.fail(502, route="checks/create", applied=True)

    publish.check_run(repo, SHA, OUTPUT, notes(3), DETAILS, budget=budget)

    assert sorted(fake_github.check_runs) == sorted([theirs.id, max(fake_github.check_runs)])
    mine = fake_github.check_runs[max(fake_github.check_runs)]
    untouched = fake_github.check_runs[theirs.id]
    assert (mine.conclusion, len(mine.annotations)) == ("failure", 3)
    assert (untouched.conclusion, untouched.title, untouched.annotations) == ("success", "Go", [])
    assert [r.path.rsplit("/", 1)[-1] for r in fake_github.calls("checks/update")] == [str(mine.id)]


def test_a_502_that_was_not_applied_is_posted_again_once(fake_github: FakeGitHub, budget: WaitBudget) -> None:
    repo = repo_on(fake_github, budget)
    fake_github.fail(502, route="checks/create")

    publish.check_run(repo, SHA, OUTPUT, [], DETAILS, budget=budget)

    (run,) = fake_github.check_runs.values()
    assert run.conclusion == "failure"
    assert operations(fake_github) == ["checks/create 502", "checks/list-for-ref 200", "checks/create 201"]


def test_a_rate_limited_post_was_not_applied_so_nothing_is_looked_up(
    fake_github: FakeGitHub, budget: WaitBudget
) -> None:
    repo = repo_on(fake_github, budget)
    fake_github.fail(429, route="checks/create", retry_after=5)

    publish.check_run(repo, SHA, OUTPUT, [], DETAILS, budget=budget)

    assert len(fake_github.check_runs) == 1
    assert operations(fake_github) == ["checks/create 429", "checks/create 201"]
    assert budget.waits == [5.0]


def test_a_post_whose_answer_timed_out_is_found_not_repeated(
    fake_github: FakeGitHub, budget: WaitBudget
) -> None:
    repo = repo_on(fake_github, budget, timeout=1)  # PyGithub's shortest
    fake_github.slow(1.5, route="checks/create", applied=True)  # stored, then the answer is late

    publish.check_run(repo, SHA, OUTPUT, notes(2), DETAILS, budget=budget)

    (run,) = fake_github.check_runs.values()
    assert (run.conclusion, len(run.annotations)) == ("failure", 2)
    assert [r.operation_id for r in fake_github.requests] == [
        "checks/create",
        "checks/list-for-ref",
        "checks/update",
    ]


def test_annotations_a_502_hid_are_not_appended_twice(fake_github: FakeGitHub, budget: WaitBudget) -> None:
    repo = repo_on(fake_github, budget)
    fake_github.fail(502, route="checks/update", applied=True)

    publish.check_run(repo, SHA, OUTPUT, notes(60), DETAILS, budget=budget)

    (run,) = fake_github.check_runs.values()
    assert [a["start_line"] for a in run.annotations] == list(range(1, 61))
    assert operations(fake_github) == ["checks/create 201", "checks/update 502", "checks/get 200"]


# -- the comment --------------------------------------------------------------------------------------


def test_a_comment_post_answered_502_after_it_was_applied_leaves_one_comment(
    fake_github: FakeGitHub, budget: WaitBudget
) -> None:
    repo = repo_on(fake_github, budget)
    fake_github.add_comment(PR, "LGTM", user="octocat")
    fake_github.fail(502, route="issues/create-comment", applied=True)

    url = publish.upsert_comment(repo, PR, BODY, ".", "update", budget=budget)

    human, ours = fake_github.comments(PR)
    assert human.body == "LGTM"
    assert (ours.body, ours.user.login) == (f"{TAG}\n{BODY}", BOT_LOGIN)
    assert url.endswith(f"#issuecomment-{ours.id}")
    assert operations(fake_github) == [
        "issues/list-comments 200",
        "issues/create-comment 502",
        "issues/list-comments 200",  # looked for again: there it is, so it is edited, not posted
        "issues/update-comment 200",
    ]


def test_in_new_mode_a_502_after_apply_adopts_the_new_comment_not_an_older_twin(
    fake_github: FakeGitHub, budget: WaitBudget
) -> None:
    repo = repo_on(fake_github, budget)
    older = fake_github.add_comment(PR, f"{TAG}\n{BODY}", user=BOT_LOGIN)  # the same verdict, last run
    fake_github.fail(502, route="issues/create-comment", applied=True)

    url = publish.upsert_comment(repo, PR, BODY, ".", "new", budget=budget)

    first, second = fake_github.comments(PR)
    assert first is older and second.body == older.body
    assert url.endswith(f"#issuecomment-{second.id}")
    assert operations(fake_github) == [
        "issues/list-comments 200",
        "issues/create-comment 502",
        "issues/list-comments 200",
    ]


def test_six_429s_in_a_row_are_waited_out(fake_github: FakeGitHub, budget: WaitBudget, clock: Clock) -> None:
    repo = repo_on(fake_github, budget)
    fault = fake_github.fail(429, times=6, route="issues/create-comment")

    publish.upsert_comment(repo, PR, BODY, ".", "update", budget=budget)

    assert fault.hits == 6 and len(fake_github.comments(PR)) == 1
    assert budget.waits == [60.0] * 6  # no Retry-After: GitHub asks for a minute
    assert clock.slept == [60.0] * 6


def test_seven_429s_in_a_row_give_up_saying_how_often_and_why(
    fake_github: FakeGitHub, budget: WaitBudget
) -> None:
    repo = repo_on(fake_github, budget)
    fault = fake_github.fail(429, times=7, route="issues/create-comment")

    with pytest.raises(publish.PublishError) as failure:
        publish.upsert_comment(repo, PR, BODY, ".", "update", budget=budget)

    assert (failure.value.attempts, failure.value.cause) == (7, "rate limited")
    assert str(failure.value).startswith("cannot post the PR comment: GitHub answered 429 You have exceeded")
    assert str(failure.value).endswith("(gave up after 7 attempts)")
    assert fault.hits == 7 and fake_github.comments(PR) == []
    assert budget.waits == [60.0] * 6 and not budget.exhausted


# -- capped waits and the run's budget ------------------------------------------------------------------


def test_retry_after_3600_on_a_post_costs_a_minute(
    fake_github: FakeGitHub, budget: WaitBudget, clock: Clock
) -> None:
    repo = repo_on(fake_github, budget)
    fake_github.fail(429, route="issues/create-comment", retry_after=3600)

    publish.upsert_comment(repo, PR, BODY, ".", "update", budget=budget)

    assert len(fake_github.comments(PR)) == 1
    assert budget.waits == [PER_WAIT] == [60.0] and clock.slept == [60.0]


@pytest.mark.parametrize(
    ("status", "options"),
    [
        (429, {"retry_after": 3600}),  # urllib3's Retry-After handling
        (429, {}),  # no time named: a minute, as for a secondary rate limit
        (403, {"retry_after": 3600}),  # a secondary rate limit with Retry-After
        (403, {}),  # a secondary rate limit without: GithubRetry's secondary wait
        (403, {"primary": True, "retry_after": 3600}),  # the primary limit, reset in an hour
    ],
)
def test_rate_limits_on_a_get_are_waited_out_for_at_most_a_minute(
    fake_github: FakeGitHub, budget: WaitBudget, clock: Clock, status: int, options: dict[str, object]
) -> None:
    repo = repo_on(fake_github, budget)
    fault = fake_github.fail(status, route="issues/list-comments", **options)  # type: ignore[arg-type]

    publish.upsert_comment(repo, PR, BODY, ".", "update", budget=budget)

    assert fault.hits == 1 and len(fake_github.comments(PR)) == 1
    assert [r.status for r in fake_github.calls("issues/list-comments")] == [status, 200]
    assert budget.waits == [60.0] and clock.slept == [60.0]


def test_the_runs_ten_minutes_stop_retries(fake_github: FakeGitHub, budget: WaitBudget) -> None:
    """Retry-After: 3600 on every write: the comment waits six minutes and gives up after seven
    tries, the check run gets the four minutes left, and then nothing more is waited for."""
    repo = repo_on(fake_github, budget)
    comments = fake_github.fail(429, times=50, route="issues/create-comment", retry_after=3600)
    checks = fake_github.fail(429, times=50, route="checks/create", retry_after=3600)
    statuses = fake_github.fail(503, times=50, route="repos/create-commit-status")

    with pytest.raises(publish.PublishError) as comment:
        publish.upsert_comment(repo, PR, BODY, ".", "update", budget=budget)
    with pytest.raises(publish.PublishError) as check:
        publish.check_run(repo, SHA, OUTPUT, [], DETAILS, budget=budget)
    with pytest.raises(publish.PublishError) as status:
        publish.commit_status(repo, SHA, "failure", "No-Go", DETAILS, budget=budget)

    assert (comments.hits, comment.value.attempts, comment.value.cause) == (7, 7, "rate limited")
    assert (checks.hits, check.value.attempts) == (5, 5)
    assert check.value.cause == "rate limited; the run's 10 minutes of waiting for GitHub are spent"
    assert (statuses.hits, status.value.attempts) == (1, 1)
    assert status.value.cause == "GitHub answered 503; the run's 10 minutes of waiting for GitHub are spent"
    assert budget.waits == [60.0] * 10 and budget.spent == RUN_WAIT
    assert budget.refused == 2
    assert fake_github.comments(PR) == [] and fake_github.check_runs == {} and fake_github.statuses(SHA) == []


def test_a_spent_budget_stops_the_retries_inside_a_get_too(fake_github: FakeGitHub, clock: Clock) -> None:
    spent = WaitBudget(total=0.0, scale=1.0, sleep=clock.sleep)
    repo = repo_on(fake_github, spent)
    fault = fake_github.fail(503, times=50, route="issues/list-comments")

    with pytest.raises(publish.PublishError) as failure:
        publish.upsert_comment(repo, PR, BODY, ".", "update", budget=spent)

    # urllib3's first retry is immediate (free); its second would wait 2 s, which is refused and
    # hands GitHub's 503 to with_retries, whose wait is refused too.
    assert fault.hits == 2 and spent.waits == [0.0] and spent.refused == 2
    assert (failure.value.attempts, failure.value.cause) == (
        1,
        "GitHub answered 503; the run's 10 minutes of waiting for GitHub are spent",
    )
    assert clock.slept == []


# -- the pieces -----------------------------------------------------------------------------------------


def test_the_budget_caps_each_wait_and_all_of_them() -> None:
    slept: list[float] = []
    budget = WaitBudget(per_wait=60.0, total=150.0, scale=0.5, sleep=slept.append)
    assert budget.take(3600.0) and budget.take(30.0) and budget.take(-5.0) and budget.take(61.0)
    assert budget.waits == [60.0, 30.0, 0.0, 60.0] and budget.spent == 150.0 and not budget.exhausted
    assert not budget.take(0.5)
    assert budget.exhausted and budget.refused == 1 and budget.spent == 150.0
    assert slept == [30.0, 15.0, 30.0]  # scaled; a zero wait sleeps not at all

    nearly = WaitBudget(total=100.0, scale=1.0, sleep=slept.append)
    assert nearly.take(60.0) and nearly.take(30.0)
    assert not nearly.take(20.0)  # 10 s are left, but a wait cut short would only be refused again
    assert nearly.waits == [60.0, 30.0] and nearly.refused == 1


def test_the_wait_github_asks_for() -> None:
    def error(status: int, headers: dict[str, str], message: str = "x") -> GithubException:
        return GithubException(status, {"message": message}, headers)

    assert wanted_wait(error(429, {"Retry-After": "3600"}), 1) == 3600.0  # the budget caps it, not this
    reset = str(int(time.time()) + 100)
    primary = error(
        403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, "API rate limit exceeded"
    )
    assert 99.0 <= wanted_wait(primary, 1) <= 101.0
    assert wanted_wait(error(403, {}, "You have exceeded a secondary rate limit"), 1) == 60.0
    assert wanted_wait(error(429, {"Retry-After": "soon"}), 1) == 60.0
    assert [wanted_wait(error(502, {}), attempt) for attempt in (1, 2, 3)] == [1.0, 2.0, 4.0]
