"""Document registry, Ed25519 signatures, public verification, sharing, inter-agency exchange."""
