"""Who is at each TPS through polling day under a plan: the presence timeline.

From the plan's pattern at each TPS (`security.patterns`):

- **linmas** (agencies of role ``guard``) stand at their TPS all day;
- **stationed** personnel (``per_tps`` of the other agencies: the two police of 2-1-2, the
  soldier of 2-1-2+tni) are at the TPS all day;
- a **patrol** team (a pattern's shared ``team``, e.g. the two police of 2-6-12) rotates over
  its k TPS: the TPS of a sharing group on that pattern, taken in table order k at a time
  (`patrol_groups`, the same grouping `planner.sim.response` dispatches from); it stays
  ``incidents.response.patrol_dwell_min`` at each in turn from ``day.staff_arrive``. Between
  visits a TPS keeps a **residual** deterrence that decays as ``exp(−minutes since the team
  left / incidents.deterrence.residual_tau_min)``.

Reserve teams wait at the kecamatan post and are not part of a TPS's standing presence; a
team called to an incident is at the TPS while it settles it, which the response records
(`planner.sim.response`), but the decision whether an attempt goes ahead uses the standing
presence only, so it does not depend on how the day's other incidents were answered.

The timeline is deterministic given the plan (the rotation is fixed), so every replication
and every engine sees the same presence; `Presence` answers "what is at TPS i at minute t"
vectorised over (TPS, time) pairs, and `visits` lists a TPS's patrol visits for traces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.scenario.costing import sharing_groups
from planner.scenario.plan import Plan
from planner.scenario.resolved import Scenario
from planner.scenario.sections.incidents import PresenceEffect

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


NOT_STOPPED = -1
BY_STATIONED = 0
BY_PATROL = 1
BY_RESIDUAL = 2
BY_LINMAS = 3
DETERRED_BY: tuple[str, ...] = ("stationed", "patrol", "patrol_residual", "linmas")
"""What stopped an attempt (`Presence.deterred_by`), by code: officers stationed at the TPS,
the patrol team while there, the patrol's residual deterrence after it left, linmas."""


def patrol_groups(scenario: Scenario, plan: Plan) -> list[tuple[str, tuple[int, ...]]]:
    """(pattern, TPS rows) of every patrol team of the plan: per sharing group and pattern,
    the group's TPS on that pattern in table order, ``tps_per_team`` at a time (the last
    team may cover fewer). Patterns without a shared team have none."""
    sec = scenario.spec.security
    by_group: dict[tuple[int, str], list[int]] = {}
    for i, (g, name) in enumerate(
        zip(sharing_groups(scenario).tolist(), plan.patterns, strict=True)
    ):
        by_group.setdefault((int(g), name), []).append(i)
    out: list[tuple[str, tuple[int, ...]]] = []
    for (_, name), members in by_group.items():
        pattern = sec.pattern(name)
        if not any(c > 0 for c in pattern.team.values()):
            continue
        k = pattern.tps_per_team
        for start in range(0, len(members), k):
            out.append((name, tuple(members[start : start + k])))
    return out


def patrol_unit_name(scenario: Scenario, pattern: str, members: tuple[int, ...]) -> str:
    """How traces and the demo name a patrol team: its agencies, pattern and first TPS,
    e.g. ``police team 2-6-12 (KLU-001…)``."""
    team = sorted(a for a, c in scenario.spec.security.pattern(pattern).team.items() if c > 0)
    return f"{'+'.join(team)} team {pattern} ({scenario.tps.tps_id[members[0]]}…)"


