"""The web app and REST API: pages for every role's daily work, and the endpoints systems call."""
