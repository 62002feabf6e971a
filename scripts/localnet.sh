#!/usr/bin/env bash
# A local N-validator dexchain network: processes on 127.0.0.1, one home per node, pid files, logs.
#
#   scripts/localnet.sh start  [N]   # writes $LOCALNET_DIR with `dexchain testnet` on first use, starts N nodes
#   scripts/localnet.sh stop   [N]   # SIGTERM, then SIGKILL after 15 s
#   scripts/localnet.sh status [N]   # pid, height, peers per node
#   scripts/localnet.sh reset        # stop and delete $LOCALNET_DIR
#
# Env: LOCALNET_DIR (default ./localnet), BASE_PORT (default 26656: node i p2p P+10i, RPC P+10i+1),
#      CHAIN_ID (default dexchain-localnet), DEXCHAIN (default: node <repo>/bin/dexchain.js).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${LOCALNET_DIR:-$ROOT/localnet}"
BASE_PORT="${BASE_PORT:-26656}"
CHAIN_ID="${CHAIN_ID:-dexchain-localnet}"
DEXCHAIN="${DEXCHAIN:-node $ROOT/bin/dexchain.js}"
CMD="${1:-status}"
N="${2:-}"

count_nodes() {
  if [[ -n "$N" ]]; then echo "$N"; return; fi
  local c=0
  while [[ -d "$DIR/node$c" ]]; do c=$((c + 1)); done
  if [[ $c -eq 0 ]]; then echo 4; else echo "$c"; fi
}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

rpc_port() { echo $((BASE_PORT + 10 * $1 + 1)); }

start() {
  local n; n="$(count_nodes)"
  if [[ ! -d "$DIR/node0" ]]; then
    echo "creating a $n-validator network in $DIR"
    $DEXCHAIN testnet --validators "$n" --output "$DIR" --chain-id "$CHAIN_ID" --base-port "$BASE_PORT" >"$DIR.testnet.json"
    mv "$DIR.testnet.json" "$DIR/testnet.json"
  fi
  for ((i = 0; i < n; i++)); do
    local home="$DIR/node$i"
    if alive "$home/node.pid"; then echo "node$i already running (pid $(cat "$home/node.pid"))"; continue; fi
    nohup $DEXCHAIN start --home "$home" >>"$home/node.log" 2>&1 &
    echo $! >"$home/node.pid"
    echo "node$i started (pid $!, rpc http://127.0.0.1:$(rpc_port "$i"), log $home/node.log)"
  done
}

stop() {
  local n; n="$(count_nodes)"
  for ((i = 0; i < n; i++)); do
    local pidf="$DIR/node$i/node.pid"
    if alive "$pidf"; then
      local pid; pid="$(cat "$pidf")"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
      echo "node$i stopped"
    fi
    rm -f "$pidf"
  done
}

status() {
  local n; n="$(count_nodes)"
  for ((i = 0; i < n; i++)); do
    local pidf="$DIR/node$i/node.pid" port; port="$(rpc_port "$i")"
    if alive "$pidf"; then
      local h peers
      h="$(curl -s --max-time 2 "http://127.0.0.1:$port/status" | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p')"
      peers="$(curl -s --max-time 2 "http://127.0.0.1:$port/net_info" | sed -n 's/.*"n_peers":"\([0-9]*\)".*/\1/p')"
      echo "node$i pid $(cat "$pidf") height ${h:-?} peers ${peers:-?} rpc http://127.0.0.1:$port"
    else
      echo "node$i stopped"
    fi
  done
}

case "$CMD" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  reset) stop; rm -rf "$DIR" ;;
  *) echo "usage: $0 start|stop|status|reset [N]" >&2; exit 2 ;;
esac
