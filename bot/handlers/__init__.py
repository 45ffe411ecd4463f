"""Telegram handlers, one module per area of the bot; ``bot.app.register`` wires them in order."""
