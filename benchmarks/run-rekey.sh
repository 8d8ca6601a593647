#!/usr/bin/env bash
# Rekey throughput beside a raw UPDATE of the same rows (issue: bulk jobs). Prints a markdown table.
#   benchmarks/run-rekey.sh [rows] [admin-jdbc-url]     (defaults: 100000, local PostgreSQL as postgres)
#   VEIL_BENCH_JAVA_OPTS='-Dveil.bench.rounds=7 -Dveil.bench.batches=500,1000 -Dveil.bench.storage=text' benchmarks/run-rekey.sh 400000
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/bench-env.sh
bench_build benchmarks "$jar"
exec java -Xms1g -Xmx1g ${VEIL_BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" dev.veil.bench.RekeyBenchmark "$@"
