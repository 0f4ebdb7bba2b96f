"""Tokens module (2.2.1 chapter 12): driver tokens, their real-time authorization, whitelists."""
