from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "compliance/gdpr-data-flows"

GO_OPENRTB = """
package openrtb

// Device describes the user's device; ip is personal data.
type Device struct {
	UA string `json:"ua"`
	IP string `json:"ip,omitempty"`
}
"""

GO_IP_WITHOUT_DEVICE = """
package server

type Listener struct {
	IP string `json:"ip"`
}
"""

GO_ACCESS = """
package bidder

func key(req *openrtb.BidRequest) string {
	return req.User.BuyerUID
}
"""

PYTHON_ACCESS = """
def enrich(request):
    # device["ip"] is masked below
    ip = request["device"]["ip"]
    return ip
"""

MIGRATION = """
CREATE TABLE bid_events (
    ts timestamptz NOT NULL,
    -- the device's address, needed for fraud checks
    device_ip inet,
    price numeric(10, 4)
);
"""

PROTO = 'syntax = "proto3";\nmessage Device {\n  string ua = 1;\n  string ifa = 2;\n}\n'

DATA_FLOWS = """
# Personal data flows

| field     | source      | sent to          | stored     | retention |
| device.ip | bid request | bidders (masked) | bid_events | 30 days   |
| user.buyeruid | bid request | bidders      | no         | -         |
"""

PRIVACY_SECTION = """
# Architecture

## Privacy and GDPR
The bidder masks the last octet of device.ip before sending it to bidders.
TCF consent strings are checked before any user ID is forwarded.
Events keep personal data for 30 days.
"""

FAIL_CASES = [
    ("go struct with ip tag next to Device", {"openrtb/device.go": GO_OPENRTB}, [("openrtb/device.go", 6)]),
    ("go field access", {"bidder/key.go": GO_ACCESS}, [("bidder/key.go", 4)]),
    ("python access, comment skipped", {"enrich.py": PYTHON_ACCESS}, [("enrich.py", 3)]),
    ("sql column, comment above it", {"migrations/001.sql": MIGRATION}, [("migrations/001.sql", 4)]),
    ("protobuf field", {"proto/device.proto": PROTO}, [("proto/device.proto", 4)]),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in FAIL_CASES], ids=[c[0] for c in FAIL_CASES])
def test_personal_data_without_data_flow_document(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int]]
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files))
    assert result.outcome is Outcome.FAIL
    assert locations(result) == expected
    failure = result.failures[0]
    assert "no privacy/data-flow document" in failure.message
    assert failure.evidence[-1].path is None and "DPIA" in (failure.evidence[-1].note or "")


def test_every_file_is_listed_once(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"openrtb/device.go": GO_OPENRTB, "migrations/001.sql": MIGRATION, "enrich.py": PYTHON_ACCESS},
    )
    result = run_check(CHECK, tmp_path)
    assert [(e.path, e.line, e.note) for e in result.failures[0].evidence[:-1]] == [
        ("enrich.py", 3, "OpenRTB field access"),
        ("migrations/001.sql", 4, "SQL column bid_events.device_ip"),
        ("openrtb/device.go", 6, "OpenRTB device IP"),
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"openrtb/device.go": GO_OPENRTB, "docs/privacy/data-flows.md": DATA_FLOWS},
            [("docs/privacy/data-flows.md", 1)],
        ),
        (
            {"migrations/001.sql": MIGRATION, "docs/architecture.md": PRIVACY_SECTION},
            [("docs/architecture.md", 3)],
        ),
    ],
    ids=["data-flow document", "privacy section of a larger document"],
)
def test_documented_data_flows_pass(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int]]
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files))
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == expected


def test_stub_privacy_document_does_not_count(tmp_path: Path) -> None:
    write_tree(tmp_path, {"openrtb/device.go": GO_OPENRTB, "PRIVACY.md": "# Privacy\n\nTODO\n"})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert [(e.path, e.line) for e in result.failures[0].evidence] == [
        ("openrtb/device.go", 6),
        ("PRIVACY.md", 1),
        (None, None),
    ]


@pytest.mark.parametrize(
    "files",
    [{"server/listener.go": GO_IP_WITHOUT_DEVICE}, {"README.md": "We handle device.ip carefully.\n"}],
    ids=["ip tag without an OpenRTB Device", "prose only"],
)
def test_not_applicable_without_personal_data(tmp_path: Path, files: dict[str, str]) -> None:
    assert run_check(CHECK, write_tree(tmp_path, files)).outcome is Outcome.NOT_APPLICABLE


GO_CONSENT = """
package bidder

func allowed(req *BidRequest) bool {
	if req.Regs != nil && req.Regs.Ext != nil && req.Regs.Ext.GDPR != nil && *req.Regs.Ext.GDPR == 1 {
		return req.User != nil && req.User.Consent != ""
	}
	return true
}
"""

PY_TCF = """
from iabtcf import decode


def purposes(consent: str) -> set[int]:
    return decode(consent).purposes_consent
"""


def test_consent_handling_in_code_counts_as_evidence(tmp_path: Path) -> None:
    service = {
        "bidder/go.mod": "module x\n",
        "bidder/openrtb.go": GO_OPENRTB,
        "bidder/consent.go": GO_CONSENT,
    }
    write_tree(tmp_path / "undocumented", service)
    result = run_check(CHECK, tmp_path / "undocumented")
    (failure,) = result.failures
    assert failure.severity is Severity.RECOMMENDATION
    assert "consent signals are honoured in code" in failure.message
    assert ("bidder/consent.go", 4, "consent signal read") in [
        (e.path, e.line, e.note) for e in failure.evidence
    ]

    write_tree(
        tmp_path / "documented",
        {
            **service,
            "idr/pyproject.toml": "[project]\nname='idr'\n",
            "idr/tcf.py": PY_TCF,
            "docs/privacy.md": DATA_FLOWS,
        },
    )
    result = run_check(CHECK, tmp_path / "documented")
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [
        ("docs/privacy.md", 1),
        ("bidder/consent.go", 4),
        ("idr/tcf.py", 1),
    ]


def test_without_consent_handling_the_gap_stays_a_risk(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bidder/go.mod": "module x\n", "bidder/openrtb.go": GO_OPENRTB})
    (failure,) = run_check(CHECK, tmp_path).failures
    assert failure.severity is None
    assert "no service code reads the consent signals" in failure.message


FEATURES = """
# Feeds

## Privacy and Security

- Removes pixel trackers.
- Strips tracking parameters from URLs.
- Opens external links with rel=noopener.
- Blocks external JavaScript.
- Sanitizes external content before rendering it.
"""


def test_a_privacy_section_that_lists_features_is_not_a_data_flow_record(tmp_path: Path) -> None:
    write_tree(tmp_path, {"openrtb/device.go": GO_OPENRTB, "README.md": FEATURES})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    first = result.failures[0].evidence[0]
    assert (first.path, first.line) == ("openrtb/device.go", 6)
