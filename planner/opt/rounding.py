"""A plan from the master LP: round, repair, then spend what is left greedily.

The restricted master LP's optimum takes one column per group except in a handful of groups
(at most one per binding rule), and fractional reserve teams in a few kecamatan. Rounding
takes, per group, the column of largest weight — among the fractional ones, the one cheapest
at the LP's prices — and rounds reserve teams down (never below the minimum). If a rule is
still broken, groups move to cheaper columns of their pool, least harm added per unit of the
broken rule saved first. Then budget and personnel left over buy upgrades (a better column
of the pool, or one more reserve team) best value first: harm removed per priced person.

This is how plans for national instances are found (CP-SAT on 70,000 groups finds none in
minutes); on smaller ones it gives CP-SAT a complete, good hint.
"""

from __future__ import annotations

import heapq

import numpy as np

from planner.opt.check import Assignment
from planner.opt.decompose import Decomposition
from planner.opt.groups import Column
from planner.opt.instance import Instance, IntArray


class _State:
    """Chosen column per group, reserves, and the usage of every rule."""

    def __init__(self, instance: Instance, pools: list[list[Column]]) -> None:
        self.inst = instance
        self.pools = pools
        self.rules = instance.rules()
        n_a = len(instance.agency_names)
        self.rule_matrix = np.array([r.per_agency for r in self.rules], dtype=np.int64).reshape(
            len(self.rules), n_a
        )
        self.rule_limit = np.array([r.limit for r in self.rules], dtype=np.int64)
        self.rule_district = np.array(
            [-1 if r.district is None else r.district for r in self.rules], dtype=np.int64
        )
        self.usage = np.zeros(len(self.rules), dtype=np.int64)
        self.choice = np.zeros(instance.n_groups, dtype=np.int64)
        self.reserves = np.zeros(
            (len(instance.reserves), len(instance.district_names)), dtype=np.int64
        )

    def rule_delta(self, district: int, persons: IntArray) -> IntArray:
        """Change of each rule's usage when `persons` (per agency) join kecamatan `district`."""
        applies = (self.rule_district < 0) | (self.rule_district == district)
        return np.where(applies, self.rule_matrix @ persons, 0)

    def fits(self, delta: IntArray) -> bool:
        return bool(np.all(self.usage + delta <= self.rule_limit))

    def reserve_persons(self, q: int) -> IntArray:
        persons = np.zeros(len(self.inst.agency_names), dtype=np.int64)
        persons[self.inst.reserves[q].agency] = self.inst.reserves[q].team_size
        return persons


def round_master(
    instance: Instance,
    decomposition: Decomposition,
    pools: list[list[Column]] | None = None,
) -> Assignment | None:
    """A plan meeting every rule built from the last master LP solution, or None.

    `pools` are the groups' candidate columns, starting with the master's own (in the same
    order, as the LP weights refer to them) and possibly more (cheaper ties) after them."""
    inst = instance
    base_harm = inst.reserve_base
    pools = pools if pools is not None else decomposition.columns
    if not decomposition.alpha or decomposition.reserve_level is None:
        return None
    prices = decomposition.prices
    state = _State(inst, pools)
    for g, weights in enumerate(decomposition.alpha):
        if not len(weights):
            return None
        used = np.flatnonzero(weights > 1e-6)
        if len(used) == 1 or prices is None:
            state.choice[g] = int(np.argmax(weights))
        else:  # fractional: the cheapest column at the LP's prices
            cost = [float(pools[g][s].personnel @ prices[g]) for s in used.tolist()]
            state.choice[g] = int(used[int(np.argmin(cost))])
    for q, r in enumerate(inst.reserves):
        level = np.floor(decomposition.reserve_level[q] + 1e-6).astype(np.int64)
        state.reserves[q] = np.clip(level, r.min_per_district, r.max_per_district)
    _recount(state)
    if not _repair(state):
        return None
    _fill(state, prices, base_harm)
    _trim_cost(state)
    return _assignment(state)


def _recount(state: _State) -> None:
    inst = state.inst
    usage = np.zeros(len(state.rules), dtype=np.int64)
    for g, s in enumerate(state.choice.tolist()):
        usage += state.rule_delta(int(inst.group_district[g]), state.pools[g][s].personnel)
    for q in range(len(inst.reserves)):
        persons = state.reserve_persons(q)
        for d in range(len(inst.district_names)):
            usage += state.reserves[q, d] * state.rule_delta(d, persons)
    state.usage = usage


