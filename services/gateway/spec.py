"""How the platform finds this service (shared/services.py)."""

from shared.services import ServiceSpec

# Started last: it calls the others.
SPEC = ServiceSpec(name="gateway", port=8000, start_order=90, publishes=False)
