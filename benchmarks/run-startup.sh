#!/usr/bin/env bash
# What Veil adds to the start of a plain JDBC program: fresh JVMs, alternating raw pgjdbc, the same
# program encrypting its two columns by hand with the same keystore and JCE (HAND, the floor),
# jdbc:veil: and -javaagent:veil-agent.jar, medians over the rounds (see docs/benchmarks.md, "Start-up").
#   benchmarks/run-startup.sh                 # 21 rounds against the local PostgreSQL (about 3 minutes idle)
#   benchmarks/run-startup.sh 41 'jdbc:postgresql://host:5432/postgres?user=me'
#   VEIL_BENCH_MAVEN_OPTS='-Dmaven.repo.local=/path/m2' benchmarks/run-startup.sh   # extra options for its mvn calls (every run-*.sh)
# The admin URL must be allowed to CREATE DATABASE: the benchmark makes its own database and drops it.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-21}"
admin="${2:-${VEIL_BENCH_JDBC_URL:-jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}}"
source benchmarks/bench-env.sh
agent=agent/target/veil-agent.jar
bench_build benchmarks,agent "$jar" "$agent"
# the application's class path: its own classes and pgjdbc, nothing of Veil
cpfile=benchmarks/target/startup-pgjdbc.path
"${mvn_[@]}" -pl benchmarks dependency:build-classpath -DincludeArtifactIds=postgresql -Dmdep.outputFile="$PWD/$cpfile" >/dev/null
exec java -cp "$jar" dev.veil.bench.StartupBenchmark "$agent" "$(cat "$cpfile")" benchmarks/target/classes "$rounds" "$admin"
