"""The web widget (static/) and the routes that serve it (app.py)."""
