"""The events service's domain: pure Python, no I/O."""
