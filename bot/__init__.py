"""Channels (SMS, Telegram, web), the Redis session store and the command line."""
