"""`python -m services.recommendations` starts the service."""

from services.recommendations.app import create_app
from services.recommendations.spec import SPEC
from shared.service import serve

if __name__ == "__main__":
    serve(SPEC, create_app())
