"""Development tooling, kept out of what a service runs: the `knet` command line, the embedded
infrastructure (Kafka and the local store from their jars, Prometheus, the mail sink), the demo
network's seeding, and what `make contracts` generates. The services import `shared/` (the
platform library) and never this."""
