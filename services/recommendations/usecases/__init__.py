"""The recommendations service's use cases, one module per resource: the catalogue,
resonance (ballots, rankings, the members read model), plans (and the adoption view), case
studies and follows. Each is load, decide (domain), save with the facts."""
