"""The region: its kecamatan (districts) and villages, as totals or an explicit TPS table."""

from __future__ import annotations

from typing import Annotated, Literal

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


MAX_HEADER_TEXT = 200
"""Longest column header a mapping may name (characters): KPU and Bawaslu headers run to
about 60 ("Jumlah Pemilih Terdaftar dalam DPT (L+P)"); 200 leaves room and keeps messages short."""

HeaderText = Annotated[str, Field(min_length=1, max_length=MAX_HEADER_TEXT)]
Worksheet = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=31,  # Excel's limit on a worksheet's name
        description="Worksheet of the workbook that holds the table, by its name on the tab "
        "(matched ignoring case and spaces when not exact); default the first. A KPU file "
        "often opens on a cover or recap sheet. Not for a CSV.",
    ),
]
"""Which worksheet of a TPS or TPS-rawan workbook holds its table (None: the first)."""


class TpsColumns(Section):
    """Which column of a TPS sheet (.xlsx or .csv) holds what, by its header text as the sheet
    writes it. Headers are matched ignoring case, spaces and line breaks, and the header row
    is found by these names, so title rows above it (merged cells, as KPU recaps have) are
    skipped. Columns not named here are ignored."""

    tps_id: HeaderText = Field(
        "tps_id", description="Column of the TPS number or id, e.g. 'No TPS'."
    )
    district: HeaderText = Field(
        "district", description="Column of the kecamatan, e.g. 'Kecamatan'."
    )
    village: HeaderText = Field(
        "village", description="Column of the kelurahan/desa, e.g. 'Kelurahan/Desa'."
    )
    voters: HeaderText = Field(
        "voters", description="Column of the voters on the list (DPT), e.g. 'Jumlah DPT'."
    )
    risk_class: HeaderText | None = Field(
        None,
        description="Column of the Polri risk class (kurang rawan, rawan, sangat rawan, khusus; "
        "spelled as in risk.classes or in words). Without it every TPS is kurang_rawan, the "
        "class of most TPS (95.8% in Kalsel, Pemilu 2024, facts §3.2), unless "
        "region.rawan_file gives its class.",
    )
    booths: HeaderText | None = Field(
        None, description="Column of booths per TPS (default election.booths_per_tps)."
    )
    access: HeaderText | None = Field(None, description="Column of access: road or river.")
    lat: HeaderText | None = Field(None, description="Column of latitude, decimal degrees.")
    lon: HeaderText | None = Field(None, description="Column of longitude, decimal degrees.")
    indicators: HeaderText | None = Field(
        None, description="Column of the number of Bawaslu TPS-rawan indicators met (facts §4.3)."
    )
    tps_numbered_per_village: bool = Field(
        False,
        description="True when the TPS column numbers TPS from 1 in each kelurahan/desa, as KPU "
        "recaps do ('TPS 001'); the TPS id is then 'Kecamatan / Kelurahan / TPS 001'. False: the "
        "column holds ids unique in the whole sheet.",
    )
    sheet: Worksheet = None

    def mapped(self) -> dict[str, str]:
        """Field → header for every column the mapping names."""
        return {k: v for k, v in self.model_dump(exclude={"sheet"}).items()
                if isinstance(v, str)}


