"""The 2016 story, told against a fresh data dir: `cityid demo` and `make run`'s state."""
