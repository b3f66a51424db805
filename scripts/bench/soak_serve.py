"""How `serve` holds up over time and under hostile clients, the figures issue 25 asks for:
1. crashing invocations (each ending its environment, the next a cold start) and idle reclaims:
   serve's RSS, descriptors and `.lambda-async/run/` before and after;
2. many idle connections held open: how long a legitimate request then takes;
3. clients for a while: requests answered, lost, and serve's peak RSS.
Usage: soak_serve.py CRASHES RECLAIMS IDLE_CONNECTIONS LOAD_CLIENTS LOAD_SECONDS"""
import concurrent.futures
import http.client
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CRASHES, RECLAIMS, IDLE, CLIENTS, SECONDS = (int(arg) for arg in sys.argv[1:6])
LAMBDA_ASYNC = os.environ["LAMBDA_ASYNC"]
SERVE_ARGS = os.environ.get("LAMBDA_ASYNC_SERVE_ARGS", "").split()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stats(pid, project):
    status = open(f"/proc/{pid}/status").read()
    rss = int(status.split("VmRSS:")[1].split()[0]) // 1024
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    run = os.path.join(project, ".lambda-async", "run")
    copies = len(os.listdir(run)) if os.path.isdir(run) else 0
    return {"rssMB": rss, "fds": fds, "runCopies": copies}


def serve(project, *extra):
    port = free_port()
    process = subprocess.Popen([LAMBDA_ASYNC, "serve", project, "--port", str(port)] + list(extra) + SERVE_ARGS,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, port


def call(port, name, body=b"{}"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", f"/2015-03-31/functions/{name}/invocations", body=body)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def main():
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    work = tempfile.mkdtemp(prefix="lambda-async-soak-")
    try:
        project = os.path.join(work, "soak")
        os.makedirs(os.path.join(project, "src"))
        open(os.path.join(project, "template.yaml"), "w").write(
            "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
            "  Crash:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.crash\n      Runtime: python3.11\n"
            "  Ok:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.ok\n      Runtime: python3.11\n")
        open(os.path.join(project, "src", "app.py"), "w").write(
            "import os\ndef crash(event, context):\n    os._exit(1)\ndef ok(event, context):\n    return {'ok': True}\n")

        # 1. Crashes and idle reclaims.
        process, port = serve(project, "--idle-timeout", "1")
        for _ in range(5):
            call(port, "Crash"), call(port, "Ok")
        before = stats(process.pid, project)
        for _ in range(CRASHES):
            call(port, "Crash")
        for _ in range(RECLAIMS):
            call(port, "Ok")
            time.sleep(1.6)  # past the 1 s idle timeout: the environment is reclaimed
        after = stats(process.pid, project)
        print(json.dumps({"crashes": CRASHES, "idleReclaims": RECLAIMS, "before": before, "after": after}), flush=True)
        process.send_signal(2)
        process.wait()

        # 2. Idle connections, then legitimate requests.
        process, port = serve(project)
        call(port, "Ok")
        held = []
        for _ in range(IDLE):
            try:
                held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                break
        latencies = []
        for _ in range(10):
            start = time.perf_counter()
            status = call(port, "Ok")
            latencies.append((status, round((time.perf_counter() - start) * 1000, 1)))
        print(json.dumps({"idleConnectionsOpened": len(held), "legitimate": latencies, "serve": stats(process.pid, project)}), flush=True)
        for sock in held:
            sock.close()
        process.send_signal(2)
        process.wait()

        # 3. Load: CLIENTS clients for SECONDS.
        process, port = serve(project, "--concurrency", "8")
        peak = [0]
        deadline = time.perf_counter() + SECONDS

        def client(_):
            sent = answered = 0
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while time.perf_counter() < deadline:
                connection.request("POST", "/2015-03-31/functions/Ok/invocations", body=b"{}")
                response = connection.getresponse()
                body = response.read()
                sent += 1
                if response.status == 429:
                    time.sleep(0.01)
                    sent -= 1
                    continue
                answered += response.status == 200 and b'"ok": true' in body
            return sent, answered

        with concurrent.futures.ThreadPoolExecutor(CLIENTS + 1) as pool:
            futures = [pool.submit(client, n) for n in range(CLIENTS)]
            while not all(f.done() for f in futures):
                peak[0] = max(peak[0], stats(process.pid, project)["rssMB"])
                time.sleep(0.5)
            results = [f.result() for f in futures]
        sent = sum(r[0] for r in results)
        answered = sum(r[1] for r in results)
        print(json.dumps({"clients": CLIENTS, "seconds": SECONDS, "sent": sent, "answered": answered, "lost": sent - answered,
                          "peakRssMB": peak[0]}), flush=True)
        process.send_signal(2)
        process.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
