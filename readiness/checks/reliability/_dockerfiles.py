"""Dockerfile stage helpers shared by the reliability checks."""

from __future__ import annotations

from readiness.parsers.dockerfile import Dockerfile, Instruction


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
