#!/usr/bin/env bash
# Builds Veil and runs the quick-start demo: an unmodified JDBC app, encrypted at rest.
#   ./demo.sh                 # PostgreSQL at 127.0.0.1:5432 (user postgres); embedded H2 when no server answers there
#   ./demo.sh --h2            # always embedded H2
#   ./demo.sh 'jdbc:postgresql://host:5432/postgres?user=me&password=...'   # a user that may create databases
# On PostgreSQL it drops and recreates the database veil_demo. A server that answers but refuses
# the login is an error (with a hint), not a reason to fall back to H2.
set -euo pipefail
cd "$(dirname "$0")"

case "${1:-}" in
  -h|--help)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 0 ;;
esac

repo=$(printf '%s\n' "${MAVEN_OPTS:-}" | sed -n 's/.*-Dmaven\.repo\.local=\([^ ]*\).*/\1/p')
echo "demo.sh: building Veil with Maven (tests skipped) and installing its artifacts"
echo "         into your local Maven repository (${repo:-~/.m2/repository, or what your Maven settings name})."
case "${1:-}" in
  --h2) echo "demo.sh: then running the demo on an embedded H2 database in memory." ;;
  "")   echo "demo.sh: then running the demo on PostgreSQL at 127.0.0.1:5432 as user postgres, where it drops and"
        echo "         recreates the database veil_demo (embedded H2 instead when no server answers there)." ;;
  *)    echo "demo.sh: then running the demo on the PostgreSQL server you named, where it drops and recreates"
        echo "         the database veil_demo." ;;
esac
mvn -q -B -ntp -DskipTests -pl policy-examples -am install 2>&1 | sed "s/\x1b\[[0-9;]*m//g"   # -q: only problems are printed
export VEIL_DEMO_MASTER_PASSWORD="${VEIL_DEMO_MASTER_PASSWORD:-demo-only-not-a-secret}"
exec java -jar policy-examples/target/veil-demo.jar "$@"
