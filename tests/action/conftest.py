from tests.github.conftest import fake_artifacts, fake_ghes, fake_github

__all__ = ["fake_artifacts", "fake_ghes", "fake_github"]
