"""Who comes to each TPS, when, and how long each of them takes: pre-drawn voters.

Every voter's attributes are drawn when the replication is built, from the TPS's own named
stream ``voters`` (key: TPS index), never at the moment of service (DESIGN §6). So both voter
engines see identical inputs, two plans see identical voters, and changing turnout or the
number of booths changes nothing else that was drawn.

Per TPS, in this order from the stream:

1. DPTb voters ~ Poisson(DPT × ``dptb_share``) and DPK voters ~ Poisson(``dpk_per_tps_mean``);
2. for every listed voter (DPT + DPTb) a uniform that decides whether they come
   (``u < turnout``): a higher turnout only adds voters;
3. arrival times: listed voters by the arrival profile (one uniform each, inverse CDF),
   DPK voters uniform over ``[dpk_from, close)``;
4. for all listed and DPK voters, whether they come or not: a uniform for the slow-voter
   flag, then the basic variates of patience and of each stage's service time
   (`planner.sim.sampling`: uniforms in one block, standard normals in another, gammas).

Arrivals are then sorted (stable: ties keep draw order, listed before DPK), which is the
order of the first stage's queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.scenario.distributions import Gamma
from planner.scenario.resolved import Scenario
from planner.scenario.sections.voters import ArrivalProfile
from planner.sim.sampling import AnyDist, gamma_shape, transform, variate_of
from planner.streams import named_rng

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

MIN_SERVICE_MIN = 1e-6
"""Shortest service time: a zero-length service would let two events share an instant in
an order the engines could resolve differently, so every service takes at least this."""

KIND_DPT = 0
KIND_DPTB = 1
KIND_DPK = 2
KIND_NONE = -1


@dataclass(frozen=True)
class VoterDraws:
    """All voters of all TPS in one replication, padded to the largest TPS.

    Column `n` of row `i` is the n-th voter to arrive at TPS `i`; padding has arrival +inf.
    """

    arrival_min: FloatArray
    """(tps, voters) clock minute of arrival, sorted per row."""
    patience_min: FloatArray
    """(tps, voters) longest wait for the first stage before leaving (inf: never leaves)."""
    service_min: FloatArray
    """(stages, tps, voters) base service time per stage, slow-voter factor included."""
    kind: np.ndarray[Any, np.dtype[np.int8]]
    """(tps, voters) KIND_DPT, KIND_DPTB, KIND_DPK or KIND_NONE for padding."""
    listed: IntArray
    """(tps,) voters on the lists: DPT + drawn DPTb."""
    dpk_drawn: IntArray
    """(tps,) unlisted voters (DPK) who come."""

    @property
    def count(self) -> IntArray:
        """(tps,) voters who come to each TPS."""
        return np.asarray((self.kind != KIND_NONE).sum(axis=1), dtype=np.int64)


def arrival_segments(scenario: Scenario) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The arrival profile as segments: (start_min, length_min, cumulative probability at end).

    Arrival density is constant within a segment: the early queue ``[early_from, open)``,
    then one segment per voting hour weighted by its hourly weight (the last hour may be
    shorter when voting does not last whole hours).
    """
    day = scenario.spec.day
    profile = scenario.spec.voters.arrival_profile
    if not isinstance(profile, ArrivalProfile):
        return (
            np.array([float(day.open)]),
            np.array([float(day.close - day.open)]),
            np.array([1.0]),
        )
    starts: list[float] = []
    lengths: list[float] = []
    masses: list[float] = []
    if profile.early_share > 0:
        starts.append(float(profile.early_from))
        lengths.append(float(day.open - profile.early_from))
        masses.append(profile.early_share)
    hour_len = [
        min(60.0, float(day.close - day.open - 60 * h)) for h in range(len(profile.hourly_weights))
    ]
    weight_mass = [w * ln for w, ln in zip(profile.hourly_weights, hour_len, strict=True)]
    total = sum(weight_mass)
    for h, (ln, m) in enumerate(zip(hour_len, weight_mass, strict=True)):
        starts.append(float(day.open + 60 * h))
        lengths.append(ln)
        masses.append((1.0 - profile.early_share) * m / total)
    cum = np.cumsum(masses)
    cum[-1] = 1.0
    return np.array(starts), np.array(lengths), cum


def arrival_times(u: FloatArray, segments: tuple[FloatArray, FloatArray, FloatArray]) -> FloatArray:
    """Inverse CDF of the piecewise-constant arrival density at uniforms `u` in [0, 1)."""
    starts, lengths, cum = segments
    seg = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
    lo = np.where(seg > 0, cum[np.maximum(seg - 1, 0)], 0.0)
    mass = cum[seg] - lo
    frac = np.clip((u - lo) / mass, 0.0, 1.0)
    return np.asarray(starts[seg] + frac * lengths[seg], dtype=np.float64)


