"""`python -m services.membership` starts the service."""

import uvicorn

from services.membership.app import MembershipSettings, create_app

if __name__ == "__main__":
    settings = MembershipSettings()
    uvicorn.run(
        create_app(settings), host="127.0.0.1", port=settings.membership_port, log_config=None
    )
