"""Thin Lambda entry points over maptag.workflow (plan, scan_unit, publish)."""
