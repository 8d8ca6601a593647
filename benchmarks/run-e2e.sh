#!/usr/bin/env bash
# Runs Veil's end-to-end benchmark against a real PostgreSQL (or MariaDB) and prints a markdown results table.
#   benchmarks/run-e2e.sh                      # local PostgreSQL, full run (about 22 minutes)
#   benchmarks/run-e2e.sh --quick              # smoke run (about 2 minutes)
#   benchmarks/run-e2e.sh --scenarios oltp,plain --threads 8 'jdbc:postgresql://host:5432/postgres?user=me'
#   benchmarks/run-e2e.sh --quick 'jdbc:mariadb://127.0.0.1:3306/test?user=root'   # MariaDB
# The admin URL (argument, else $VEIL_BENCH_JDBC_URL, else the local server as user postgres) must
# be allowed to CREATE DATABASE: the benchmark makes its own database and drops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/bench-env.sh
bench_build benchmarks "$jar"
exec java ${VEIL_BENCH_JAVA_OPTS:--Xms1g -Xmx1g} -cp "$jar" dev.veil.bench.EndToEnd "$@"
