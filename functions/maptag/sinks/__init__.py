"""Where a scan's results go besides the report file (docs/contracts.md, "The pipeline").

One module per sink, each declaring its `SINK` (sinks/sink.py: name, one-line help, laptop
and/or deployed, default, deliver); sinks/registry.py lists them. Adding a sink is one module
and one line in the registry (docs/architecture.md, "Adding a sink").
"""
