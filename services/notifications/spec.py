"""How the platform finds this service (shared/services.py)."""

from shared.services import ServiceSpec

SPEC = ServiceSpec(name="notifications", port=8004, start_order=40)
