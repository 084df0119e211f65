"""One sharing group at a time: its configurations ("columns") and its priced optimum.

A sharing group (a village, or a kecamatan pool of small villages) is where rounding bites:
a pattern shared by k TPS costs ``ceil(N / k)`` teams, so a linear relaxation that lets a
group pay for 1.5 teams is 1–2% too optimistic. Here the group is solved *exactly* for given
prices — ``min f × harm + Σ_a μ_a × persons_a`` over every assignment of patterns to its
TPS — by a dynamic programme over its TPS whose state is the number of free places in the
last team opened on each shared pattern. The optimum feeds two things:

- column generation (`planner.opt.decompose`): the group's configuration with the most
  negative reduced cost;
- a valid inequality (a *Lagrangian cut*) for the CP-SAT model: ``f × harm_g + μ · persons_g
  ≥ value`` holds for every plan, so CP-SAT's linear relaxation sees the rounding.

When the state space would exceed `STATE_CAP`, the patterns with the largest teams are
priced per TPS (``floor(team price / k)``, never above the true cost), so the value is still
a valid lower bound (`GroupOptimum.exact` is then False).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.opt.instance import Instance, IntArray

STATE_CAP = 1 << 15
"""Largest number of DP states per group (product of team sizes of the shared patterns)."""

_INF = 1 << 60


@dataclass(frozen=True)
class Column:
    """One configuration of a sharing group: TPS per (cell, pattern), its harm and persons."""

    group: int
    counts: tuple[tuple[int, int, int], ...]
    """(cell, pattern, TPS) for every non-zero count, sorted."""
    harm: int
    """Σ w_i r_i with the heaviest TPS on the lowest-harm patterns (weight × harm units)."""
    personnel: IntArray
    """Persons per agency at TPS posts and shared teams (no reserves)."""
    teams: tuple[tuple[int, int], ...]
    """(pattern, teams) for shared-team patterns in use."""


@dataclass(frozen=True)
class GroupOptimum:
    """The priced optimum of one group."""

    value: int
    """A lower bound of ``f × harm + μ · persons`` over the group's plans (exact if `exact`)."""
    column: Column
    exact: bool


def group_cells(instance: Instance) -> list[list[int]]:
    """Cells of each sharing group."""
    out: list[list[int]] = [[] for _ in range(instance.n_groups)]
    for k, g in enumerate(instance.cell_group.tolist()):
        out[g].append(k)
    return out


