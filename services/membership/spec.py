"""How the platform finds this service (shared/services.py)."""

from shared.services import ServiceSpec

SPEC = ServiceSpec(name="membership", port=8001, start_order=10)
