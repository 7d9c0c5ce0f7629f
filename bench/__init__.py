"""Side-by-side benchmarks of maptag and Cloud Custodian on one moto server (issue 6)."""
