from pathlib import Path

import pytest

from readiness.model import Answer, Outcome
from tests.support import locations, run_check, write_tree

SIZE = "security/request-size-limits"
VALIDATION = "security/input-validation"
OPENRTB = "security/openrtb-validation"

# The adtech shape: OpenRTB structs, decoded straight from the body, never checked.
UNCHECKED_OPENRTB = """
package main

type BidRequest struct {
	ID     string  `json:"id"`
	Imp    []Imp   `json:"imp"`
	Site   *Site   `json:"site,omitempty"`
	Device *Device `json:"device,omitempty"`
	TMax   int     `json:"tmax,omitempty"`
}

type Imp struct {
	ID       string  `json:"id"`
	BidFloor float64 `json:"bidfloor,omitempty"`
}

type Site struct {
	ID string `json:"id,omitempty"`
}

type Device struct {
	IP string `json:"ip,omitempty"`
}
"""

AUCTION = """
package main

import (
	"encoding/json"
	"net/http"
)

func (ex *exchange) handleAuction(w http.ResponseWriter, r *http.Request) {
	var req BidRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "invalid bid request", http.StatusBadRequest)
		return
	}
	if req.Device != nil {
		ex.resolve(&req)
	}
}
"""

# The ready-service shape: a body limit and a Validate method covering the four required fields.
VALIDATED_OPENRTB = (
    UNCHECKED_OPENRTB
    + """
func (r *BidRequest) Validate() error {
	if r.ID == "" || len(r.ID) > 64 {
		return errBadRequest
	}
	if n := len(r.Imp); n < 1 || n > 20 {
		return errBadRequest
	}
	if r.TMax != 0 && (r.TMax < 20 || r.TMax > 1000) {
		return errBadRequest
	}
	for _, imp := range r.Imp {
		if imp.BidFloor < 0 {
			return errBadRequest
		}
	}
	if r.Device != nil && net.ParseIP(r.Device.IP) == nil {
		return errBadRequest
	}
	return nil
}
"""
)

PRICE = """
package main

import (
	"encoding/json"
	"net/http"
)

func (s *service) handlePrice(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	var req BidRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "malformed", http.StatusBadRequest)
		return
	}
	if err := req.Validate(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
}
"""

ADMIN = """
package main

import (
	"encoding/json"
	"io"
	"net/http"
)

func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		next.ServeHTTP(w, r)
	})
}

func handleImport(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	var rows []row
	_ = json.Unmarshal(data, &rows)
}
"""

PY_HANDLERS = """
from fastapi import FastAPI, Request
from pydantic import BaseModel

app = FastAPI()


class ResolveRequest(BaseModel):
    publisher_id: str


@app.post("/resolve")
async def resolve(body: ResolveRequest):
    return body


@app.post("/raw")
async def raw(request: Request):
    payload = await request.json()
    return payload["id"]


@app.post("/checked")
async def checked(request: Request):
    body = ResolveRequest.model_validate(await request.json())
    return body
"""


@pytest.mark.slow
def test_unchecked_bodies_and_unvalidated_openrtb_fields(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bidder/go.mod": "module example.com/bidder\n",
            "bidder/openrtb.go": UNCHECKED_OPENRTB,
            "bidder/auction.go": AUCTION,
            "admin/go.mod": "module example.com/admin\n",
            "admin/main.go": ADMIN,
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app.py": PY_HANDLERS,
        },
    )
    size = run_check(SIZE, tmp_path)
    # admin wraps every route in a MaxBytesReader middleware: only the bidder's read is unbounded.
    assert size.outcome is Outcome.FAIL
    assert locations(size) == [("bidder/auction.go", 10)]

    validation = run_check(VALIDATION, tmp_path)
    assert locations(validation) == [("admin/main.go", 19), ("bidder/auction.go", 10), ("idr/app.py", 18)]
    assert "'req'" in validation.failures[1].message
    assert [(e.path, e.line) for e in validation.evidence] == []

    openrtb = run_check(OPENRTB, tmp_path)
    assert openrtb.outcome is Outcome.FAIL
    assert locations(openrtb) == [("bidder/openrtb.go", 4)]
    fields = [(e.path, e.line) for e in openrtb.failures[0].evidence]
    assert fields == [
        ("bidder/openrtb.go", 4),
        ("bidder/openrtb.go", 5),
        ("bidder/openrtb.go", 8),
        ("bidder/openrtb.go", 13),
    ]
    assert openrtb.failures[0].message == (
        "OpenRTB fields used without validation: BidRequest.id (non-empty, bounded id), BidRequest.imp "
        "(imp count within bounds), BidRequest.tmax (tmax within a range), Imp.bidfloor (bidfloor >= 0)"
    )
    assert openrtb.summary == "validated: none; not validated: BidRequest, Device, Imp, Site"


