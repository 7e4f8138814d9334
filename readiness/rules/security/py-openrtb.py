from pydantic import BaseModel, Field


# ruleid: py-openrtb-model
class Imp(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    bidfloor: float = Field(default=0, ge=0)


# ruleid: py-openrtb-model
class BidRequest(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    imp: list[Imp] = Field(min_length=1, max_length=20)
    tmax: int | None = Field(default=None, ge=20, le=1000)


# ok: py-openrtb-model
class PriceResponse(BaseModel):
    id: str
