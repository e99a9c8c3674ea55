#!/usr/bin/python3
"""Helpers for the ml-serve CLI cases (tests/cli/cases/serve_*.sh); standard library only.

  serve_client.py rows CSV [--data]        the CSV as a JSON body: {"rows": [...]} or, with
                                           --data, {"columns": [...], "data": [...]}; numbers
                                           keep their CSV text, an empty field is null, other
                                           text a string
  serve_client.py answers-csv JSON [proba] a predict answer as the CSV ml-predict writes
                                           (numbers' text kept as the server wrote them)
  serve_client.py slow PORT PATH BODY S    sends a request one byte every S seconds; prints
                                           the status and the body
  serve_client.py split PORT PATH BODY GO  sends a request's headers and half its body, creates
                                           GO.sent, waits until the file GO exists, sends the
                                           rest; prints the status and the body
"""
import csv
import json
import os
import re
import socket
import sys
import time

NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


def value(text):
    if text == "":
        return "null"
    if NUMBER.match(text):
        return text
    return json.dumps(text)


def rows(path, table):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        records = list(reader)
    if table:
        data = ",".join("[" + ",".join(value(v) for v in r) + "]" for r in records)
        return '{"columns":%s,"data":[%s]}' % (json.dumps(header), data)
    objects = ",".join("{" + ",".join(json.dumps(h) + ":" + value(v) for h, v in zip(header, r))
                       + "}" for r in records)
    return '{"rows":[%s]}' % objects


def answers_csv(path, proba):
    with open(path) as f:
        answer = json.load(f, parse_float=str, parse_int=str)
    out = []
    if proba:
        out.append(",".join(["prediction"] + ["p_" + c for c in answer["classes"]]))
        for p, probs in zip(answer["predictions"], answer["probabilities"]):
            out.append(",".join([p] + probs))
    else:
        out.append("prediction")
        out.extend("" if p is None else p for p in answer["predictions"])
    return "\n".join(out) + "\n"


def request_bytes(port, path, body):
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json"
            f"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    return head + body


def read_answer(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ")[1].decode() if head else "none"
    return f"{status} {body.decode('utf-8', 'replace').strip()}"


def slow(port, path, body_path, delay):
    with open(body_path, "rb") as f:
        payload = request_bytes(int(port), path, f.read())
    with socket.create_connection(("127.0.0.1", int(port)), timeout=60) as sock:
        for i in range(len(payload)):
            sock.sendall(payload[i:i + 1])
            time.sleep(float(delay))
        print(read_answer(sock))


def split(port, path, body_path, go):
    with open(body_path, "rb") as f:
        payload = request_bytes(int(port), path, f.read())
    half = len(payload) - 10
    with socket.create_connection(("127.0.0.1", int(port)), timeout=60) as sock:
        sock.sendall(payload[:half])
        open(go + ".sent", "w").close()
        deadline = time.time() + 30
        while not os.path.exists(go) and time.time() < deadline:
            time.sleep(0.02)
        sock.sendall(payload[half:])
        print(read_answer(sock))


def keep_alive_answer(sock, path):
    """GET path on an open connection: (status, body), or ("closed", "") when it was closed."""
    try:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return "closed", ""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *([0-9]+)", head).group(1))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return "closed", ""
            body += chunk
        return head.split(b" ")[1].decode(), body.decode()
    except (ConnectionResetError, BrokenPipeError):
        return "closed", ""


def hold(port, count, path):
    """Opens count connections at once and keeps them open: asks each for path, printing its
    status (or "closed"), then /metrics on the first, printing its connection gauges."""
    socks = [socket.create_connection(("127.0.0.1", int(port)), timeout=10)
             for _ in range(int(count))]
    time.sleep(0.3)
    for sock in socks:
        print(keep_alive_answer(sock, path)[0])
    status, body = keep_alive_answer(socks[0], "/metrics")
    print("\n".join(l for l in body.splitlines() if l.startswith("mlpipe_serve_connections{")))
    for sock in socks:
        sock.close()


def main(argv):
    if argv[0] == "rows":
        sys.stdout.write(rows(argv[1], "--data" in argv[2:]))
    elif argv[0] == "answers-csv":
        sys.stdout.write(answers_csv(argv[1], len(argv) > 2 and argv[2] == "proba"))
    elif argv[0] == "slow":
        slow(*argv[1:5])
    elif argv[0] == "split":
        split(*argv[1:5])
    elif argv[0] == "hold":
        hold(*argv[1:4])
    else:
        sys.exit(f"serve_client.py: unknown command {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
