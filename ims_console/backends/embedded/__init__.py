"""The embedded IMS: the protocol over this project's own database (the apps' services and selectors)."""
