"""The events service's use cases, one module per resource: network events and their
registrations, regional submissions, node keys, the schedulers, and calendars. Each is load,
decide (domain), save with the facts."""