class RawanColumns(Section):
    """Which column of a TPS-rawan sheet (Bawaslu's list of vulnerable TPS) holds what. A row
    names one TPS (by id, or by kecamatan, kelurahan and TPS number when the TPS sheet numbers
    TPS per village) and the indicators it meets."""

    tps_id: HeaderText = Field("tps_id", description="Column of the TPS number or id.")
    district: HeaderText | None = Field(
        None,
        description="Column of the kecamatan (needed when TPS are numbered per village).",
    )
    village: HeaderText | None = Field(
        None,
        description="Column of the kelurahan/desa (needed when TPS are numbered per village).",
    )
    risk_class: HeaderText | None = Field(
        None,
        description="Column of the Polri class the TPS is given. Without it the sheet sets only "
        "the indicator count: Bawaslu's TPS-rawan list is not Polri's class (Balikpapan 2024: "
        "one variable flagged at 366 of 996 TPS, facts §4.3, where Polri classes a few percent "
        "rawan, facts §3.2).",
    )
    indicators: HeaderText | None = Field(
        None, description="Column holding the number of indicators met."
    )
    indicator_columns: list[HeaderText] = Field(
        default_factory=list,
        max_length=100,
        description="Columns, one per Bawaslu indicator (up to 28 in Pilkada 2024, facts §4.3), "
        "marked when the TPS meets it (any mark but empty, 0, '-', 'tidak' or 'no'); the "
        "indicator count is the number of marked columns.",
    )
    sheet: Worksheet = None

    @model_validator(mode="after")
    def _some_content(self) -> RawanColumns:
        if self.indicators is not None and self.indicator_columns:
            raise FieldError(
                "indicators", "give indicators (a count column) or indicator_columns, not both"
            )
        if self.risk_class is None and self.indicators is None and not self.indicator_columns:
            raise ValueError(
                "name risk_class, indicators or indicator_columns; otherwise the sheet says "
                "nothing about its TPS"
            )
        return self

    def mapped(self) -> dict[str, str]:
        """Field → header for every single column the mapping names."""
        return {k: v for k, v in self.model_dump(exclude={"sheet"}).items()
                if isinstance(v, str)}


class Region(Section):
    """A regency or city (kabupaten/kota): districts by totals, or a TPS table file."""

    name: Name = Field(description="Region name, e.g. 'Kota Balikpapan'.")
    districts: list[District] | None = Field(
        None,
        description="Kecamatan with totals; TPS are generated deterministically from the seed.",
    )
    tps_file: str | None = Field(
        None,
        description="Table of TPS (.csv or .xlsx), relative to the scenario file. Without "
        "tps_columns: a CSV with columns tps_id, district, village, voters, risk_class; "
        "optional lat, lon, booths, access, indicators.",
    )
    tps_columns: TpsColumns | None = Field(
        None,
        description="Which column of tps_file holds what (header texts), for a sheet as the KPU "
        "publishes it; `planner init` writes it.",
    )
    district_names: list[Name] | None = Field(
        None,
        max_length=MAX_TPS_PER_DISTRICT,
        description="The kecamatan of a TPS sheet as this scenario spells them: every row's "
        "kecamatan must match one (ignoring case, spaces and a 'Kec.' prefix), else it is "
        "reported, as is a listed kecamatan without TPS. Without it the sheet's own spellings "
        "are used, merged the same way.",
    )
    rawan_file: str | None = Field(
        None,
        description="Bawaslu's TPS-rawan sheet (.csv or .xlsx), relative to the scenario file: "
        "sets each listed TPS's indicator count and, with a class column, its risk class.",
    )
    rawan_columns: RawanColumns | None = Field(
        None, description="Which column of rawan_file holds what (needed with rawan_file)."
    )

    @model_validator(mode="after")
    def _source(self) -> Region:
        if self.districts is None and self.tps_file is None:
            raise ValueError(
                "give districts (kecamatan totals) or tps_file (a CSV table of TPS), or both"
            )
        for key in ("tps_columns", "district_names", "rawan_file"):
            if getattr(self, key) is not None and self.tps_file is None:
                raise FieldError(key, "needs tps_file (a TPS sheet); give it or remove " + key)
        for file, columns in (("tps_file", self.tps_columns), ("rawan_file", self.rawan_columns)):
            name = getattr(self, file)
            if columns is not None and columns.sheet is not None and name is not None \
                    and name.lower().endswith(".csv"):
                where = file.replace("file", "columns")
                raise FieldError((where, "sheet"), f"{file} is a CSV, one table without "
                                 "worksheets; drop sheet or give the .xlsx workbook")
        if (self.rawan_file is None) != (self.rawan_columns is None):
            raise FieldError(
                "rawan_columns" if self.rawan_columns is None else "rawan_file",
                "give rawan_file and rawan_columns together",
            )
        if self.district_names is not None:
            if self.districts is not None:
                raise FieldError(
                    "district_names", "give district_names or districts (which name them), not both"
                )
            for i, name in enumerate(self.district_names):
                if self.district_names.index(name) != i:
                    raise FieldError(("district_names", i), f"kecamatan {name!r} is listed twice")
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
