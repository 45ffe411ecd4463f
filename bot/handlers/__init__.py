"""Telegram handlers, grouped by what the user is doing. ``register`` wires them all."""
