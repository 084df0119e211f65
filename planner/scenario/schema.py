"""The scenario format: the single source of truth for every input of the tool.

A scenario file (YAML) is validated into a `ScenarioSpec`. Sections live in
`planner.scenario.sections`, one module each. Every section has defaults, so a scenario may
give only ``name``, ``seed`` and ``region`` (DESIGN §4).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from planner.scenario.sections.base import FieldError, Name, Section
from planner.scenario.sections.counting import Counting
from planner.scenario.sections.election import Day, Election
from planner.scenario.sections.incidents import Incidents
from planner.scenario.sections.logistics import Logistics
from planner.scenario.sections.region import Region
from planner.scenario.sections.risk import RISK_CLASSES, Risk
from planner.scenario.sections.security import Security, default_security
from planner.scenario.sections.staff import Staff
from planner.scenario.sections.voters import ArrivalProfile, Voters


class ScenarioSpec(Section):
    """A polling-day scenario for one region (or several, for a province)."""

    name: Name = Field(description="Scenario name, shown in reports.")
    seed: int = Field(
        0,
        ge=0,
        lt=2**63,
        description="Run seed (0 ≤ seed < 2^63); every random stream derives from it.",
    )
    election: Election = Field(default_factory=Election, description="Election kind.")
    day: Day = Field(default_factory=Day, description="Polling-day timetable.")
    region: Region | None = Field(None, description="The region (a regency or city).")
    regions: list[Region] | None = Field(
        None, description="Several regions (a province); use instead of region."
    )
    risk: Risk = Field(default_factory=Risk, description="TPS risk classes.")
    voters: Voters = Field(default_factory=Voters, description="Voters and service stages.")
    staff: Staff = Field(default_factory=Staff, description="KPPS, fatigue and health.")
    counting: Counting = Field(default_factory=Counting, description="Counting.")
    incidents: Incidents = Field(default_factory=Incidents, description="Incidents.")
    logistics: Logistics = Field(default_factory=Logistics, description="Logistics.")
    security: Security = Field(
        default_factory=default_security, description="Agencies, patterns, policy, budgets."
    )

    @model_validator(mode="before")
    @classmethod
    def _one_region_source(cls, data: Any) -> Any:
        if isinstance(data, dict) and "region" in data and "regions" in data:
            raise FieldError(
                "regions",
                "give either region (one regency/city) or regions (several, e.g. a province), "
                "not both",
            )
        if isinstance(data, dict) and "region" not in data and "regions" not in data:
            raise FieldError(
                "region",
                "required key is missing; give region (one regency/city) or regions (several)",
            )
        return data

    @model_validator(mode="after")
    def _cross_checks(self) -> ScenarioSpec:
        cap = self.election.max_voters_per_tps
        for r, region in enumerate(self.all_regions()):
            here: tuple[str | int, ...] = ("region",) if self.regions is None else ("regions", r)
            for i, d in enumerate(region.districts or []):
                if d.voters > d.tps * cap:
                    raise FieldError(
                        (*here, "districts", i, "voters"),
                        f"{d.voters} voters cannot fit in {d.tps} TPS of at most {cap} voters "
                        f"({self.election.kind}); add TPS or check the total",
                    )
        if self.regions is not None:
            names = [r.name for r in self.regions]
            for r, name in enumerate(names):
                if names.index(name) != r:
                    raise FieldError(("regions", r, "name"), f"region {name!r} is given twice")
        profile = self.voters.arrival_profile
        if isinstance(profile, ArrivalProfile):
            hours = -(-(self.day.close - self.day.open) // 60)
            if len(profile.hourly_weights) != hours:
                raise FieldError(
                    ("voters", "arrival_profile", "hourly_weights"),
                    f"{len(profile.hourly_weights)} weights but voting lasts {hours} hours "
                    "(day.open to day.close); give one weight per voting hour",
                )
            if profile.early_share > 0 and profile.early_from >= self.day.open:
                raise FieldError(
                    ("voters", "arrival_profile", "early_from"), "must be before day.open"
                )
        # Policy and rate entries may name classes this scenario does not use (the defaults
        # cover all four), but a name that is no Polri class at all is a typo.
        for cls_name in self.security.policy:
            if cls_name not in RISK_CLASSES:
                raise FieldError(
                    ("security", "policy", cls_name),
                    f"unknown risk class {cls_name!r}; classes: {', '.join(RISK_CLASSES)}",
                )
        missing = sorted(set(self.risk.classes) - set(self.security.policy))
        if missing:
            raise FieldError(
                ("security", "policy"),
                f"needs an entry for risk class {', '.join(missing)} (allowed and standard "
                "patterns)",
            )
        for cls_name in self.incidents.class_rate_multiplier:
            if cls_name not in RISK_CLASSES:
                raise FieldError(
                    ("incidents", "class_rate_multiplier", cls_name),
                    f"unknown risk class {cls_name!r}; classes: {', '.join(RISK_CLASSES)}",
                )
        for cls_name in self.security.residual_harm:
            if cls_name not in RISK_CLASSES:
                raise FieldError(
                    ("security", "residual_harm", cls_name),
                    f"unknown risk class {cls_name!r}; classes: {', '.join(RISK_CLASSES)}",
                )
        self._check_staffing()
        agencies = set(self.security.agencies) | {"medical"}
        for k, t in enumerate(self.incidents.types):
            for key in ("responders", "grave_responders"):
                for a in getattr(t, key):
                    if a not in agencies:
                        raise FieldError(
                            ("incidents", "types", k, key),
                            f"unknown responder {a!r}; known: {', '.join(sorted(agencies))}",
                        )
        return self

    def _check_staffing(self) -> None:
        """Every staffed stage must be staffable by the KPPS of one TPS: a stage needing more
        KPPS than the TPS has would run with fewer servers than written, silently."""
        on_stages = self.staff.kpps_per_tps - self.staff.kpps_without_stage
        for k, stage in enumerate(self.voters.stages):
            servers = self.election.booths_per_tps if stage.servers == "booths" else stage.servers
            need = servers * stage.kpps_per_server
            if need > on_stages:
                raise FieldError(
                    ("voters", "stages", k, "kpps_per_server"),
                    f"stage {stage.name!r} needs {servers} × {stage.kpps_per_server} = {need} KPPS "
                    f"but a TPS has {on_stages} on stages (staff.kpps_per_tps "
                    f"{self.staff.kpps_per_tps} − staff.kpps_without_stage "
                    f"{self.staff.kpps_without_stage}); lower servers or kpps_per_server",
                )

    def all_regions(self) -> list[Region]:
        """The scenario's regions: one for a regency/city, several for a province."""
        if self.regions is not None:
            return list(self.regions)
        assert self.region is not None
        return [self.region]
