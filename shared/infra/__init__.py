"""The local embedded infrastructure: real Apache Kafka (KRaft) from Maven Central's jars and
FerretDB (SQLite backend) built from the Go module proxy, cached under .cache/, data under
.data/. No Docker, no in-memory stand-ins."""
