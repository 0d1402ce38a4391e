#!/usr/bin/env bash
# Starts a Docker engine (Debian's docker.io) when none is running.
set -euo pipefail
docker info >/dev/null 2>&1 && exit 0
echo "ensure-docker.sh: starting dockerd (log: /var/log/luet-dockerd.log)" >&2
# setsid: the engine outlives the shell (and process group) that started it.
setsid nohup dockerd >/var/log/luet-dockerd.log 2>&1 </dev/null &
for _ in $(seq 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "ensure-docker.sh: dockerd did not start within 60 s; see /var/log/luet-dockerd.log" >&2
exit 1
