"""The service: ``formgen serve`` (``app.create_app``)."""
