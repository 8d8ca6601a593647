#!/usr/bin/env bash
# Runs Veil's TPC-C-shaped workload (raw pgjdbc, an application encrypting by hand, and jdbc:veil:, in
# rotating rounds) against a real PostgreSQL and prints a markdown report.
#   benchmarks/run-tpcc.sh                    # 1 warehouse at the specification's size, 4 terminals (about 10 minutes)
#   benchmarks/run-tpcc.sh --quick            # smoke run (about 1 minute)
#   benchmarks/run-tpcc.sh --terminals 1,4 --storage binary 'jdbc:postgresql://host:5432/postgres?user=me'
# The admin URL (argument, else $VEIL_BENCH_JDBC_URL, else the local server as user postgres) must be
# allowed to CREATE DATABASE: the workload makes three databases of its own and drops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/bench-env.sh
bench_build benchmarks "$jar"
exec java ${VEIL_BENCH_JAVA_OPTS:--Xms1g -Xmx1g} -cp "$jar" dev.veil.bench.Tpcc "$@"
