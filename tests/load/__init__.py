"""Load on loopback: a load generator, gunicorn with the production config, `make loadtest`."""
