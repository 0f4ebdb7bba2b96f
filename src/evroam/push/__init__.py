"""Push: the transactional outbox and the worker that delivers our changes to partners."""