def draw_voters(scenario: Scenario, seed: int, replication: int) -> VoterDraws:
    """Draw every TPS's voters for one replication (see the module docstring for the order).

    Each TPS draws blocks of basic variates from its own stream; the distributions are
    applied to all TPS together afterwards (`planner.sim.sampling`).
    """
    spec = scenario.spec
    v = spec.voters
    day = spec.day
    tps = scenario.tps
    n_tps = len(tps)
    dists: list[AnyDist] = ([] if v.patience_min is None else [v.patience_min]) + [
        s.service_min for s in v.stages
    ]
    kinds = [variate_of(d) for d in dists]
    n_uniform = 1 + kinds.count("uniform")  # the slow-voter flag comes first
    n_normal = kinds.count("normal")
    dpk_open = day.dpk_from < day.close
    dptb_mean = (tps.voters * v.dptb_share).tolist()
    n_list = np.empty(n_tps, dtype=np.int64)
    n_dpk = np.empty(n_tps, dtype=np.int64)
    uniforms: list[FloatArray] = []
    normals: list[FloatArray] = []
    gammas: list[list[FloatArray]] = []
    for i in range(n_tps):
        rng = named_rng(seed, replication, "voters", i)
        n_list[i] = int(tps.voters[i]) + int(rng.poisson(dptb_mean[i]))
        n_dpk[i] = int(rng.poisson(v.dpk_per_tps_mean)) if dpk_open else 0
        n_all = int(n_list[i] + n_dpk[i])
        # one block of uniforms: come?, arrival, DPK arrival, slow?, uniform-based draws
        uniforms.append(rng.random(int(2 * n_list[i] + n_dpk[i]) + n_uniform * n_all))
        normals.append(rng.standard_normal(n_normal * n_all))
        gammas.append(
            [rng.standard_gamma(gamma_shape(d), n_all) for d in dists if isinstance(d, Gamma)]
        )
    n_all_tps = n_list + n_dpk
    total = int(n_all_tps.sum())
    u = np.concatenate(uniforms)
    z = np.concatenate(normals)
    u_start = np.concatenate([[0], np.cumsum(2 * n_list + n_dpk + n_uniform * n_all_tps)[:-1]])
    z_start = np.concatenate([[0], np.cumsum(n_normal * n_all_tps)[:-1]])
    list_tps = np.repeat(np.arange(n_tps), n_list)
    list_rank = _ranks(n_list)
    dpk_tps = np.repeat(np.arange(n_tps), n_dpk)
    dpk_rank = _ranks(n_dpk)
    voter_tps = np.repeat(np.arange(n_tps), n_all_tps)
    voter_rank = _ranks(n_all_tps)
    block = np.concatenate([[0], np.cumsum(n_all_tps)[:-1]])
    list_pos = block[list_tps] + list_rank
    dpk_pos = block[dpk_tps] + n_list[dpk_tps] + dpk_rank
    u_come = u[u_start[list_tps] + list_rank]
    u_time = u[u_start[list_tps] + n_list[list_tps] + list_rank]
    u_dpk = u[u_start[dpk_tps] + 2 * n_list[dpk_tps] + dpk_rank]
    tail = u_start[voter_tps] + 2 * n_list[voter_tps] + n_dpk[voter_tps] + voter_rank

    def uniform_row(r: int) -> FloatArray:
        return np.asarray(u[tail + r * n_all_tps[voter_tps]], dtype=np.float64)

    def normal_row(r: int) -> FloatArray:
        return np.asarray(z[z_start[voter_tps] + r * n_all_tps[voter_tps] + voter_rank])

    arrival = np.empty(total)
    arrival[list_pos] = arrival_times(u_time, arrival_segments(scenario))
    arrival[dpk_pos] = day.dpk_from + u_dpk * (day.close - day.dpk_from)
    comes = np.ones(total, dtype=bool)
    comes[list_pos] = u_come < scenario.turnout_by_tps()[list_tps]
    kind = np.full(total, KIND_DPK, dtype=np.int8)
    kind[list_pos] = np.where(list_rank < tps.voters[list_tps], KIND_DPT, KIND_DPTB)
    factor = np.where(uniform_row(0) < v.slow_share, v.slow_factor, 1.0)
    values: list[FloatArray] = []
    next_u, next_z, next_g = 1, 0, 0
    gamma_rows = [np.concatenate(g) for g in zip(*gammas, strict=True)] if gammas else []
    for d, kd in zip(dists, kinds, strict=True):
        if kd == "uniform":
            values.append(transform(d, uniform_row(next_u), total))
            next_u += 1
        elif kd == "normal":
            values.append(transform(d, normal_row(next_z), total))
            next_z += 1
        elif kd == "gamma":
            values.append(transform(d, gamma_rows[next_g], total))
            next_g += 1
        else:
            values.append(transform(d, None, total))
    patience = (
        np.full(total, np.inf) if v.patience_min is None else np.maximum(values.pop(0), 0.0)
    )
    service = np.stack([np.maximum(x, MIN_SERVICE_MIN) * factor for x in values])
    # keep those who come; sort by (TPS, arrival), stable; lay out one row per TPS
    keep = np.nonzero(comes)[0]
    by_time = keep[np.argsort(arrival[keep], kind="stable")]
    order = by_time[np.argsort(voter_tps[by_time], kind="stable")]
    row = voter_tps[order]
    per_row = np.bincount(row, minlength=n_tps)
    col = _ranks(per_row)
    width = max(int(per_row.max(initial=0)), 1)
    arrival_min = np.full((n_tps, width), np.inf)
    patience_min = np.full((n_tps, width), np.inf)
    service_min = np.zeros((len(v.stages), n_tps, width))
    kinds_out = np.full((n_tps, width), KIND_NONE, dtype=np.int8)
    arrival_min[row, col] = arrival[order]
    patience_min[row, col] = patience[order]
    service_min[:, row, col] = service[:, order]
    kinds_out[row, col] = kind[order]
    return VoterDraws(arrival_min, patience_min, service_min, kinds_out, n_list, n_dpk)


def _ranks(counts: IntArray) -> IntArray:
    """0, 1, …, c−1 for each count c, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.asarray(np.arange(total) - starts, dtype=np.int64)
