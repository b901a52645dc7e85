# Sourced by ./amadeus and ./run-tests: sets JAVA_HOME to a JDK 25 or newer, or exits with a message.
amadeus_java_major() {
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}
amadeus_find_jdk() {
  local candidate
  for candidate in "${AMADEUS_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    local major
    major=$(amadeus_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "amadeus: no JDK 25 found; install one or set AMADEUS_JAVA_HOME" >&2
  exit 1
}
amadeus_find_jdk
