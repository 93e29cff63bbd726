"""govhall-vendor-demo: notes kept per locality, a vendor plugin in its own distribution."""
