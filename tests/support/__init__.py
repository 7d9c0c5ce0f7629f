"""Test helpers, imported by the test modules (none of them is a test or a pytest fixture).

- moto_seed: one resource of a type seeded in moto, the policy and the scan as the CLI runs it
- moto_gaps: the types moto does not model (tested through Stubber) or its Tagging API misses
- stubbed, resource_cases, privileges: the Stubber harness for those types, the cases every
  stubbed type is checked with, and least privilege per service under moto's IAM enforcement
- faults, wire: AWS error answers injected at the transport; the requests a session sent
- cli_estate: a moto server with a small seeded estate, for `maptag scan` end to end
- deployed: the scanner stack's resources and the handlers' environment on a moto server
- asl, synth, iam: the synthesized state machine run in process; the CDK app synthesized;
  the IAM statements read out of its templates
- sink_fixtures, view_fixtures: finished runs and reports for the sinks' and views' tests
"""
