"""The group DP for every group at once (vectorised across groups with numpy).

Same programme as `planner.opt.groups.best_column` — per group, classes one after another,
within a class the allowed patterns in order of residual harm each taking the next heaviest
TPS, a carry state for team patterns shared between classes — but each step runs on all
cells of a class together (batches of cells of similar size, padded), so a national
instance (435,000 TPS, 70,000 groups) is priced in seconds rather than minutes.

Prices may differ per group (a kecamatan availability rule prices only its own groups).
The carry patterns are chosen once for the whole instance (team patterns allowed in more
than one class); a pattern carried in a group where only one class uses it is still costed
exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.opt.groups import STATE_CAP, Column
from planner.opt.instance import Instance, IntArray

_INF = 1 << 60
_BATCH_CELLS = 1 << 20
"""Largest batch, counted as cells × (size + 1)² (bounds the memory of one step)."""


@dataclass(frozen=True)
class Priced:
    """The priced optimum of every group."""

    value: IntArray
    """Per group: a lower bound of ``harm_factor × harm + price · persons`` (exact unless
    `exact` is False)."""
    counts: IntArray
    """TPS per (cell, pattern) of each group's optimum, shape (cells, patterns)."""
    harm: IntArray
    """Per group: Σ w r of the optimum (weight × harm units, heaviest TPS first)."""
    personnel: IntArray
    """Per group and agency: persons of the optimum (no reserves), shape (groups, agencies)."""
    exact: bool


def carry_patterns(instance: Instance) -> tuple[list[int], set[int]]:
    """Team patterns carried between classes, and those priced per TPS instead (when the
    carry state would exceed `STATE_CAP`)."""
    inst = instance
    size = inst.pattern_tps_per_team
    uses = inst.allowed.sum(axis=0)
    team_any = inst.pattern_team.sum(axis=1) > 0
    cross = [
        p for p in range(len(inst.pattern_names)) if uses[p] > 1 and size[p] > 1 and team_any[p]
    ]
    cross.sort(key=lambda p: int(size[p]))
    relaxed: set[int] = set()
    while cross and math.prod(int(size[p]) for p in cross) > STATE_CAP:
        relaxed.add(cross.pop())
    return cross, relaxed


def price_all(instance: Instance, harm_factor: IntArray, price: IntArray) -> Priced:
    """Minimise ``harm_factor[g] × harm + price[g] · persons`` for every group g.

    `harm_factor` has one entry per group; `price` has shape (groups, agencies).
    """
    inst = instance
    n_g = inst.n_groups
    n_p = len(inst.pattern_names)
    size = inst.pattern_tps_per_team
    cross, relaxed = carry_patterns(inst)
    radix = [int(size[p]) for p in cross]
    n_states = math.prod(radix) if radix else 1
    states = np.array(list(np.ndindex(*radix)) if radix else [()], dtype=np.int64).reshape(
        n_states, len(radix)
    )
    team_price = price @ inst.pattern_team.T  # (groups, patterns)
    per_tps_price = price @ inst.pattern_per_tps.T + np.where(size[None, :] == 1, team_price, 0)
    value = np.full((n_g, n_states), _INF, dtype=np.int64)
    value[:, 0] = 0
    counts = np.zeros((inst.n_cells, n_p), dtype=np.int64)
    cell_size = np.diff(inst.cell_start)
    # Forward pass, class by class; keep what the backward pass needs.
    traces: list[tuple[IntArray, list[int], list[tuple[np.ndarray, np.ndarray]]]] = []
    for c in range(len(inst.class_names)):
        cells_c = np.flatnonzero(inst.cell_class == c)
        if not len(cells_c):
            continue
        allowed = inst.allowed_by_harm(c)
        for batch in _batches(cells_c, cell_size):
            steps = _forward(
                inst,
                batch,
                c,
                allowed,
                value,
                harm_factor,
                per_tps_price,
                team_price,
                cross,
                relaxed,
                states,
                radix,
            )
            traces.append((batch, allowed, steps))
    best_state = np.argmin(value, axis=1)
    total = value[np.arange(n_g), best_state]
    # Backward pass: classes in reverse, recovering the counts and the state before each.
    state = best_state.copy()
    for batch, allowed, steps in reversed(traces):
        groups = inst.cell_group[batch]
        t = cell_size[batch].copy()
        s = state[groups]
        rows = np.arange(len(batch))
        for p, (src_t, src_s) in zip(reversed(allowed), reversed(steps), strict=True):
            before_t = src_t[rows, t, s].astype(np.int64)
            before_s = src_s[rows, t, s].astype(np.int64)
            counts[batch, p] = t - before_t
            t, s = before_t, before_s
        state[groups] = s
    harm, personnel = evaluate_counts(inst, counts)
    exact = not relaxed
    return Priced(value=total, counts=counts, harm=harm, personnel=personnel, exact=exact)


