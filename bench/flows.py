#!/usr/bin/env python3
"""Flows per second through a running Signet: create -> start -> auto-sign -> download, one signer.

Usage: flows.py BASE_URL APP_ID APP_SECRET PDF [--flows N] [--clients C]
Prints flows/s and the p50/p99 latency of one whole flow (four requests) at C concurrent clients.
Standard library only, so it runs anywhere the server does.
"""
import argparse
import concurrent.futures
import datetime
import json
import statistics
import time
import urllib.request
import uuid


def call(base, method, path, token=None, body=None, raw=None, content_type=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", content_type or "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:
        payload = response.read()
        kind = response.headers.get("Content-Type", "")
        return json.loads(payload) if kind.startswith("application/json") and payload else payload


def multipart(name, content):
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            'Content-Type: application/pdf\r\n\r\n').encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def setup(base, token, pdf):
    id_number = "11010519491231002X"
    account = call(base, "POST", "/v1/accounts", token,
                   {"type": "person", "name": "压测", "idType": "resident_id", "idNumber": id_number,
                    "thirdId": "bench-" + uuid.uuid4().hex[:8]})
    call(base, "POST", f"/v1/accounts/{account['id']}/seals", token, {"template": {"kind": "person", "name": "压测"}})
    expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).isoformat()
    call(base, "POST", f"/v1/accounts/{account['id']}/authorizations", token,
         {"scope": "auto_sign", "expiresAt": expires})
    body, kind = multipart("bench.pdf", pdf)
    file = call(base, "POST", "/v1/files", token, raw=body, content_type=kind)
    return account["id"], file["id"]


def one_flow(base, token, account, file):
    started = time.perf_counter()
    flow = call(base, "POST", "/v1/flows", token,
                {"title": "压测合同", "documents": [{"fileId": file}],
                 "signers": [{"accountId": account, "fields": [{"page": 1, "x": 300, "y": 200}]}]})
    call(base, "POST", f"/v1/flows/{flow['id']}/start", token, {})
    call(base, "POST", f"/v1/flows/{flow['id']}/signers/{account}/sign", token, {"mode": "auto"})
    pdf = call(base, "GET", f"/v1/flows/{flow['id']}/documents/0/content", token)
    assert pdf[:5] == b"%PDF-", "download is a PDF"
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("app_id")
    parser.add_argument("app_secret")
    parser.add_argument("pdf")
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--clients", type=int, default=64)
    args = parser.parse_args()
    token = call(args.base, "POST", "/v1/auth/token", body={"appId": args.app_id, "appSecret": args.app_secret})
    token = token["accessToken"]
    account, file = setup(args.base, token, open(args.pdf, "rb").read())
    one_flow(args.base, token, account, file)  # warm-up
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.clients) as pool:
        latencies = list(pool.map(lambda _: one_flow(args.base, token, account, file), range(args.flows)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{args.flows} flows, {args.clients} clients: {args.flows / elapsed:.1f} flows/s, "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
