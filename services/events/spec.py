"""How the platform finds this service (shared/services.py)."""

from shared.services import ServiceSpec

SPEC = ServiceSpec(name="events", port=8002, start_order=20)
