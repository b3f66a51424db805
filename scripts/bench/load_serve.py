"""Sends a bounded number of invocations to serve from several clients and accounts for every one."""
import concurrent.futures
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TOTAL, CLIENTS, CONCURRENCY = (int(arg) for arg in sys.argv[1:4])
LAMBDA_ASYNC = os.environ["LAMBDA_ASYNC"]
# More flags for serve, for example --isolation none.
SERVE_ARGS = os.environ.get("LAMBDA_ASYNC_SERVE_ARGS", "").split()
DEADLINE_S = 300  # the whole test stops by itself after this


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    work = tempfile.mkdtemp(prefix="lambda-async-load-")
    project = os.path.join(work, "load")
    subprocess.run([LAMBDA_ASYNC, "new", project, "--strategy", "extension"], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([LAMBDA_ASYNC, "serve", project, "--port", str(port), "--concurrency", str(CONCURRENCY)] + SERVE_ARGS,
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve.log"), "w"))
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        started = time.perf_counter()

        def client(index):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            answers, latencies, throttles = {}, [], 0
            for n in range(index, TOTAL, CLIENTS):
                if time.perf_counter() - started > DEADLINE_S:
                    break
                order = f"o-{n}"
                t = time.perf_counter()
                # Beyond --concurrency, serve throttles as Lambda does (429): retried with backoff, as the SDKs do.
                for attempt in range(50):
                    connection.request("POST", "/2015-03-31/functions/ApiFunction/invocations", body=json.dumps({"orderId": order}))
                    response = connection.getresponse()
                    body = response.read()
                    if response.status != 429:
                        break
                    throttles += 1
                    time.sleep(0.005 * (attempt + 1))
                latencies.append((time.perf_counter() - t) * 1000)
                if response.status == 200:
                    answers[order] = json.loads(json.loads(body)["body"])["orderId"]
            return answers, latencies, throttles

        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            results = list(pool.map(client, range(CLIENTS)))
        elapsed = time.perf_counter() - started
        answers = {k: v for r in results for k, v in r[0].items()}
        latencies = sorted(l for r in results for l in r[1])
        lost = [f"o-{n}" for n in range(TOTAL) if answers.get(f"o-{n}") != f"o-{n}"]
        throttles = sum(r[2] for r in results)
        print(f"{TOTAL} invocations, {CLIENTS} clients, --concurrency {CONCURRENCY}: {len(answers)} answered correctly, {len(lost)} lost, "
              f"{throttles} throttles retried")
        print(f"{len(answers) / elapsed:.0f} invocations/s; latency p50 {statistics.median(latencies):.2f} ms, "
              f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.2f} ms; {elapsed:.1f} s in all")
        sys.exit(1 if lost else 0)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


main()
