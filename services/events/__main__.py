"""`python -m services.events` starts the service."""

from services.events.app import create_app
from services.events.spec import SPEC
from shared.service import serve

if __name__ == "__main__":
    serve(SPEC, create_app())
