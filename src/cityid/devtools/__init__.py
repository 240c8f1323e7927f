"""Development tooling: what tests, benches and demos need and production never runs.
No domain module imports from here; the composition (`cityid.runtime`) may install it."""
