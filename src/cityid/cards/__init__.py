"""Cards: the Claim 169 credential, its status list, rendering and the verifier."""
