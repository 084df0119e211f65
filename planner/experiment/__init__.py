"""Experiments: replications of polling day, their statistics, and (later) comparisons.

`run.run_replications` runs a scenario's days on a local process pool and folds the small
per-replication aggregates into the summary of DESIGN §5; `stats` holds the confidence
intervals.
"""
