"""CDRs module (2.2.1 chapter 10): the version-neutral CDR model."""
