"""The application layer: typed requests and results between the edges and the domain.

The edges (the CLI's commands, the demo in local/demo.py, the Lambda handlers) turn their
input into a request and call one function here; the functions here call the domain (scan,
fix, sinks, report) and return a result the edge prints or returns (docs/architecture.md).
Importing this package imports nothing: each module is loaded on its own.
"""
