"""The deployment optimiser: which pattern each TPS gets and the reserves each kecamatan keeps.

Layers (each module one concept):

- `instance` — a scenario scaled to integers with a stated resolution, and the sharing
  cells (TPS of one group and class are interchangeable);
- `check` — the independent plan checker: every rule, personnel, cost, the objective;
- `groups` — one sharing group solved exactly for given prices (DP), its configurations;
- `decompose` — column generation over groups: the Dantzig–Wolfe bound, columns, cuts;
- `model` — the CP-SAT model (counts per cell; naive per-TPS and restricted-master layers);
- `solve` — the pipeline: bound, first plan, CP-SAT to improve and prove, cost tie-break;
- `explain` — why no plan exists and the least extra budget or personnel that fixes it;
- `limits` — ``--budget`` and ``--available`` overrides;
- `api` — `optimise` (the Python API) and the solve report (plan.json);
- `frontier` — the budget sweep; `output` — files and printed tables.

`planner.opt` never imports `planner.sim`; the only thing that crosses is a `Plan`.
"""
