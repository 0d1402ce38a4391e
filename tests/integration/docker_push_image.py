#!/usr/bin/env python3
"""Pushes a one-layer image as upstream luet's tooling does (Docker v2 schema2 manifest, a gzip
layer) to a registry without authentication, with the registry API alone (docker_repo_test.sh).

usage: docker_push_image.py HOST:PORT NAME TAG LAYER.tar.gz
"""
import gzip
import hashlib
import json
import sys
import urllib.request


def main():
    reg, name, tag, layer_path = sys.argv[1:5]

    def push_blob(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        req = urllib.request.Request("http://%s/v2/%s/blobs/uploads/" % (reg, name), method="POST")
        loc = urllib.request.urlopen(req).headers["Location"]
        loc = loc if loc.startswith("http") else "http://" + reg + loc
        url = loc + ("&" if "?" in loc else "?") + "digest=" + digest
        urllib.request.urlopen(urllib.request.Request(url, data=data, method="PUT", headers={
            "Content-Type": "application/octet-stream", "Content-Length": str(len(data))}))
        return digest, len(data)

    layer = open(layer_path, "rb").read()
    diff_id = "sha256:" + hashlib.sha256(gzip.decompress(layer)).hexdigest()
    layer_digest, layer_size = push_blob(layer)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
    config_digest, config_size = push_blob(config)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "digest": layer_digest, "size": layer_size}],
    }).encode()
    req = urllib.request.Request("http://%s/v2/%s/manifests/%s" % (reg, name, tag), data=manifest, method="PUT",
                                 headers={"Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
    urllib.request.urlopen(req)


if __name__ == "__main__":
    main()
