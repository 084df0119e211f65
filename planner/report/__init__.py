"""Run folders, tables, plots and HTML reports."""
