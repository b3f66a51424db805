"""Drives three local Lambda emulators through the Invoke API with one keep-alive HTTP client."""
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
WARMUP = 20
LAMBDA_ASYNC = os.environ["LAMBDA_ASYNC"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RIC = os.path.join(ROOT, "Sources", "LambdaAsyncRuntime", "RuntimeClients", "python_ric.py")


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
        for label, extra in (("lambda-async invoke --listen", []), ("lambda-async, --no-freeze", ["--no-freeze"])):
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
        print("\nlambda-async also stops (SIGSTOP) and continues (SIGCONT) the sandbox around each invocation and measures its timeline;")
        print("cargo lambda watch does neither.")
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
