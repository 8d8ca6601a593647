#!/usr/bin/env bash
# Builds Veil and runs the quick-start demo: an unmodified JDBC app, encrypted at rest.
# Uses the local PostgreSQL when it answers, an embedded H2 database otherwise.
#   ./demo.sh                      # local PostgreSQL (127.0.0.1:5432, user postgres) or H2
#   ./demo.sh --h2                 # always H2
#   ./demo.sh 'jdbc:postgresql://host:5432/postgres?user=me&password=…'
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B -ntp -DskipTests -pl policy-examples -am install
export VEIL_DEMO_MASTER_PASSWORD="${VEIL_DEMO_MASTER_PASSWORD:-demo-only-not-a-secret}"
exec java -jar policy-examples/target/veil-demo.jar "$@"
