# Sourced by the run-*.sh scripts, from the repository's root: the Maven command (with the extra
# options in $VEIL_BENCH_MAVEN_OPTS, e.g. '-Dmaven.repo.local=/path/m2'), a build of what is stale,
# and the password of the keystore each benchmark generates in a temporary directory (it protects
# nothing else).
mvn_=(mvn -q -B -ntp)
# shellcheck disable=SC2206 # split on purpose: one option per word
if [[ -n ${VEIL_BENCH_MAVEN_OPTS:-} ]]; then mvn_+=(${VEIL_BENCH_MAVEN_OPTS}); fi
jar=benchmarks/target/benchmarks.jar
export VEIL_BENCH_MASTER_PASSWORD="${VEIL_BENCH_MASTER_PASSWORD:-bench-only-not-a-secret}"

# bench_build <modules> <artifact>...: installs <modules> (and what they need) when an artifact is
# missing or older than Veil's sources.
bench_build() {
  local modules=$1 artifact
  shift
  for artifact in "$@"; do
    if [[ ! -f $artifact || -n $(find jdbc-driver/src agent/src benchmarks/src benchmarks/pom.xml -newer "$artifact" -print -quit) ]]; then
      "${mvn_[@]}" -DskipTests -pl "$modules" -am install
      return
    fi
  done
}
