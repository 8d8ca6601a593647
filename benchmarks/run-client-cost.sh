#!/usr/bin/env bash
# Veil's own client cost per statement of the OLTP mix, HAND against VEIL, thread CPU and bytes allocated
# (see docs/benchmarks.md, "On MariaDB"):
#   benchmarks/run-client-cost.sh                                            # local PostgreSQL
#   benchmarks/run-client-cost.sh 'jdbc:mariadb://127.0.0.1:3306/test?user=root'
# The admin URL must be allowed to CREATE DATABASE: the benchmark makes its own database and drops it.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=benchmarks/target/benchmarks.jar
if [[ ! -f $jar || -n $(find jdbc-driver/src benchmarks/src benchmarks/pom.xml -newer "$jar" -print -quit) ]]; then
  mvn -q -B -ntp -DskipTests -pl benchmarks -am install
fi
# The keystore is generated per run in a temporary directory; this password protects nothing else.
export VEIL_BENCH_MASTER_PASSWORD="${VEIL_BENCH_MASTER_PASSWORD:-bench-only-not-a-secret}"
exec java ${VEIL_BENCH_JAVA_OPTS:--Xms1g -Xmx1g} -cp "$jar" dev.veil.bench.ClientCost "$@"
