"""`python -m services.gateway` starts the gateway."""

from services.gateway.app import create_app
from services.gateway.spec import SPEC
from shared.service import serve

if __name__ == "__main__":
    serve(SPEC, create_app())
