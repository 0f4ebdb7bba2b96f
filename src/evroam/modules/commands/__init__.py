"""Commands module (2.2.1 chapter 13): remote start/stop, reservations and unlock, both sides."""
