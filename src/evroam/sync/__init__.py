"""Pull sync: partners' Locations and Tariffs fetched from their Sender interfaces (DIGEST §1.6).

`pull.py` is the version-neutral engine (pages, watermark, removal after a full pull),
`paging.py` decides which page comes next, `pipeline.py` fetches pages ahead of that decision,
`prepare.py` validates a page and writes its objects out (in `workers.py`' processes for a
large pull), `store.py` stores a prepared page of one module, `locations.py` and `tariffs.py`
adapt the engine to a module, `state.py` keeps the watermark, `schedule.py` runs it inside
the server. This package imports nothing at import time beyond
its own modules' dependencies, so `evroam.settings` may import `evroam.sync.settings`.
"""
