#!/usr/bin/env bash
# Veil's own client cost per statement of the OLTP mix, HAND against VEIL, thread CPU and bytes allocated
# (see docs/benchmarks.md, "On MariaDB"):
#   benchmarks/run-client-cost.sh                                            # local PostgreSQL
#   benchmarks/run-client-cost.sh 'jdbc:mariadb://127.0.0.1:3306/test?user=root'
# The admin URL must be allowed to CREATE DATABASE: the benchmark makes its own database and drops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/bench-env.sh
bench_build benchmarks "$jar"
exec java ${VEIL_BENCH_JAVA_OPTS:--Xms1g -Xmx1g} -cp "$jar" dev.veil.bench.ClientCost "$@"
