"""How the platform finds this service (shared/services.py)."""

from shared.services import ServiceSpec

SPEC = ServiceSpec(name="conversations", port=8005, start_order=50)
