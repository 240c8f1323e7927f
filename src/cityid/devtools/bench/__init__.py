"""`cityid bench`: `suites` runs every figure beside its target; one module per room measured."""
