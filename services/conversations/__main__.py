"""`python -m services.conversations` starts the service."""

from services.conversations.app import create_app
from services.conversations.spec import SPEC
from shared.service import serve

if __name__ == "__main__":
    serve(SPEC, create_app())
