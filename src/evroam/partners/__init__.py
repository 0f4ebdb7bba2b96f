"""Partners: remote platforms we hold a credentials connection with."""
