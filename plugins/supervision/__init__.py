"""The supervision plugin."""
