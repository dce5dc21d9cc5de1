"""`python -m services.notifications` starts the service."""

from services.notifications.app import create_app
from services.notifications.spec import SPEC
from shared.service import serve

if __name__ == "__main__":
    serve(SPEC, create_app())