def columns_of(instance: Instance, priced: Priced, groups: IntArray) -> list[Column]:
    """`Column` objects for the optima of the given groups."""
    inst = instance
    cell_of, pattern_of = np.nonzero(priced.counts)
    n_of = priced.counts[cell_of, pattern_of]
    group_of = inst.cell_group[cell_of]
    starts = np.searchsorted(group_of, groups, side="left")
    ends = np.searchsorted(group_of, groups, side="right")
    team_patterns = inst.team_patterns()
    size = inst.pattern_tps_per_team
    out = []
    for g, a, b in zip(groups.tolist(), starts.tolist(), ends.tolist(), strict=True):
        ks, ps, ns = cell_of[a:b].tolist(), pattern_of[a:b].tolist(), n_of[a:b].tolist()
        per_pattern: dict[int, int] = {}
        for p, n in zip(ps, ns, strict=True):
            per_pattern[p] = per_pattern.get(p, 0) + n
        teams = tuple(
            (p, -(-per_pattern[p] // int(size[p]))) for p in team_patterns if p in per_pattern
        )
        out.append(
            Column(
                group=g,
                counts=tuple(zip(ks, ps, ns, strict=True)),
                harm=int(priced.harm[g]),
                personnel=priced.personnel[g].copy(),
                teams=teams,
            )
        )
    return out


def evaluate_counts(instance: Instance, counts: IntArray) -> tuple[IntArray, IntArray]:
    """Per group: harm (heaviest TPS on the lowest-harm patterns) and persons per agency of
    TPS counts per (cell, pattern)."""
    inst = instance
    n_g = inst.n_groups
    cell_harm = np.zeros(inst.n_cells, dtype=np.int64)
    weights = inst.tps_weight[inst.cell_order]
    prefix = np.concatenate([[0], np.cumsum(weights)]).astype(np.int64)
    for c in range(len(inst.class_names)):
        cells_c = np.flatnonzero(inst.cell_class == c)
        if not len(cells_c):
            continue
        at = inst.cell_start[cells_c].copy()
        for p in inst.allowed_by_harm(c):
            n = counts[cells_c, p]
            cell_harm[cells_c] += int(inst.residual[c, p]) * (prefix[at + n] - prefix[at])
            at = at + n
    harm = np.zeros(n_g, dtype=np.int64)
    np.add.at(harm, inst.cell_group, cell_harm)
    per_group = np.zeros((n_g, counts.shape[1]), dtype=np.int64)
    np.add.at(per_group, inst.cell_group, counts)
    teams = -(-per_group // inst.pattern_tps_per_team[None, :])
    personnel = per_group @ inst.pattern_per_tps + teams @ inst.pattern_team
    return harm, personnel


def _batches(cells: IntArray, cell_size: IntArray) -> list[IntArray]:
    """Cells grouped by padded size (exact up to 16, then powers of two), each batch small
    enough that (cells × (size + 1)²) stays under `_BATCH_CELLS`."""
    sizes = cell_size[cells]
    padded = np.where(
        sizes <= 16, sizes, 2 ** np.ceil(np.log2(np.maximum(sizes, 1))).astype(np.int64)
    )
    out = []
    for n in np.unique(padded).tolist():
        members = cells[padded == n]
        per = max(1, _BATCH_CELLS // ((int(n) + 1) ** 2))
        for start in range(0, len(members), per):
            out.append(members[start : start + per])
    return out


def _forward(
    inst: Instance,
    batch: IntArray,
    c: int,
    allowed: list[int],
    value: np.ndarray,
    harm_factor: IntArray,
    per_tps_price: np.ndarray,
    team_price: np.ndarray,
    cross: list[int],
    relaxed: set[int],
    states: np.ndarray,
    radix: list[int],
) -> list[tuple[np.ndarray, np.ndarray]]:
    """One class for a batch of its cells: update `value` of their groups in place and
    return, per pattern, where each (TPS placed, state) came from."""
    groups = inst.cell_group[batch]
    sizes = np.diff(inst.cell_start)[batch]
    n_max = int(sizes.max())
    n_b = len(batch)
    n_states = len(states)
    # Prefix sums of the heaviest-first weights, padded flat beyond each cell's size.
    pos = np.minimum(np.arange(n_max)[None, :], sizes[:, None] - 1)
    w = inst.tps_weight[inst.cell_order[inst.cell_start[batch][:, None] + pos]]
    w = np.where(np.arange(n_max)[None, :] < sizes[:, None], w, 0)
    prefix = np.concatenate([np.zeros((n_b, 1), dtype=np.int64), np.cumsum(w, axis=1)], axis=1)
    t_from = np.arange(n_max + 1)[:, None]
    t_to = np.arange(n_max + 1)[None, :]
    x = t_to - t_from  # (from, to)
    valid = (x >= 1)[None, :, :] & (t_to[None, :, :] <= sizes[:, None, None])
    table = np.full((n_b, n_max + 1, n_states), _INF, dtype=np.int64)
    table[:, 0, :] = value[groups]
    factor = harm_factor[groups][:, None, None]
    size_of = inst.pattern_tps_per_team
    steps: list[tuple[np.ndarray, np.ndarray]] = []
    index_t = np.arange(n_max + 1)
    for p in allowed:
        r = int(inst.residual[c, p])
        gain = prefix[:, None, :] - prefix[:, :, None]  # W(to) − W(from)
        base = factor * r * gain + per_tps_price[groups, p][:, None, None] * x[None]
        k = int(size_of[p])
        if p in relaxed:
            base = base + (team_price[groups, p] // k)[:, None, None] * x[None]
        elif k > 1 and p not in cross:
            base = base + team_price[groups, p][:, None, None] * (-(-x // k))[None]
        new = table.copy()
        src_t = np.broadcast_to(index_t[None, :, None], table.shape).astype(np.int16).copy()
        src_s = (
            np.broadcast_to(np.arange(n_states)[None, None, :], table.shape).astype(np.int32).copy()
        )
        for s in range(n_states):
            start = table[:, :, s][:, :, None]  # (batch, from, 1)
            if p in cross:
                axis = cross.index(p)
                free = int(states[s, axis])
                teams = np.maximum(0, -(-(x - free) // k))
                cost = base + team_price[groups, p][:, None, None] * teams[None]
                after = (free - x) % k
                targets = _state_index(states, s, axis, after, radix)
            else:
                cost = base
                targets = None
            total = np.where(valid, start + cost, _INF)
            if targets is None:
                _relax(total, new, src_t, src_s, s, s)
                continue
            for target in np.unique(targets[x >= 1]).tolist():
                masked = np.where((targets == target)[None], total, _INF)
                _relax(masked, new, src_t, src_s, target, s)
        np.minimum(new, _INF, out=new)
        table = new
        steps.append((src_t, src_s))
    value[groups] = table[np.arange(n_b), sizes]
    return steps


def _relax(
    total: np.ndarray,
    new: np.ndarray,
    src_t: np.ndarray,
    src_s: np.ndarray,
    target: int,
    source: int,
) -> None:
    """new[:, to, target] = min(new, min over from of total[:, from, to]) with sources."""
    best_from = np.argmin(total, axis=1)  # (batch, to)
    best = np.take_along_axis(total, best_from[:, None, :], axis=1)[:, 0, :]
    better = best < new[:, :, target]
    new[:, :, target] = np.where(better, best, new[:, :, target])
    src_t[:, :, target] = np.where(better, best_from, src_t[:, :, target])
    src_s[:, :, target] = np.where(better, source, src_s[:, :, target])


def _state_index(
    states: np.ndarray, s: int, axis: int, after: np.ndarray, radix: list[int]
) -> np.ndarray:
    index = np.zeros_like(after)
    for j, r in enumerate(radix):
        digit = after if j == axis else int(states[s, j])
        index = index * r + digit
    return index
