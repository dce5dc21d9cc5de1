"""How the platform finds this service (shared/services.py)."""

from shared.services import ServiceSpec

SPEC = ServiceSpec(name="recommendations", port=8003, start_order=30)
