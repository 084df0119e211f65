"""The region: its kecamatan (districts) and villages, as totals or an explicit TPS table."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planner.scenario.distributions import Minutes
from planner.scenario.sections.base import FieldError, Name, Section

Access = Literal["road", "river"]

MAX_TPS_PER_DISTRICT = 50_000
"""Upper bound on TPS in one kecamatan: catches a misplaced digit before the generator tries
to lay out millions of TPS (a whole Pemilu had 823,220 TPS in 7,277 kecamatan, facts §1.1)."""


class District(Section):
    """A kecamatan, given by its totals; its TPS are generated from the scenario seed."""

    name: Name = Field(description="Kecamatan name.")
    villages: int = Field(
        ge=1, le=MAX_TPS_PER_DISTRICT, description="Number of kelurahan/desa (1 to 50,000)."
    )
    tps: int = Field(
        ge=1,
        le=MAX_TPS_PER_DISTRICT,
        description="Number of TPS (at most 50,000: a sanity bound far above any real "
        "kecamatan; the largest in the bundled scenarios has 254).",
    )
    voters: int = Field(
        ge=1,
        le=MAX_TPS_PER_DISTRICT * 1000,
        description="Voters on the list (DPT) in the kecamatan (at most tps × "
        "election.max_voters_per_tps).",
    )
    village_names: list[Name] | None = Field(
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
    travel_min: Minutes | None = Field(
        None,
        description="Responder travel time to a TPS in this kecamatan when TPS have no "
        "coordinates (default security.travel.district_travel_min).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> District:
        if self.tps < self.villages:
            raise FieldError(
                "tps",
                f"{self.tps} TPS for {self.villages} villages; every village has at least one "
                "TPS, so tps must be ≥ villages",
            )
        if self.voters < self.tps:
            raise FieldError(
                "voters", f"{self.voters} voters for {self.tps} TPS; voters must be ≥ tps"
            )
        if self.village_names is not None:
            if len(self.village_names) != self.villages:
                raise FieldError(
                    "village_names",
                    f"{len(self.village_names)} names but villages is {self.villages}; give one "
                    "name per village",
                )
            for j, name in enumerate(self.village_names):
                if self.village_names.index(name) != j:
                    raise FieldError(("village_names", j), f"village {name!r} is named twice")
        return self


class Region(Section):
    """A regency or city (kabupaten/kota): districts by totals, or a TPS table file."""

    name: Name = Field(description="Region name, e.g. 'Kota Balikpapan'.")
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
            raise ValueError(
                "give districts (kecamatan totals) or tps_file (a CSV table of TPS), or both"
            )
        if self.districts is not None:
            if not self.districts:
                raise FieldError("districts", "must not be empty; list at least one kecamatan")
            names = [d.name for d in self.districts]
            for i, name in enumerate(names):
                if names.index(name) != i:
                    raise FieldError(
                        ("districts", i, "name"), f"kecamatan {name!r} is listed twice"
                    )
        return self