@dataclass(frozen=True)
class Presence:
    """The standing presence at every TPS under one plan (see the module docstring)."""

    linmas: FloatArray
    """Guards (linmas) at each TPS all day."""
    stationed: FloatArray
    """Police, soldiers and other officers stationed at each TPS all day."""
    patrol_size: FloatArray
    """Officers in the patrol team that visits each TPS (0: no patrol)."""
    patrol_k: IntArray
    """TPS the patrol team rotates over (1 for a team of one TPS: always there)."""
    patrol_pos: IntArray
    """The TPS's place in its team's rotation, 0..k-1."""
    start_min: float
    dwell_min: float
    tau_min: float
    reference: float

    def patrol_at(self, tps: IntArray, t: FloatArray) -> tuple[BoolArray, FloatArray]:
        """(patrol there now, minutes since it last left — inf if it has not come yet)."""
        k = np.maximum(self.patrol_k[tps], 1)
        pos = self.patrol_pos[tps]
        rel = np.asarray(t, dtype=np.float64) - self.start_min
        slot = np.floor(rel / self.dwell_min).astype(np.int64)
        has = self.patrol_size[tps] > 0
        present = has & (rel >= 0) & (np.mod(slot, k) == pos)
        behind = np.mod(slot - pos, k)  # slots since this TPS's last visit began
        last = slot - np.where(behind == 0, k, behind)  # the last visit before the current slot
        left = self.start_min + (last + 1) * self.dwell_min
        since = np.where(has & (rel >= 0) & (last >= 0), np.asarray(t) - left, np.inf)
        return present, np.where(present, 0.0, since)

    def watched(self, tps: IntArray, t: FloatArray) -> BoolArray:
        """True where an officer (stationed, or the patrol) is at the TPS at `t`."""
        present, _ = self.patrol_at(tps, t)
        return np.asarray((self.stationed[tps] > 0) | present, dtype=bool)

    def stop_probability(self, effect: PresenceEffect, tps: IntArray, t: FloatArray) -> FloatArray:
        """Chance an attempt at TPS `tps` at minute `t` is stopped by the presence there:

        ``1 − (1 − s_st)^(n_st/ref) (1 − s_li)^(n_li/ref) (1 − p_patrol)`` with
        ``p_patrol = 1 − (1 − s_pa)^(n_pa/ref)`` while the team is there, that times
        ``exp(−since/τ)`` after it left, 0 before its first visit.
        """
        ref = self.reference
        keep = (1.0 - effect.stationed) ** (self.stationed[tps] / ref) * (1.0 - effect.linmas) ** (
            self.linmas[tps] / ref
        )
        full = 1.0 - (1.0 - effect.patrol) ** (self.patrol_size[tps] / ref)
        present, since = self.patrol_at(tps, t)
        decay = np.exp(-np.where(np.isfinite(since), since, np.inf) / self.tau_min)
        patrol = np.where(present, full, full * decay)
        return np.asarray(1.0 - keep * (1.0 - patrol), dtype=np.float64)

    def stop_parts(
        self, effect: PresenceEffect, tps: IntArray, t: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The three chances `stop_probability` combines, (stationed, patrol, linmas):
        ``stop = 1 − (1 − stationed)(1 − patrol)(1 − linmas)``. `deterred_by` uses them to
        say which kind of presence stopped an attempt."""
        ref = self.reference
        stationed = 1.0 - (1.0 - effect.stationed) ** (self.stationed[tps] / ref)
        linmas = 1.0 - (1.0 - effect.linmas) ** (self.linmas[tps] / ref)
        full = 1.0 - (1.0 - effect.patrol) ** (self.patrol_size[tps] / ref)
        present, since = self.patrol_at(tps, t)
        decay = np.exp(-np.where(np.isfinite(since), since, np.inf) / self.tau_min)
        patrol = np.where(present, full, full * decay)
        return (
            np.asarray(stationed, dtype=np.float64),
            np.asarray(patrol, dtype=np.float64),
            np.asarray(linmas, dtype=np.float64),
        )

    def deterred_by(
        self, effect: PresenceEffect, tps: IntArray, t: FloatArray, u: FloatArray
    ) -> IntArray:
        """Which kind of presence stopped each attempt whose stop uniform is `u`: one of
        `DETERRED_BY`'s codes (-1: not stopped). The unit interval is cut in layers — the
        stationed officers' chance first, then the patrol's (there now, or its residual after
        it left), then the linmas' — whose lengths multiply to the combined chance, so an
        attempt is stopped exactly when ``u < stop_probability`` and the layer it falls in
        names the presence that stopped it."""
        stationed, patrol, linmas = self.stop_parts(effect, tps, t)
        present, _ = self.patrol_at(tps, t)
        u = np.asarray(u, dtype=np.float64)
        cut1 = stationed
        cut2 = 1.0 - (1.0 - stationed) * (1.0 - patrol)
        cut3 = 1.0 - (1.0 - stationed) * (1.0 - patrol) * (1.0 - linmas)
        by_patrol = np.where(present, BY_PATROL, BY_RESIDUAL)
        out = np.where(
            u < cut1,
            BY_STATIONED,
            np.where(u < cut2, by_patrol, np.where(u < cut3, BY_LINMAS, NOT_STOPPED)),
        )
        return np.asarray(out, dtype=np.int64)

    def visits(self, i: int, until_min: float) -> list[tuple[float, float]]:
        """The patrol's visits to TPS `i` from the start of the day to `until_min`."""
        if self.patrol_size[i] <= 0:
            return []
        k, pos = max(int(self.patrol_k[i]), 1), int(self.patrol_pos[i])
        if k == 1:
            return [(self.start_min, until_min)]
        out = []
        begin = self.start_min + pos * self.dwell_min
        while begin < until_min:
            out.append((begin, min(begin + self.dwell_min, until_min)))
            begin += k * self.dwell_min
        return out


def build_presence(
    scenario: Scenario,
    plan: Plan,
    groups: list[tuple[str, tuple[int, ...]]] | None = None,
) -> Presence:
    """The standing presence of `plan` at every TPS of `scenario` (`groups`: the plan's
    `patrol_groups` when the caller has them already)."""
    spec = scenario.spec
    sec = spec.security
    n = len(scenario.tps)
    guards = {name for name, ag in sec.agencies.items() if ag.role == "guard"}
    linmas = np.zeros(n)
    stationed = np.zeros(n)
    for i, name in enumerate(plan.patterns):
        for agency, count in sec.pattern(name).per_tps.items():
            if agency in guards:
                linmas[i] += count
            else:
                stationed[i] += count
    size = np.zeros(n)
    k = np.ones(n, dtype=np.int64)
    pos = np.zeros(n, dtype=np.int64)
    for name, members in patrol_groups(scenario, plan) if groups is None else groups:
        team = sum(c for a, c in sec.pattern(name).team.items() if a not in guards)
        for p, i in enumerate(members):
            size[i], k[i], pos[i] = team, len(members), p
    return Presence(
        linmas=linmas,
        stationed=stationed,
        patrol_size=size,
        patrol_k=k,
        patrol_pos=pos,
        start_min=float(spec.day.staff_arrive),
        dwell_min=float(spec.incidents.response.patrol_dwell_min),
        tau_min=float(spec.incidents.deterrence.residual_tau_min),
        reference=float(spec.incidents.deterrence.reference_people),
    )
