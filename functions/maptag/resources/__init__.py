"""Resource types (declarations.py) and the collector that runs them (collector.py)."""
