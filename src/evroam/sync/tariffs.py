"""Pulling a partner's Tariffs (DIGEST §8.1): the full list replaces the known one."""

from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.repository import TariffRepository
from evroam.sync.store import PullModule

# In 2.2.1 the wire Tariff is the domain Tariff (versions/v2_2_1/tariffs.py).
TARIFFS = PullModule("tariffs", TariffRepository, Tariff)
