"""Use cases over the domain, each one transaction through a unit of work."""
