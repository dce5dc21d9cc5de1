#!/usr/bin/env bash
# A certificate authority and the broker's key pair, once, into /certs (the kafka-certs volume):
# the broker presents kafka.p12 (signed by the CA), clients trust ca.pem. An organisation with
# its own PKI puts its certificates in the volume instead; this then leaves them alone.
set -euo pipefail
cd /certs
[ -s kafka.p12 ] && exit 0
pass="${KAFKA_KEYSTORE_PASSWORD:?}"
keytool -genkeypair -alias ca -keyalg EC -groupname secp384r1 -dname "CN=KM Network Kafka CA" \
  -ext bc:c -validity 3650 -keystore ca.p12 -storetype PKCS12 -storepass "$pass"
keytool -exportcert -rfc -alias ca -keystore ca.p12 -storepass "$pass" -file ca.pem
keytool -genkeypair -alias kafka -keyalg EC -groupname secp384r1 -dname "CN=kafka" \
  -validity 825 -keystore kafka.p12 -storetype PKCS12 -storepass "$pass"
keytool -certreq -alias kafka -keystore kafka.p12 -storepass "$pass" -file kafka.csr
keytool -gencert -alias ca -keystore ca.p12 -storepass "$pass" -infile kafka.csr \
  -outfile kafka.pem -rfc -validity 825 -ext "SAN=dns:kafka" -ext "EKU=serverAuth"
keytool -importcert -noprompt -alias ca -file ca.pem -keystore kafka.p12 -storepass "$pass"
keytool -importcert -alias kafka -file kafka.pem -keystore kafka.p12 -storepass "$pass"
keytool -importcert -noprompt -alias ca -file ca.pem -keystore truststore.p12 -storetype PKCS12 \
  -storepass "$pass"
rm -f kafka.csr ca.p12
chmod 444 ca.pem truststore.p12
chmod 440 kafka.p12
chown 1000:1000 kafka.p12
