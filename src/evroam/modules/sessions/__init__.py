"""Sessions module (2.2.1 chapter 9): the version-neutral Session and its interfaces."""
