"""The web app and REST API: every role's daily work in a browser, and an API for systems.

The web layer calls the same use cases as the command line (:mod:`dostyk.services`), never the
store. Every route names one action of the policy table (:mod:`dostyk.web.policy`), which is
checked in one place for pages and endpoints alike. Each capability adds its own router, pages and
policy entries; :mod:`dostyk.web.app` puts them together.
"""
