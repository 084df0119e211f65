"""The region: its kecamatan (districts) and villages, as totals or an explicit TPS table."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planner.scenario.distributions import Distribution
from planner.scenario.sections.base import Section

Access = Literal["road", "river"]


class District(Section):
    """A kecamatan, given by its totals; its TPS are generated from the scenario seed."""

    name: str = Field(min_length=1, description="Kecamatan name.")
    villages: int = Field(ge=1, description="Number of kelurahan/desa.")
    tps: int = Field(ge=1, description="Number of TPS.")
    voters: int = Field(ge=1, description="Voters on the list (DPT) in the kecamatan.")
    village_names: list[str] | None = Field(
        None, description="Names of the villages (optional; generated as '<kecamatan> 01'...)."
    )
    turnout: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Turnout override for this kecamatan (default voters.turnout).",
    )
    access: Access = Field(
        "road", description="How kits and responders reach its TPS: road or river."
    )
    remote: bool = Field(
        False, description="Remote kecamatan: kits leave the warehouse earlier (H-5, facts §5.4)."
    )
    travel_min: Distribution | None = Field(
        None,
        description="Responder travel time to a TPS in this kecamatan when TPS have no "
        "coordinates (default security.travel.district_travel_min).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> District:
        if self.tps < self.villages:
            raise ValueError(
                f"tps ({self.tps}) must be at least villages ({self.villages}): every village "
                "has a TPS"
            )
        if self.voters < self.tps:
            raise ValueError(f"voters ({self.voters}) must be at least tps ({self.tps})")
        if self.village_names is not None:
            if len(self.village_names) != self.villages:
                raise ValueError(
                    f"village_names has {len(self.village_names)} names but villages is "
                    f"{self.villages}"
                )
            if len(set(self.village_names)) != len(self.village_names):
                raise ValueError("village_names must be unique")
        return self


class Region(Section):
    """A regency or city (kabupaten/kota): districts by totals, or a TPS table file."""

    name: str = Field(min_length=1, description="Region name, e.g. 'Kota Balikpapan'.")
    districts: list[District] | None = Field(
        None,
        description="Kecamatan with totals; TPS are generated deterministically from the seed.",
    )
    tps_file: str | None = Field(
        None,
        description="CSV table of TPS, relative to the scenario file: columns tps_id, district, "
        "village, voters, risk_class; optional lat, lon, booths, access, indicators.",
    )

    @model_validator(mode="after")
    def _source(self) -> Region:
        if self.districts is None and self.tps_file is None:
            raise ValueError("give districts (totals) or tps_file (a TPS table)")
        if self.districts is not None:
            if not self.districts:
                raise ValueError("districts must not be empty")
            names = [d.name for d in self.districts]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"district names must be unique, repeated: {', '.join(dup)}")
        return self
