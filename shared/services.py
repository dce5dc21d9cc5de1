"""The platform's services, as they declare themselves: every folder under services/ with a
`spec.py` holding a `SPEC`. shared/ names no service; `knet up`, the contracts generator and
the tests find them here, so adding a service is adding a folder."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from types import ModuleType

from shared.settings import REPO_ROOT

SERVICES_DIR = REPO_ROOT / "services"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    # The default port; KNET_<NAME>_PORT overrides it.
    port: int
    # `knet up` starts services in this order: a caller (the gateway) after what it calls.
    start_order: int = 50
    # Whether it publishes facts (its `facts` module feeds contracts/).
    publishes: bool = True

    @property
    def port_setting(self) -> str:
        return f"KNET_{self.name.upper()}_PORT"

    def bound_port(self) -> int:
        return int(os.environ.get(self.port_setting, self.port))

    def url(self) -> str:
        """Where the others call it: KNET_<NAME>_URL (a container's name, say), or this host."""
        return os.environ.get(f"KNET_{self.name.upper()}_URL") or (
            f"http://127.0.0.1:{self.bound_port()}"
        )

    def module(self, name: str) -> ModuleType:
        """One of the service's modules (`app`, `facts`, ...), imported when asked for."""
        return importlib.import_module(f"services.{self.name}.{name}")


def discover() -> list[ServiceSpec]:
    """Every service with a spec, in start order."""
    specs = []
    for folder in sorted(SERVICES_DIR.iterdir()):
        if (folder / "spec.py").is_file():
            spec = importlib.import_module(f"services.{folder.name}.spec").SPEC
            if not isinstance(spec, ServiceSpec) or spec.name != folder.name:
                raise TypeError(f"services/{folder.name}/spec.py must declare its own SPEC")
            specs.append(spec)
    return sorted(specs, key=lambda s: (s.start_order, s.name))
