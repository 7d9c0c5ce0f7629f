"""Thin Lambda entry points: each parses its event into a request of maptag.app (workflow, remediate)."""
