"""`cityid synth`: synthetic applicants (`applicants`) from realistic names (`names`)."""
