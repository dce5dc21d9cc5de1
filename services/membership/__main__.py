"""`python -m services.membership` starts the service."""

from services.membership.app import create_app
from services.membership.spec import SPEC
from shared.service import serve

if __name__ == "__main__":
    serve(SPEC, create_app())