def _repair(state: _State, max_moves: int = 100_000) -> bool:
    """Move groups to cheaper columns (and drop optional reserve teams) until every rule
    holds; False if that is impossible within the pools."""
    inst = state.inst
    for _ in range(max_moves):
        over = state.usage - state.rule_limit
        broken = np.flatnonzero(over > 0)
        if not len(broken):
            return True
        best: tuple[float, int, int] | None = None  # (harm per unit saved, group, column)
        for g, pool in enumerate(state.pools):
            d = int(inst.group_district[g])
            current = pool[state.choice[g]]
            for s, column in enumerate(pool):
                delta = state.rule_delta(d, column.personnel - current.personnel)
                saved = float(-delta[broken].sum())
                if saved <= 0:
                    continue
                score = (column.harm - current.harm) / saved
                if best is None or score < best[0]:
                    best = (score, g, s)
        for q, r in enumerate(inst.reserves):
            persons = state.reserve_persons(q)
            for d in range(len(inst.district_names)):
                kept = int(state.reserves[q, d])
                if kept > r.min_per_district:
                    saved = float(state.rule_delta(d, persons)[broken].sum())
                    base = 0 if inst.reserve_base is None else int(inst.reserve_base[d])
                    lost = r.reduction[kept - 1] * base / inst.resolution.reduction_scale
                    if saved > 0 and (best is None or lost / saved < best[0]):
                        best = (lost / saved, -1 - q, d)
        if best is None:
            return False
        _, g, s = best
        if g >= 0:
            d = int(inst.group_district[g])
            old = state.pools[g][state.choice[g]]
            state.usage += state.rule_delta(d, state.pools[g][s].personnel - old.personnel)
            state.choice[g] = s
        else:
            q = -1 - g
            state.reserves[q, s] -= 1
            state.usage -= state.rule_delta(s, state.reserve_persons(q))
    return False


def _fill(state: _State, prices: np.ndarray | None, base_harm: IntArray | None) -> None:
    """Spend what the rules leave on upgrades, most harm removed per priced person first."""
    inst = state.inst
    scale = inst.resolution.reduction_scale
    weights = prices if prices is not None else np.ones((inst.n_groups, len(inst.agency_names)))
    heap: list[tuple[float, int, int, int]] = []  # (−gain per priced person, kind, a, b)
    first_group = np.zeros(len(inst.district_names), dtype=np.int64)
    first_group[inst.group_district[::-1]] = np.arange(inst.n_groups)[::-1]

    def push_group(g: int) -> None:
        current = state.pools[g][state.choice[g]]
        for s, column in enumerate(state.pools[g]):
            gain = scale * (current.harm - column.harm)
            if gain <= 0:
                continue
            extra = float((column.personnel - current.personnel) @ weights[g])
            heapq.heappush(heap, (-gain / max(extra, 1e-9), 0, g, s))

    def push_reserve(q: int, d: int) -> None:
        r = inst.reserves[q]
        kept = int(state.reserves[q, d])
        if kept >= r.max_per_district or base_harm is None:
            return
        gain = r.reduction[kept] * int(base_harm[d])
        if gain <= 0:
            return
        extra = float(state.reserve_persons(q) @ weights[first_group[d]])
        heapq.heappush(heap, (-gain / max(extra, 1e-9), 1, q, d))

    for g in range(inst.n_groups):
        push_group(g)
    for q in range(len(inst.reserves)):
        for d in range(len(inst.district_names)):
            push_reserve(q, d)
    while heap:
        _, kind, a, b = heapq.heappop(heap)
        if kind == 0:
            g, s = a, b
            current = state.pools[g][state.choice[g]]
            column = state.pools[g][s]
            if column.harm >= current.harm:
                continue  # stale: the group has moved on
            d = int(inst.group_district[g])
            delta = state.rule_delta(d, column.personnel - current.personnel)
            if state.fits(delta):
                state.usage += delta
                state.choice[g] = s
                push_group(g)
        else:
            q, d = a, b
            r = inst.reserves[q]
            if state.reserves[q, d] >= r.max_per_district:
                continue
            delta = state.rule_delta(d, state.reserve_persons(q))
            if state.fits(delta):
                state.usage += delta
                state.reserves[q, d] += 1
                push_reserve(q, d)


def _trim_cost(state: _State) -> None:
    """The cost tie-break without a solver: per group, the cheapest pool column that is no
    worse in harm and still fits every rule; optional reserve teams that remove no harm go."""
    inst = state.inst
    cost = inst.agency_cost_idr
    for g, pool in enumerate(state.pools):
        current = pool[state.choice[g]]
        d = int(inst.group_district[g])
        best_s, best_cost = state.choice[g], int(current.personnel @ cost)
        for s, column in enumerate(pool):
            price = int(column.personnel @ cost)
            if column.harm <= current.harm and price < best_cost:
                delta = state.rule_delta(d, column.personnel - current.personnel)
                if state.fits(delta):
                    best_s, best_cost = s, price
        if best_s != state.choice[g]:
            state.usage += state.rule_delta(d, pool[best_s].personnel - current.personnel)
            state.choice[g] = best_s
    for q, r in enumerate(inst.reserves):
        for d in range(len(inst.district_names)):
            while (
                state.reserves[q, d] > r.min_per_district
                and r.reduction[state.reserves[q, d] - 1] == 0
            ):
                state.reserves[q, d] -= 1
                state.usage -= state.rule_delta(d, state.reserve_persons(q))


def _assignment(state: _State) -> Assignment:
    inst = state.inst
    pattern = np.full(inst.n_tps, -1, dtype=np.int64)
    for g, s in enumerate(state.choice.tolist()):
        counts: dict[int, dict[int, int]] = {}
        for k, p, n in state.pools[g][s].counts:
            counts.setdefault(k, {})[p] = n
        for k, row in counts.items():
            tps = inst.cell_tps(k)
            at = 0
            for p in inst.allowed_by_harm(int(inst.cell_class[k])):
                n = row.get(p, 0)
                pattern[tps[at : at + n]] = p
                at += n
    return Assignment(pattern=pattern, reserves=state.reserves.copy())
