"""The load test (`make load`): a campaign's mix of requests driven by locust (`load/locustfile.py`), the
local stack it runs on and the invariants checked afterwards (`load/run.py`, `load/invariants.py`).
Never packaged into Lambda."""
