#!/usr/bin/env bash
# One KRaft node, locked down: clients connect with TLS (SASL_SSL on 9093) and sign in with
# SASL/SCRAM-SHA-512; the authorizer allows only what an ACL grants (deploy/kafka/grant.sh),
# the administrator (created when the storage is first formatted) everything. The controller
# listener is the node's own, on the internal data network only.
set -euo pipefail
admin="${KAFKA_ADMIN_PASSWORD:?}"
store="${KAFKA_KEYSTORE_PASSWORD:?}"
data=/var/lib/kafka/data
config=/tmp/server.properties
login="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$admin\";"
cat > "$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=kafka:9094
listeners=SASL_SSL://:9093,CONTROLLER://:9094
advertised.listeners=SASL_SSL://kafka:9093
controller.listener.names=CONTROLLER
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$login
ssl.keystore.type=PKCS12
ssl.keystore.location=/certs/kafka.p12
ssl.keystore.password=$store
ssl.truststore.type=PKCS12
ssl.truststore.location=/certs/truststore.p12
ssl.truststore.password=$store
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
auto.create.topics.enable=false
num.partitions=${KAFKA_NUM_PARTITIONS:-12}
log.dirs=$data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
PROPERTIES
cat > /tmp/admin.properties <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$login
ssl.truststore.type=PKCS12
ssl.truststore.location=/certs/truststore.p12
ssl.truststore.password=$store
PROPERTIES
if [ ! -f "$data/meta.properties" ]; then
  /opt/kafka/bin/kafka-storage.sh format --standalone -c "$config" \
    --cluster-id "$(/opt/kafka/bin/kafka-storage.sh random-uuid)" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=$admin]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config"
