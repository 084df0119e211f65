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
from planner.streams import stream_key

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


def voter_streams(seed: int, replication: int, count: int) -> list[np.random.Generator]:
    """The generators of stream ``voters`` for TPS 0 … count−1.

    Identical to ``named_rng(seed, replication, "voters", i)`` (spawned children of the
    stream's SeedSequence carry the same spawn key), only faster to make in bulk.
    """
    parent = np.random.SeedSequence(seed, spawn_key=(replication, stream_key("voters")))
    return [np.random.Generator(np.random.PCG64(child)) for child in parent.spawn(count)]


def draw_voters(scenario: Scenario, seed: int, replication: int) -> VoterDraws:
    """Draw every TPS's voters for one replication (see the module docstring for the order).

    Each TPS draws blocks of basic variates from its own stream into padded (TPS, voter)
    arrays; the distributions are then applied to all TPS together (`planner.sim.sampling`).
    Within a row, listed voters come first (DPT, then DPTb), then DPK voters.
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
    gamma_dists = [d for d in dists if isinstance(d, Gamma)]
    n_uniform = 1 + kinds.count("uniform")  # the slow-voter flag comes first
    n_normal = kinds.count("normal")
    dpk_open = day.dpk_from < day.close
    dptb_mean = (tps.voters * v.dptb_share).tolist()
    dpt = tps.voters.tolist()
    rngs = voter_streams(seed, replication, n_tps)
    n_list = np.empty(n_tps, dtype=np.int64)
    n_dpk = np.empty(n_tps, dtype=np.int64)
    for i, rng in enumerate(rngs):
        n_list[i] = dpt[i] + int(rng.poisson(dptb_mean[i]))
        n_dpk[i] = int(rng.poisson(v.dpk_per_tps_mean)) if dpk_open else 0
    n_all = n_list + n_dpk
    w_list = max(int(n_list.max(initial=0)), 1)
    w_dpk = max(int(n_dpk.max(initial=0)), 1)
    w_all = max(int(n_all.max(initial=0)), 1)
    u_come = np.ones((n_tps, w_list))
    u_time = np.zeros((n_tps, w_list))
    u_dpk = np.zeros((n_tps, w_dpk))
    u_rows = np.zeros((n_uniform, n_tps, w_all))
    z_rows = np.zeros((n_normal, n_tps, w_all))
    g_rows = np.ones((len(gamma_dists), n_tps, w_all))
    for i, rng in enumerate(rngs):
        nl, nd, na = int(n_list[i]), int(n_dpk[i]), int(n_all[i])
        # one block of uniforms: come?, arrival, DPK arrival, slow?, uniform-based draws
        u = rng.random(2 * nl + nd + n_uniform * na)
        u_come[i, :nl] = u[:nl]
        u_time[i, :nl] = u[nl : 2 * nl]
        u_dpk[i, :nd] = u[2 * nl : 2 * nl + nd]
        u_rows[:, i, :na] = u[2 * nl + nd :].reshape(n_uniform, na)
        z_rows[:, i, :na] = rng.standard_normal(n_normal * na).reshape(n_normal, na)
        for q, g in enumerate(gamma_dists):
            g_rows[q, i, :na] = rng.standard_gamma(gamma_shape(g), na)
    cols = np.arange(w_all)[None, :]
    listed = cols < n_list[:, None]
    present = cols < n_all[:, None]
    arrival = np.full((n_tps, w_all), np.inf)
    arrival[:, :w_list] = np.where(
        listed[:, :w_list], arrival_times(u_time, arrival_segments(scenario)), np.inf
    )
    comes = np.zeros((n_tps, w_all), dtype=bool)
    comes[:, :w_list] = listed[:, :w_list] & (u_come < scenario.turnout_by_tps()[:, None])
    d_rows, d_cols = np.nonzero(np.arange(w_dpk)[None, :] < n_dpk[:, None])
    place = n_list[d_rows] + d_cols
    arrival[d_rows, place] = day.dpk_from + u_dpk[d_rows, d_cols] * (day.close - day.dpk_from)
    comes[d_rows, place] = True
    kind = np.where(
        cols < tps.voters[:, None], KIND_DPT, np.where(listed, KIND_DPTB, KIND_DPK)
    ).astype(np.int8)
    # keep those who come, in arrival order per TPS (stable: ties keep the order above)
    arrival = np.where(comes & present, arrival, np.inf)
    width = max(int(comes.sum(axis=1).max(initial=0)), 1)
    order = np.argsort(arrival, axis=1, kind="stable")[:, :width]
    arrival_min = np.take_along_axis(arrival, order, axis=1)
    keep = arrival_min < np.inf
    kinds_out = np.where(keep, np.take_along_axis(kind, order, axis=1), KIND_NONE).astype(np.int8)
    # the distributions, applied to the variates of those who came only
    flat = ((np.arange(n_tps) * w_all)[:, None] + order).ravel()

    def kept(rows: FloatArray, r: int) -> FloatArray:
        return np.asarray(rows[r].ravel().take(flat).reshape(n_tps, width), dtype=np.float64)

    factor = np.where(kept(u_rows, 0) < v.slow_share, v.slow_factor, 1.0)
    values: list[FloatArray] = []
    next_u, next_z, next_g = 1, 0, 0
    for d, kd in zip(dists, kinds, strict=True):
        if kd == "uniform":
            values.append(transform(d, kept(u_rows, next_u), 0))
            next_u += 1
        elif kd == "normal":
            values.append(transform(d, kept(z_rows, next_z), 0))
            next_z += 1
        elif kd == "gamma":
            values.append(transform(d, kept(g_rows, next_g), 0))
            next_g += 1
        else:
            values.append(np.full((n_tps, width), transform(d, None, 1)[0]))
    patience_min = (
        np.full((n_tps, width), np.inf)
        if v.patience_min is None
        else np.where(keep, np.maximum(values.pop(0), 0.0), np.inf)
    )
    service_min = np.stack(
        [np.where(keep, np.maximum(x, MIN_SERVICE_MIN) * factor, 0.0) for x in values]
    )
    return VoterDraws(arrival_min, patience_min, service_min, kinds_out, n_list, n_dpk)


def _ranks(counts: IntArray) -> IntArray:
    """0, 1, …, c−1 for each count c, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.asarray(np.arange(total) - starts, dtype=np.int64)
