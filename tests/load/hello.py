"""The throughput benchmark's baseline: the smallest Flask app, served by the same gunicorn
config as Frontdesk (`gunicorn --config gunicorn.conf.py "tests.load.hello:create_app()"`)."""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "Hello, World!"

    return app
