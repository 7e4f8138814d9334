"""The accuracy benchmark runs end to end on the smallest corpus repository. It measures; this
test only checks that it works: every question gets an answer and the JSON figures parse."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from readiness import seed
from tests import shared_data

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = shared_data.shared("corpus")
sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.mark.slow
@shared_data.requires_shared("corpus/prebid-cache.yaml", "the real corpus")
@pytest.mark.skipif(shutil.which("semgrep") is None, reason="semgrep is not on PATH")
def test_the_benchmark_answers_every_question_of_a_real_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import accuracy

    figures = tmp_path / "accuracy.json"
    kept = tmp_path / "scans"
    assert accuracy.main(["--only", "prebid-cache", "--json", str(figures), "--keep", str(kept)]) == 0
    data = json.loads(figures.read_text(encoding="utf-8"))
    (repository,) = data["repositories"]
    assert repository["name"] == "prebid-cache"
    assert repository["answers_total"] == len(seed.ALL)
    assert 0 <= data["overall"]["agreement"] <= 1
    scanned = json.loads((kept / "prebid-cache.json").read_text(encoding="utf-8"))
    assert sorted(a["question"] for a in scanned["answers"]) == sorted(q.key for q in seed.ALL)
    assert all(a["answer"] in {"yes", "partial", "no", "n/a", "unknown"} for a in scanned["answers"])
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("prebid-cache")
    assert "overall: answers" in out