def column_from_counts(
    instance: Instance, group: int, counts: dict[tuple[int, int], int]
) -> Column:
    """The column for given TPS per (cell, pattern) of one group."""
    inst = instance
    harm = 0
    n_p = len(inst.pattern_names)
    per_pattern = np.zeros(n_p, dtype=np.int64)
    by_cell: dict[int, dict[int, int]] = {}
    for (k, p), n in counts.items():
        if n:
            by_cell.setdefault(k, {})[p] = n
            per_pattern[p] += n
    for k, row in by_cell.items():
        c = int(inst.cell_class[k])
        weights = inst.tps_weight[inst.cell_tps(k)]
        at = 0
        for p in inst.allowed_by_harm(c):
            n = row.get(p, 0)
            if n:
                harm += int(weights[at : at + n].sum()) * int(inst.residual[c, p])
                at += n
    teams = -(-per_pattern // inst.pattern_tps_per_team)
    personnel = per_pattern @ inst.pattern_per_tps + teams @ inst.pattern_team
    shared = [p for p in inst.team_patterns() if teams[p]]
    return Column(
        group=group,
        counts=tuple(sorted((k, p, n) for (k, p), n in counts.items() if n)),
        harm=harm,
        personnel=personnel.astype(np.int64),
        teams=tuple((p, int(teams[p])) for p in shared),
    )


def column_value(column: Column, harm_factor: int, price: IntArray) -> int:
    """``harm_factor × harm + price · persons`` of a column."""
    return harm_factor * column.harm + int(column.personnel @ price)


def best_column(
    instance: Instance, group: int, cells: list[int], harm_factor: int, price: IntArray
) -> GroupOptimum:
    """Minimise ``harm_factor × harm + price · persons`` over every plan of one group.

    `price` is per agency (objective units per person, ≥ 0); harm is in weight × harm units.

    Dynamic programme: classes one after another; within a class its allowed patterns in
    order of residual harm, each taking the next ``x`` heaviest TPS (state: TPS of the class
    placed so far). Patterns shared by teams and allowed in several classes of the group
    carry the free places of their last team from class to class (the carry state).
    """
    inst = instance
    n_p = len(inst.pattern_names)
    size = inst.pattern_tps_per_team
    team_price = inst.pattern_team @ price
    per_tps_price = inst.pattern_per_tps @ price + np.where(size == 1, team_price, 0)
    classes = [int(inst.cell_class[k]) for k in cells]
    uses = np.zeros(n_p, dtype=np.int64)
    for c in classes:
        uses += inst.allowed[c]
    cross = [p for p in range(n_p) if uses[p] > 1 and size[p] > 1 and team_price[p] > 0]
    cross.sort(key=lambda p: int(size[p]))
    exact = True
    relaxed: set[int] = set()
    while cross and math.prod(int(size[p]) for p in cross) > STATE_CAP:
        relaxed.add(cross.pop())  # priced per TPS below its true cost: a lower bound
        exact = False
    radix = [int(size[p]) for p in cross]
    n_states = math.prod(radix) if radix else 1
    states = np.array(list(np.ndindex(*radix)) if radix else [()], dtype=np.int64).reshape(
        n_states, len(radix)
    )
    value = np.full(n_states, _INF, dtype=np.int64)
    value[0] = 0
    trace: list[tuple[int, list[int], list[tuple[np.ndarray, np.ndarray]]]] = []
    for k, c in zip(cells, classes, strict=True):
        weights = inst.tps_weight[inst.cell_tps(k)]
        n = len(weights)
        prefix = np.concatenate([[0], np.cumsum(weights)]).astype(np.int64)
        allowed = inst.allowed_by_harm(c)
        table = np.full((n + 1, n_states), _INF, dtype=np.int64)
        table[0] = value
        steps: list[tuple[np.ndarray, np.ndarray]] = []
        t_from = np.arange(n + 1)[:, None]
        t_to = np.arange(n + 1)[None, :]
        x = t_to - t_from  # TPS put on the pattern, for every (from, to)
        ok = x >= 1
        for p in allowed:
            harm = harm_factor * int(inst.residual[c, p]) * (prefix[None, :] - prefix[:, None])
            base = harm + int(per_tps_price[p]) * x
            k_p = int(size[p])
            if p in relaxed:
                base = base + (int(team_price[p]) // k_p) * x
            elif k_p > 1 and team_price[p] > 0 and p not in cross:
                base = base + int(team_price[p]) * (-(-x // k_p))
            new = table.copy()
            src_t = np.tile(np.arange(n + 1)[:, None], (1, n_states))
            src_s = np.tile(np.arange(n_states)[None, :], (n + 1, 1))
            for s in range(n_states):
                from_values = table[:, s]
                if p in cross:
                    axis = cross.index(p)
                    free = int(states[s, axis])
                    teams = np.maximum(0, -(-(x - free) // k_p))
                    cost = base + int(team_price[p]) * teams
                    targets = _shift_states(states, s, axis, free, k_p, x, radix)
                else:
                    cost = base
                    targets = None
                total = np.where(ok, from_values[:, None] + cost, _INF)
                if targets is None:
                    best_from = np.argmin(total, axis=0)
                    best = total[best_from, np.arange(n + 1)]
                    better = best < new[:, s]
                    new[better, s] = best[better]
                    src_t[better, s] = best_from[better]
                    src_s[better, s] = s
                    continue
                for target in np.unique(targets[ok]).tolist():
                    masked = np.where(targets == target, total, _INF)
                    best_from = np.argmin(masked, axis=0)
                    best = masked[best_from, np.arange(n + 1)]
                    better = best < new[:, target]
                    new[better, target] = best[better]
                    src_t[better, target] = best_from[better]
                    src_s[better, target] = s
            np.minimum(new, _INF, out=new)
            table = new
            steps.append((src_t, src_s))
        value = table[n].copy()
        trace.append((k, allowed, steps))
    state = int(np.argmin(value))
    total_value = int(value[state])
    counts: dict[tuple[int, int], int] = {}
    for k, allowed, steps in reversed(trace):
        t = int(inst.cell_start[k + 1] - inst.cell_start[k])
        for p, (src_t, src_s) in zip(reversed(allowed), reversed(steps), strict=True):
            before_t = int(src_t[t, state])
            before_s = int(src_s[t, state])
            if before_t != t or before_s != state:
                counts[(k, p)] = t - before_t
            t, state = before_t, before_s
    column = column_from_counts(inst, group, counts)
    return GroupOptimum(value=total_value, column=column, exact=exact)


def _shift_states(
    states: np.ndarray, s: int, axis: int, free: int, k_p: int, x: np.ndarray, radix: list[int]
) -> np.ndarray:
    """State index after putting x TPS on the carried pattern on `axis` from state s."""
    after = (free - x) % k_p
    index = np.zeros_like(x)
    for j, r in enumerate(radix):
        digit = after if j == axis else int(states[s, j])
        index = index * r + digit
    return index
