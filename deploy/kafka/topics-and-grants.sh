#!/usr/bin/env bash
# As the administrator: the platform's topics (idempotent), then each service's user and ACLs.
set -euo pipefail
export ADMIN_CONFIG=/tmp/admin.properties
cat > "$ADMIN_CONFIG" <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD:?}";
ssl.truststore.type=PEM
ssl.truststore.location=/certs/ca.pem
PROPERTIES
for topic in $(cat /deploy/kafka/topics.txt); do
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$ADMIN_CONFIG" \
    --create --if-not-exists --topic "$topic" --partitions "${KNET_TOPIC_PARTITIONS:-12}" \
    --replication-factor 1
done
exec /bin/bash /deploy/kafka/grant.sh
