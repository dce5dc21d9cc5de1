"""The local embedded infrastructure: real Apache Kafka (KRaft) and the MongoDB-wire store
(mongo-java-server on H2), both from Maven Central's jars, cached under .cache/, data under
.data/. No Docker, no in-memory stand-ins."""
