#!/usr/bin/env bash
# Regenerates the failure locator's corpus (src/locator/__fixtures__/corpus):
# every log is the real output of a failing build step run on this machine
# (tsc, jest, npm/yarn/pip/maven/cargo resolution offline, pytest, javac,
# rustc, gcc/make, cmake, a cgroup/heap out-of-memory kill, a full tmpfs,
# `timeout`, a daemon-less `docker build`, git, a missing command...), wrapped
# in Jenkins' pipeline console format. index.json names the expected cause.
#
# Run as root from the repository root, offline on purpose:
#   bash plugins/cicd-backend/scripts/make-corpus.sh
# Needs: node (repo's node_modules), python3 + pytest, java 17 + maven with
# ~/.m2 holding the compiler/surefire plugins, cargo, gcc, make, cmake, git,
# the docker CLI without a daemon. Not run by CI (the logs are committed).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT="$ROOT/plugins/cicd-backend/src/locator/__fixtures__/corpus"
WORK=$(mktemp -d /tmp/cicd-corpus.XXXXXX)
mkdir -p "$OUT"
rm -f "$OUT"/*.log
INDEX="$WORK/index.tsv"
: >"$INDEX"
export PATH="$ROOT/node_modules/.bin:$PATH"
export npm_config_cache="$WORK/npm-cache"

# case NAME EXPECTED_CAUSE STAGE SCRIPT
# Runs SCRIPT under `bash -xc` in a fresh directory (so `+ cmd` lines appear
# like Jenkins' sh step) and wraps its output in a pipeline console log.
case_() {
  local name=$1 expected=$2 stage=$3 script=$4
  local dir="$WORK/$name"
  mkdir -p "$dir"
  local body rc
  body=$(cd "$dir" && bash -xc "$script" 2>&1)
  rc=$?
  body=${body//$WORK\/$name/\/var\/jenkins_home\/workspace\/$name}
  body=${body//$WORK/\/var\/jenkins_home\/workspace}
  if [ "$rc" = 0 ]; then
    echo "!! $name did not fail" >&2
  fi
  {
    echo "Started by user Alice Admin"
    echo "Obtained Jenkinsfile from git https://git.example.com/opsdeck/$name.git"
    echo "[Pipeline] Start of Pipeline"
    echo "[Pipeline] node"
    echo "Running on Jenkins in /var/jenkins_home/workspace/$name"
    echo "[Pipeline] {"
    local stages=(Checkout)
    [ "$stage" != Checkout ] && stages+=("$stage")
    [ "$stage" != Deploy ] && stages+=(Deploy)
    for s in "${stages[@]}"; do
      echo "[Pipeline] stage"
      echo "[Pipeline] { ($s)"
      if [ "$s" = "$stage" ]; then
        echo "[Pipeline] sh"
        printf '%s\n' "$body"
      elif [ "$s" = Checkout ]; then
        echo "[Pipeline] checkout"
        echo "The recommended git tool is: NONE"
        echo "No credentials specified"
        echo " > git rev-parse --resolve-git-dir /var/jenkins_home/workspace/$name/.git # timeout=10"
        echo "Fetching changes from the remote Git repository"
        echo "Checking out Revision 5f1c0de4b7a2e9c3d1f0a8b6c4e2d0f9a7b5c3e1 (refs/remotes/origin/main)"
        echo "Commit message: \"build: bump versions\""
      else
        echo "Stage \"$s\" skipped due to earlier failure(s)"
      fi
      echo "[Pipeline] }"
      echo "[Pipeline] // stage"
    done
    echo "[Pipeline] }"
    echo "[Pipeline] // node"
    echo "[Pipeline] End of Pipeline"
    if [ "$rc" = 124 ] && [ "$expected" = timeout ]; then
      echo "Timeout has been exceeded"
      echo "Finished: ABORTED"
    else
      echo "ERROR: script returned exit code $rc"
      echo "Finished: FAILURE"
    fi
  } >"$OUT/$name.log"
  printf '%s\t%s\t%s\n' "$name" "$expected" "$stage" >>"$INDEX"
  echo "$name -> $expected (exit $rc)"
}

# --- TypeScript -------------------------------------------------------------
case_ tsc-type-error typescript-compile Build '
cat > index.ts <<X
export function total(items: { price: number }[]): number {
  return items.reduce((sum, i) => sum + i.price, "0");
}
const n: number = "three";
X
tsc --noEmit --strict index.ts'
case_ tsc-missing-module typescript-compile Build '
cat > app.ts <<X
import { createServer } from "./server-missing";
import express from "express-not-installed";
createServer(express());
X
tsc --noEmit app.ts'
case_ tsc-project-errors typescript-compile Build '
mkdir -p src && cat > tsconfig.json <<X
{ "compilerOptions": { "strict": true, "noEmit": true, "target": "es2020" }, "include": ["src"] }
X
cat > src/user.ts <<X
export interface User { id: number; name: string }
export const find = (users: User[], id: string) => users.find(u => u.id === id);
export const greet = (u?: User) => u.name.toUpperCase();
X
tsc -p . --pretty false'

# --- jest -------------------------------------------------------------------
JEST_CFG='{"testEnvironment":"node","rootDir":"."}'
case_ jest-assertion jest-test-failure Test "
cat > sum.test.js <<X
const sum = (a, b) => a - b;
describe('sum', () => {
  it('adds two numbers', () => { expect(sum(2, 3)).toBe(5); });
  it('adds zero', () => { expect(sum(2, 0)).toBe(2); });
});
X
jest --ci --config '$JEST_CFG'"
case_ jest-thrown jest-test-failure Test "
cat > parse.test.js <<X
function parse(s) { return JSON.parse(s).items.map(i => i.id); }
test('parses the order payload', () => {
  expect(parse('{\"orders\": []}')).toEqual([]);
});
X
jest --ci --config '$JEST_CFG'"
case_ jest-timeout jest-test-failure Test "
cat > slow.test.js <<X
test('waits for the queue to drain', done => { setTimeout(() => {}, 10000); }, 300);
X
jest --ci --forceExit --config '$JEST_CFG'"

# --- npm / yarn / pip resolution ----------------------------------------------
case_ npm-etarget-offline npm-dependency-resolution Install '
cat > package.json <<X
{ "name": "shop-web", "version": "1.0.0", "dependencies": { "left-pad": "99.99.99" } }
X
npm install --offline --no-audit --no-fund'
case_ npm-missing-script npm-missing-script Build '
cat > package.json <<X
{ "name": "shop-web", "version": "1.0.0", "scripts": { "test": "echo ok" } }
X
npm run build'
case_ yarn-unknown-version yarn-dependency-resolution Install '
cat > package.json <<X
{ "name": "shop-api", "version": "1.0.0", "packageManager": "yarn@4.5.0", "dependencies": { "left-pad": "99.99.99" } }
X
touch yarn.lock
YARN_ENABLE_NETWORK=0 YARN_ENABLE_GLOBAL_CACHE=0 YARN_CACHE_FOLDER=$PWD/.yarn-cache yarn install'
case_ pip-no-distribution pip-dependency-resolution Install '
printf "requests-not-a-real-pkg==9.9.9\n" > requirements.txt
python3 -m pip install --no-index --disable-pip-version-check -r requirements.txt'

# --- Python -------------------------------------------------------------------
case_ python-traceback python-traceback Build '
cat > build_assets.py <<X
import json
def load(path):
    with open(path) as f:
        return json.load(f)
manifest = load("manifest.json")
print(manifest["version"])
X
python3 build_assets.py'
case_ python-keyerror python-traceback Build '
cat > release.py <<X
config = {"env": "prod"}
def region(c):
    return c["region"]
print(region(config))
X
python3 release.py'
case_ python-module-not-found python-module-not-found Build '
cat > report.py <<X
import os
import pandas_not_installed as pd
X
python3 report.py'
case_ python-syntax-error python-syntax-error Build '
printf "def main(:\n    print(\"hi\")\n" > main.py
python3 main.py'
case_ pytest-failure pytest-failure Test '
mkdir -p tests && cat > tests/test_price.py <<X
def discount(p): return p * 0.8
def test_discount_applies_twenty_percent():
    assert discount(100) == 90
def test_zero():
    assert discount(0) == 0
X
python3 -m pytest -q tests -p no:cacheprovider'
case_ pytest-error pytest-failure Test '
mkdir -p tests && cat > tests/test_db.py <<X
import pytest
@pytest.fixture
def conn():
    raise ConnectionError("database at 10.0.0.5:5432 unreachable")
def test_query(conn):
    assert conn
X
python3 -m pytest tests -p no:cacheprovider'

# --- Java / Maven ---------------------------------------------------------------
POM='<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>billing</artifactId><version>1.0.0</version><properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>DEPS<build><plugins><plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin><plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin><plugin><artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version></plugin></plugins></build></project>'
case_ javac-compile javac-compile Build '
mkdir -p src/com/example && cat > src/com/example/Invoice.java <<X
package com.example;
public class Invoice {
  public int total() { return amount + tax; }
  private String amount = "10";
}
X
javac -d out src/com/example/Invoice.java'
case_ maven-compile-error javac-compile Build "
mkdir -p src/main/java/com/example && echo '${POM/DEPS/}' > pom.xml
cat > src/main/java/com/example/App.java <<X
package com.example;
public class App {
  public static void main(String[] args) { Strin name = args[0]; System.out.println(nme); }
}
X
mvn -o -B compile"
case_ maven-dependency-offline maven-dependency-resolution Build "
mkdir -p src/main/java/com/example && echo '${POM/DEPS/<dependencies><dependency><groupId>com.example.nonexistent</groupId><artifactId>ledger-client</artifactId><version>7.7.7</version></dependency></dependencies>}' > pom.xml
echo 'package com.example; public class App {}' > src/main/java/com/example/App.java
mvn -o -B compile"
case_ maven-surefire-failure maven-test-failure Test "
mkdir -p src/main/java/com/example src/test/java/com/example && echo '${POM/DEPS/<dependencies><dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.11.4</version><scope>test</scope></dependency></dependencies>}' > pom.xml
echo 'package com.example; public class Fee { public static int of(int c) { return c / 10; } }' > src/main/java/com/example/Fee.java
cat > src/test/java/com/example/FeeTest.java <<X
package com.example;
import static org.junit.jupiter.api.Assertions.assertEquals;
import org.junit.jupiter.api.Test;
class FeeTest {
  @Test void tenPercentRoundsUp() { assertEquals(2, Fee.of(15)); }
  @Test void zero() { assertEquals(0, Fee.of(0)); }
}
X
mvn -o -B test"

# --- Rust -----------------------------------------------------------------------
case_ cargo-compile-error rustc-compile Build '
cargo new --quiet --vcs none ledger 2>&1; cd ledger
cat > src/main.rs <<X
fn main() {
    let v = vec![1, 2, 3];
    let first = &v[0];
    let mut w = v;
    w.push(4);
    println!("{}", first);
    let n: i32 = "5";
}
X
cargo build --offline --color never'
case_ cargo-test-failure cargo-test-failure Test '
cargo new --quiet --lib --vcs none fees 2>&1; cd fees
cat > src/lib.rs <<X
pub fn fee(cents: u64) -> u64 { cents / 10 }
#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn fee_rounds_up() { assert_eq!(fee(15), 2); }
}
X
cargo test --offline --color never'
case_ cargo-dependency-offline cargo-dependency-resolution Build '
cargo new --quiet --vcs none api 2>&1; cd api
printf "serde_not_a_crate = \"9.9\"\n" >> Cargo.toml
cargo build --offline --color never'

# --- C / make / cmake -----------------------------------------------------------
case_ gcc-compile-error gcc-compile Build '
cat > parser.c <<X
#include <stdio.h>
int parse(const char *s) { return atoi(s) }
int main(void) { printf("%d\n", parse("4")); return undefined_var; }
X
printf "all: parser\nparser: parser.c\n\tgcc -Wall -o parser parser.c\n" > Makefile
make'
case_ gcc-missing-header gcc-compile Build '
printf "#include <openssl_not_here/ssl.h>\nint main(void){return 0;}\n" > tls.c
gcc -c tls.c -o tls.o'
case_ ld-undefined-reference linker-error Build '
printf "int checksum(const char*);\nint main(void){return checksum(\"x\");}\n" > main.c
printf "all:\n\tgcc -o app main.c\n" > Makefile
make'
case_ make-missing-target make-error Build '
printf "all: dist/bundle.js\n" > Makefile
make'
case_ cmake-configure-error cmake-error Build '
cat > CMakeLists.txt <<X
cmake_minimum_required(VERSION 3.10)
project(agent C)
find_package(LibNotThere REQUIRED)
add_executable(agent main.c)
X
mkdir build && cd build && cmake ..'

# --- resources --------------------------------------------------------------------
case_ node-heap-oom out-of-memory Build '
node --max-old-space-size=24 -e "const a = []; for (;;) a.push(new Array(1e5).fill(Math.random()));"'
if [ -d /sys/fs/cgroup/memory ]; then
  CG=/sys/fs/cgroup/memory/cicd-corpus
  mkdir -p $CG && echo $((48 * 1024 * 1024)) >$CG/memory.limit_in_bytes && echo 0 >$CG/memory.swappiness 2>/dev/null
  case_ cgroup-oom-killed out-of-memory Build "
python3 -c 'import os; print(\"bundling assets\", flush=True)' && sh -c 'echo \$\$ > $CG/cgroup.procs; exec python3 -c \"b = []
while True: b.append(bytearray(1 << 20))\"'"
  rmdir $CG 2>/dev/null
fi
case_ ulimit-memory-error out-of-memory Build '
ulimit -v 400000
python3 -c "data = bytearray(2 * 1024 * 1024 * 1024)"'
mkdir -p "$WORK/full" && mount -t tmpfs -o size=1m tmpfs "$WORK/full"
case_ disk-full disk-full Package "
dd if=/dev/zero of=$WORK/full/artifact.tar bs=64k count=64"
case_ disk-full-tar disk-full Package "
head -c 3000000 /dev/urandom > big.bin && tar -cf $WORK/full/release.tar big.bin"
umount "$WORK/full"
case_ timeout-exceeded timeout Test '
timeout --verbose 2 sh -c "echo waiting for http://127.0.0.1:8080/health; sleep 30"'

# --- images, git, shell ------------------------------------------------------------
case_ docker-daemonless docker-build Package '
printf "FROM node:22\nCOPY . /app\nRUN yarn build\n" > Dockerfile
DOCKER_HOST=unix:///var/run/docker.sock docker build -t registry.example.com/shop-web:42 .'
case_ git-clone-missing git-error Checkout '
git clone file:///srv/git/does-not-exist.git app'
case_ git-merge-conflict git-error Checkout '
git init -q r && cd r && git config user.email ci@example.com && git config user.name ci
echo a > f && git add f && git commit -qm one && git checkout -qb feature && echo b > f && git commit -qam two
git checkout -q - && echo c > f && git commit -qam three && git merge feature'
case_ command-not-found command-not-found Build '
echo building && helm-not-installed package charts/app'
case_ permission-denied permission-denied Deploy '
printf "#!/bin/sh\necho deploying\n" > deploy.sh && ./deploy.sh'
case_ connection-refused network-error Deploy '
curl -sS --fail http://127.0.0.1:9/api/deploy'
case_ eslint-failure lint-failure Lint "
printf 'module.exports = [{ rules: { \"no-unused-vars\": \"error\", \"no-undef\": \"error\" } }];\n' > eslint.config.js
printf 'const unused = 1;\nconsole.log(notDefined);\n' > app.js
eslint --no-config-lookup --rule '{\"no-unused-vars\":\"error\",\"no-undef\":\"error\"}' app.js"

# index.json: file, expected cause, failing stage
node -e '
const fs = require("fs");
const rows = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map(l => l.split("\t"));
const out = rows.map(([name, cause, stage]) => ({ file: name + ".log", cause, stage }));
fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 2) + "\n");
' "$INDEX" "$OUT/index.json"
rm -rf "$WORK"
echo "wrote $(ls "$OUT"/*.log | wc -l) logs to $OUT"
