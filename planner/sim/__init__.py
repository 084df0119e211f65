"""The polling-day simulation: one replication of the day at every TPS of a scenario.

`day.simulate_day` runs the steps in order (see its module docstring): opening and ballots,
voters (`voters`, drawn from named streams), KPPS fatigue and health (`fatigue`, `staff`),
disruptions from incidents (`incidents`, `response`, `logistics`), the voter flow through the
service stages (`queueing` rules; `queue_batch` array engine, `queue_reference` SimPy
engine, identical results), then counting (`counting`). `metrics` turns a day into the small
per-replication aggregate that `planner.experiment.run` folds into the summary.

`planner.sim` never imports `planner.opt`; the only thing that crosses is a `Plan`.
"""
