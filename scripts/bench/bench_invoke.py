"""Drives three local Lambda emulators through the Invoke API with one keep-alive HTTP client."""
import json
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

N = int(sys.argv[1])
COLD = 10
WARMUP = 20
LAMBDA_ASYNC = os.environ["LAMBDA_ASYNC"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RIC = os.path.join(ROOT, "Sources", "LambdaAsyncEnvironment", "RuntimeClients", "python_ric.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def drive(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    latencies = []
    start_all = None
    for i in range(WARMUP + N):
        if i == WARMUP:
            start_all = time.perf_counter()
        start = time.perf_counter()
        connection.request("POST", path, body=b"{}")
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or b"ok" not in body:
            sys.exit(f"unexpected answer {response.status} {body!r}")
        if i >= WARMUP:
            latencies.append((time.perf_counter() - start) * 1000)
    total = time.perf_counter() - start_all
    latencies.sort()
    return N / total, statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]


def main():
    work = tempfile.mkdtemp(prefix="lambda-async-bench-invoke-")
    processes = []
    try:
        with open(os.path.join(work, "app.py"), "w") as f:
            f.write("def handler(event, context):\n    return {'ok': True}\n")
        # cargo lambda wants a Cargo manifest even when it only serves the APIs.
        with open(os.path.join(work, "Cargo.toml"), "w") as f:
            f.write('[package]\nname = "bench"\nversion = "0.1.0"\nedition = "2021"\n[[bin]]\nname = "bench"\npath = "main.rs"\n')
        with open(os.path.join(work, "main.rs"), "w") as f:
            f.write("fn main() {}\n")
        rows = []
        log = open(os.path.join(work, "emulators.log"), "w")
        # Isolated (the default) against --isolation none, same run; no CPU quota, so the rows compare
        # the runner's overhead rather than a 128 MB function's share of a CPU.
        for label, extra in (("lambda-async invoke --listen", ["--no-cpu-limit"]),
                             ("lambda-async, --isolation none", ["--isolation", "none"]),
                             ("lambda-async, --no-freeze", ["--no-freeze", "--isolation", "none"])):
            port = free_port()
            p = subprocess.Popen([LAMBDA_ASYNC, "invoke", "--code", work, "--runtime", "python3.13", "--handler", "app.handler",
                                  "--listen", "--port", str(port), "--timeout", "60"] + extra,
                                 stdout=subprocess.DEVNULL, stderr=log)
            processes.append(p)
            wait_for(port)
            rows.append((label, drive(port, "/2015-03-31/functions/local-function/invocations")))
            p.terminate()
            p.wait(10)
        port = free_port()
        watch = subprocess.Popen(["cargo-lambda", "lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1", "--invoke-port", str(port)],
                                 cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(watch)
        wait_for(port)
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}/.rt", AWS_LAMBDA_FUNCTION_NAME="_",
                   _HANDLER="app.handler", LAMBDA_TASK_ROOT=work)
        processes.append(subprocess.Popen([sys.executable, RIC], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        rows.append(("cargo lambda watch", drive(port, "/2015-03-31/functions/_/invocations")))

        print(f"{N} sequential invocations of a trivial Python handler (after {WARMUP} warm-up), one keep-alive client\n")
        header = f"{'emulator':<32}{'invocations/s':>15}{'p50 ms':>10}{'p99 ms':>10}"
        print(header)
        print("-" * len(header))
        for label, (rate, p50, p99) in rows:
            print(f"{label:<32}{rate:>15.0f}{p50:>10.2f}{p99:>10.2f}")
        peer = rows[-1][1]
        print()
        for label, (rate, p50, p99) in rows[:-1]:
            print(f"{label}: {rate / peer[0]:.2f}x the rate of cargo lambda watch, p50 {p50 / peer[1]:.2f}x, p99 {p99 / peer[2]:.2f}x")
        isolated, host = rows[0][1], rows[1][1]
        print(f"isolation's warm overhead: rate {isolated[0] / host[0]:.2f}x, p50 {isolated[1] / host[1]:.2f}x, p99 {isolated[2] / host[2]:.2f}x of --isolation none")
        print("\nlambda-async also freezes (cgroup freezer) and thaws the sandbox around each invocation and measures its timeline;")
        print("cargo lambda watch does neither.")
        cold = {}
        for label, extra in (("isolated", []), ("--isolation none", ["--isolation", "none"])):
            walls, inits, firsts = [], [], []
            for _ in range(COLD):
                report = os.path.join(work, "cold.jsonl")
                if os.path.exists(report):
                    os.remove(report)
                start = time.perf_counter()
                subprocess.run([LAMBDA_ASYNC, "invoke", "--code", work, "--runtime", "python3.13", "--handler", "app.handler",
                                "--report", report] + extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                walls.append((time.perf_counter() - start) * 1000)
                record = json.load(open(report))
                inits.append(record["initDurationMs"])
                # From the invoke to the response: the environment made, init, the invocation.
                firsts.append(record["clientLatencyMs"])
            cold[label] = (statistics.median(walls), statistics.median(inits), statistics.median(firsts))
        print(f"\n{COLD} cold starts each (a whole `invoke` run, median):")
        for label, (wall, init, first) in cold.items():
            print(f"  {label:<20} {wall:8.1f} ms in all, cold invocation answered after {first:6.1f} ms, Init Duration {init:6.1f} ms")
        print(f"isolation's cold overhead: {cold['isolated'][2] - cold['--isolation none'][2]:+.1f} ms per cold start "
              f"(namespace, cgroup, /tmp), {cold['isolated'][0] - cold['--isolation none'][0]:+.1f} ms per run "
              "(also the one-time look at what the machine offers)")
    except TimeoutError as error:
        sys.stderr.write(f"{error}\n" + open(os.path.join(work, "emulators.log")).read())
        sys.exit(1)
    finally:
        for p in processes:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(work, ignore_errors=True)


main()
