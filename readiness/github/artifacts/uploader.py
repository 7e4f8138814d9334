"""Uploading the checkpoint after every completed category, without slowing the scan down.

The engine saves the checkpoint files and then calls its ``on_category`` callback; the uploader
reads the files right then (a snapshot, since the engine rewrites them for the next category) and
uploads them on a worker thread while the scan goes on. When categories finish faster than
uploads, only the newest snapshot is sent: each upload holds the whole state so far. A run killed
mid-way leaves its last finished upload behind.

Uploads are best effort: a failure is one warning line, the scan is never failed by it, and after
repeated failures the uploader stops trying for the rest of the run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import requests

from readiness import checkpoint
from readiness.github import workflow
from readiness.github.artifacts import names
from readiness.github.artifacts.service import ArtifactClient, ArtifactError
from readiness.render import inert

# say(level, message): level is "info" (a plain log line), "notice" or "warning".
Say = Callable[[str, str], None]
MAX_FAILURES = 2


def say_to(out: TextIO) -> Say:
    """Log lines for the workflow log: "info" as plain text, the others as ::notice::/::warning::."""
    lock = threading.Lock()  # uploads report from a worker thread while the scan prints

    def say(level: str, message: str) -> None:
        with lock:
            if level == "info":
                out.write(inert.log_line(message, 4000) + "\n")  # may quote artifact names
            else:
                workflow.log(out, level, message)

    return say


class CheckpointUploader:
    def __init__(
        self,
        client: ArtifactClient,
        branch: str,
        markdown_path: Path,
        *,
        retention_days: int | None = names.DEFAULT_RETENTION_DAYS,
        say: Say,
        background: bool = True,
    ) -> None:
        self.client = client
        self.branch = branch
        self.markdown_path = markdown_path
        self.retention_days = retention_days
        self.say = say
        self.background = background
        self.uploaded: list[tuple[str, int]] = []  # (name, artifact id), in order
        self.failures = 0
        self._completed = 0
        self._pending: tuple[int, dict[str, bytes]] | None = None
        self._closing = False
        self._condition = threading.Condition()
        self._worker: threading.Thread | None = None

    @property
    def stopped(self) -> bool:
        return self.failures >= MAX_FAILURES

    def after_category(self, _result: object = None, *, completed: int | None = None) -> None:
        """Call after the engine has saved the checkpoint for a finished category (usable as, or
        from, ``assess``'s ``on_category``). ``completed`` defaults to counting the calls."""
        self._completed = completed if completed is not None else self._completed + 1
        if self.stopped:
            return
        snapshot = self._snapshot()
        if snapshot is None:
            return
        if not self.background:
            self._upload(self._completed, snapshot)
            return
        with self._condition:
            self._pending = (self._completed, snapshot)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="checkpoint-upload", daemon=True)
                self._worker.start()
            self._condition.notify_all()

    def close(self, timeout: float | None = 120.0) -> int | None:
        """Wait for the last upload (at most ``timeout`` seconds); the newest artifact id, if any."""
        with self._condition:
            self._closing = True
            self._condition.notify_all()
            worker = self._worker
        if worker is not None:
            worker.join(timeout)
            if worker.is_alive():
                self.say("warning", f"the last checkpoint upload did not finish within {timeout:.0f} s")
        return self.uploaded[-1][1] if self.uploaded else None

    def _snapshot(self) -> dict[str, bytes] | None:
        json_path = checkpoint.json_path_for(self.markdown_path)
        try:
            return {
                json_path.name: json_path.read_bytes(),
                self.markdown_path.name: self.markdown_path.read_bytes(),
            }
        except OSError as error:
            self.say("warning", f"cannot read the checkpoint to upload it: {error}")
            return None

    def _work(self) -> None:
        while True:
            with self._condition:
                while self._pending is None and not self._closing:
                    self._condition.wait()
                if self._pending is None:
                    return
                completed, files = self._pending
                self._pending = None
            if not self.stopped:
                self._upload(completed, files)

    def _upload(self, completed: int, files: dict[str, bytes]) -> None:
        name = names.upload_name(self.branch, completed)
        try:
            artifact_id = self.client.upload(name, files, self.retention_days)
        except (ArtifactError, requests.RequestException) as error:
            self.failures += 1
            tail = "; no more checkpoint uploads in this run" if self.stopped else "; the scan goes on"
            self.say("warning", f"checkpoint upload {name} failed: {error}{tail}"[:600])
            return
        self.failures = 0
        previous = self.uploaded[-1][0] if self.uploaded else None
        self.uploaded.append((name, artifact_id))
        self.say("info", f"checkpoint uploaded as artifact {name} (id {artifact_id})")
        if previous is not None and previous != name:
            # The newer upload holds everything the older one did: keep one per run.
            try:
                self.client.delete(previous)
            except (ArtifactError, requests.RequestException) as error:
                self.say("info", f"could not delete the superseded artifact {previous}: {error}"[:400])
