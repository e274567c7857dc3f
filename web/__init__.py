"""The round on the web (issue 18): a Django application in which the office runs the
year's round, communes self-assess with evidence, the council appraises and the public
reads the published results. Every score comes from the engine's library API
(``scoring.load`` / ``scoring.score`` / scoring.writers) through web.engine: no second
scoring code.
"""
