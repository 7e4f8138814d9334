from pathlib import Path

from readiness import answers, catalogue, registry, scoring, seed
from readiness.model import Category

DOCS = Path(__file__).resolve().parent.parent / "docs" / "checks.md"


def test_every_category_has_at_least_two_checks() -> None:
    for category in Category:
        assert len(registry.checks_for(category)) >= 2, category


def test_every_check_documents_itself() -> None:
    for spec in registry.all_checks():
        assert spec.title and spec.rationale and spec.looks_at and spec.remediation, spec.id
        assert spec.question in seed.ALL


def test_docs_are_generated_from_the_registry() -> None:
    assert DOCS.read_text(encoding="utf-8") == catalogue.markdown(), (
        "docs/checks.md is stale: run `readiness docs`"
    )


def test_ids_are_stable_in_form() -> None:
    for spec in registry.all_checks():
        category, name = spec.id.split("/")
        assert category == spec.category.value and name == name.lower()


def test_every_seed_question_is_answered_by_a_check() -> None:
    answered = {spec.question for spec in registry.all_checks()}
    assert [q.text for q in seed.ALL if q not in answered] == []
    assert len(seed.ALL) == 38  # the review's bullets: 5+5+5+5+5+5+4+4


def test_the_readme_states_the_answer_and_light_rules_as_the_code_applies_them() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name, meaning in (*answers.ANSWER_RULES, *scoring.LIGHT_RULES):
        assert f"- **{name}**: {meaning}" in readme, name
