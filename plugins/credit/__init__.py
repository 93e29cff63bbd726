"""The credit plugin."""
