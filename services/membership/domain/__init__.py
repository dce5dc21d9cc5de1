"""Membership's domain: pure Python, no I/O."""
