from pathlib import Path

import pytest

from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "reliability/graceful-shutdown"
GO_MOD = "module example.com/bidder\n\ngo 1.22\n"

NO_SHUTDOWN = """
package main

import (
	"log"
	"net/http"
)

func main() {
	mux := http.NewServeMux()
	log.Fatal(http.ListenAndServe(":8080", mux))
}
"""

SIGNAL_ONLY = """
package main

import (
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	srv := &http.Server{Addr: ":8080"}
	go srv.ListenAndServe()
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM)
	<-ch
	os.Exit(0)
}
"""

DRAINS = """
package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	srv := &http.Server{Addr: ":8080", ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { _ = srv.ListenAndServe() }()
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
}
"""

WORKER = """
package main

func main() {
	for {
	}
}
"""


@pytest.mark.slow
def test_server_without_signal_handling_is_a_blocker(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bidder/go.mod": GO_MOD, "bidder/main.go": NO_SHUTDOWN})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("bidder/main.go", 10)]
    assert "never catches SIGTERM" in result.failures[0].message


@pytest.mark.slow
def test_signal_without_shutdown_and_exit_in_handler(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bidder/go.mod": GO_MOD, "bidder/main.go": SIGNAL_ONLY})
    result = run_check(CHECK, tmp_path)
    assert locations(result) == [("bidder/main.go", 12), ("bidder/main.go", 16)]
    assert "never calls Shutdown" in result.failures[0].message
    assert result.failures[1].severity is Severity.RISK


@pytest.mark.slow
def test_draining_server_passes_and_workers_are_not_applicable(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bidder/go.mod": GO_MOD,
            "bidder/main.go": DRAINS,
            "worker/go.mod": "module example.com/worker\n",
            "worker/main.go": WORKER,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("bidder/main.go", 14), ("bidder/main.go", 20)]
    write_tree(tmp_path / "w", {"worker/go.mod": "module example.com/worker\n", "worker/main.go": WORKER})
    assert run_check(CHECK, tmp_path / "w").outcome is Outcome.NOT_APPLICABLE
