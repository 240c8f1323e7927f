"""Development tooling: synthetic data (`synth`), benches (`bench`), fault hooks (`faults`).

What tests, benches and demos need and production never runs. No domain module imports
from here (import-linter enforces it); the composition root (`cityid.bootstrap`) installs
the fault hooks, the doors run `cityid synth` and `cityid bench`.
"""
