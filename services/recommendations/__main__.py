"""`python -m services.recommendations` starts the service."""

import uvicorn

from services.recommendations.app import create_app
from shared.settings import PlatformSettings

if __name__ == "__main__":
    settings = PlatformSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.bind_host,
        port=settings.recommendations_port,
        log_config=None,
    )