@pytest.mark.slow
def test_limited_and_validated_bodies_pass(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/openrtb.go": VALIDATED_OPENRTB,
            "pricing/service.go": PRICE,
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app.py": PY_HANDLERS.split('@app.post("/raw")')[0],
        },
    )
    size = run_check(SIZE, tmp_path)
    assert size.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in size.evidence] == [("pricing/service.go", 9)]
    validation = run_check(VALIDATION, tmp_path)
    assert validation.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in validation.evidence] == [("pricing/service.go", 11)]
    openrtb = run_check(OPENRTB, tmp_path)
    assert openrtb.outcome is Outcome.PASS, openrtb.failures
    assert openrtb.summary == (
        "validated: BidRequest (id, imp, tmax); Device (ip); Imp (bidfloor); not validated: Site"
    )


@pytest.mark.slow
def test_pydantic_openrtb_models_and_nothing_to_judge(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "rtb/pyproject.toml": "[project]\nname = 'rtb'\n",
            "rtb/models.py": """
            from pydantic import BaseModel, Field, field_validator


            class Imp(BaseModel):
                id: str = Field(min_length=1, max_length=64)
                bidfloor: float = 0.0


            class BidRequest(BaseModel):
                id: str = Field(min_length=1, max_length=64)
                imp: list[Imp] = Field(min_length=1, max_length=20)
                tmax: int | None = None

                @field_validator("tmax")
                @classmethod
                def sane_tmax(cls, value):
                    return value
            """,
        },
    )
    openrtb = run_check(OPENRTB, tmp_path)
    assert openrtb.outcome is Outcome.FAIL
    assert openrtb.failures[0].message == (
        "OpenRTB fields used without validation: Imp.bidfloor (bidfloor >= 0)"
    )
    assert [(e.path, e.line) for e in openrtb.failures[0].evidence] == [("rtb/models.py", 6)]
    assert openrtb.summary == "validated: BidRequest (id, imp, tmax); Imp (id); not validated: none"
    write_tree(
        tmp_path / "none", {"svc/go.mod": "module x\n", "svc/main.go": "package main\n\nfunc main() {}\n"}
    )
    for check_id in (SIZE, VALIDATION, OPENRTB):
        assert run_check(check_id, tmp_path / "none").outcome is Outcome.NOT_APPLICABLE, check_id


@pytest.mark.slow
def test_schema_models_validate_and_a_size_limit_alone_is_partial(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "fastapi",
        {
            "api/pyproject.toml": "[project]\nname = 'api'\n",
            "api/models.py": "from pydantic import BaseModel, Field\n\n\nclass Item(BaseModel):\n"
            "    title: str = Field(min_length=1, max_length=255)\n",
            "api/routes.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
        },
    )
    schemas = run_check(VALIDATION, tmp_path / "fastapi")
    assert schemas.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in schemas.evidence] == [("api/models.py", 4)]

    bounded_only = PRICE.replace("if err := req.Validate(); err != nil", "if false")
    write_tree(
        tmp_path / "go",
        {"pricing/go.mod": "module example.com/pricing\n", "pricing/service.go": bounded_only},
    )
    size = run_check(SIZE, tmp_path / "go")
    assert size.outcome is Outcome.PASS
    assert size.answer is Answer.PARTIAL


# A validation counts for a decode only when it follows the decode, in the same function, and
# checks the decoded variable: one check of a same-named value elsewhere validates nothing.
PAIRING = """package main

import (
	"encoding/json"
	"net/http"
)

func handleValidated(w http.ResponseWriter, r *http.Request) {
	var in input
	err := json.NewDecoder(r.Body).Decode(&in)
	if err != nil {
		return
	}
	if err := checkInput(&in); err != nil {
		return
	}
}

func handleCheckedTooEarly(w http.ResponseWriter, r *http.Request) {
	var in input
	if in.Name == "" {
		in.Name = "default"
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
}

func handleOtherValueChecked(w http.ResponseWriter, r *http.Request) {
	var in, other input
	if json.NewDecoder(r.Body).Decode(&in) != nil {
		return
	}
	if other.Name == "" {
		return
	}
}

func handleDecodeOnly(w http.ResponseWriter, r *http.Request) {
	var in input
	_ = json.NewDecoder(r.Body).Decode(&in)
}

func handleNext(w http.ResponseWriter, r *http.Request) {
	var in input
	if len(in.Items) > 10 {
		return
	}
}
"""


@pytest.mark.slow
def test_a_validation_counts_only_after_the_decode_of_the_same_value_in_the_same_function(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {"go.mod": "module example.com/api\n", "api.go": PAIRING})
    validation = run_check(VALIDATION, tmp_path)
    assert validation.outcome is Outcome.FAIL
    assert locations(validation) == [("api.go", 24), ("api.go", 29), ("api.go", 39)]
    assert all("'in'" in failure.message for failure in validation.failures)
