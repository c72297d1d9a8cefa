"""Registration rules: plain Python, no broker, no database."""
