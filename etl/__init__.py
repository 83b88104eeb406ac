"""Loading what units submit: read -> locate -> normalise -> validate -> load (see pipeline.py)."""
