"""The scan report: its model and spool (model.py) and its formats (json_csv.py, html.py,
table.py), picked by name in writers.py. Not a sink: every sink and the CLI read it."""
