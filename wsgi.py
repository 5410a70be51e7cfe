"""WSGI entry point: `gunicorn wsgi:app`, and how `flask` finds the app."""
from caseapp import create_app

app = create_app()
