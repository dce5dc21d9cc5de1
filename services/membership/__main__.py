"""`python -m services.membership` starts the service."""

import uvicorn

from services.membership.app import MembershipSettings, create_app

if __name__ == "__main__":
    settings = MembershipSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.bind_host,
        port=settings.membership_port,
        log_config=None,
    )
