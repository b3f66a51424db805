"""Durable operations measured under lambda-async serve (see bench-durable)."""
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config

REPEAT = int(sys.argv[1])
LAMBDA_ASYNC = os.environ["LAMBDA_ASYNC"]

HANDLER = '''
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


@durable_execution
def handler(event, context: DurableContext):
    for index in range(event["steps"]):
        context.step(lambda _, index=index: index, name=f"s{index}")
    if event.get("wait"):
        context.wait(Duration.from_seconds(1), name="pause")
    return event["steps"]
'''

TEMPLATE = '''AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Steps:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.13
      MemorySize: 512
      Timeout: 60
      DurableConfig:
        ExecutionTimeout: 900
        RetentionPeriodInDays: 1
'''


def serve(project):
    log = open(os.path.join(project, "serve.log"), "w+")
    process = subprocess.Popen([LAMBDA_ASYNC, "serve", project, "--port", "0"], stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        text = open(log.name).read()
        found = re.search(r"on http://127\.0\.0\.1:(\d+)", text)
        if found and "durable executions of" in text:
            return process, int(found.group(1)), log.name
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    sys.exit("serve did not start:\n" + open(log.name).read())


def billed_durations(log_path):
    """request id → duration in ms, from serve's record lines ("Steps <id> 12.3 ms billed 13 ms, ...")."""
    durations = {}
    for line in open(log_path):
        found = re.match(r"\s*Steps (\S+) ([\d.]+) ms billed", line)
        if found:
            durations[found.group(1)] = float(found.group(2))
    return durations


def main():
    work = tempfile.mkdtemp(prefix="lambda-async-bench-durable-")
    process = None
    try:
        project = os.path.join(work, "steps")
        os.makedirs(os.path.join(project, "src"))
        open(os.path.join(project, "src", "app.py"), "w").write(HANDLER)
        open(os.path.join(project, "template.yaml"), "w").write(TEMPLATE)
        process, port, log_path = serve(project)
        lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x",
                           config=Config(read_timeout=900, retries={"max_attempts": 0}))

        def execution(steps, wait=False):
            start = time.perf_counter()
            answer = lam.invoke(FunctionName="Steps", Payload=json.dumps({"steps": steps, "wait": wait}))
            elapsed = (time.perf_counter() - start) * 1000
            assert "FunctionError" not in answer, answer["Payload"].read()
            return elapsed, answer["DurableExecutionArn"]

        execution(1)  # the cold start
        few = [execution(1)[0] for _ in range(REPEAT)]
        many = [execution(51)[0] for _ in range(REPEAT)]
        per_step = (statistics.median(many) - statistics.median(few)) / 50

        def replay_ms(steps):
            runs = []
            for _ in range(REPEAT):
                _, arn = execution(steps, wait=True)
                events, marker = [], None
                while True:  # the history comes in pages
                    page = lam.get_durable_execution_history(DurableExecutionArn=arn, **({"Marker": marker} if marker else {}))
                    events += page["Events"]
                    marker = page.get("NextMarker")
                    if not marker:
                        break
                ids = [e["InvocationCompletedDetails"]["RequestId"] for e in events if e["EventType"] == "InvocationCompleted"]
                time.sleep(0.3)  # the record line follows the invocation's end
                runs.append(billed_durations(log_path)[ids[-1]])
            return statistics.median(runs)

        replay_0, replay_50 = replay_ms(0), replay_ms(50)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        process = None

        measured = subprocess.run([LAMBDA_ASYNC, "compare", "--measure", "--invocations", str(max(3, REPEAT + 1)), "--sync-ms", "0",
                                   "--task-ms", "0", "--format", "json"], capture_output=True, text=True, check=True)
        rows = {row["id"]: row for row in json.loads(measured.stdout)["measured"]["rows"]}
        print(f"durable operations under lambda-async serve (median of {REPEAT}; python3.13, 512 MB):")
        print(f"  execution of 1 step: {statistics.median(few):.1f} ms; of 51 steps: {statistics.median(many):.1f} ms")
        print(f"  a checkpointed step adds {per_step:.2f} ms (its checkpoint's round trip)")
        print(f"  the invocation after a wait: {replay_0:.1f} ms replaying 0 steps, {replay_50:.1f} ms replaying 50")
        print(f"  replay overhead: {(replay_50 - replay_0) / 50:.3f} ms per completed operation")
        print("an empty task, compare --measure in the same run (warm calls):")
        print("  STRATEGY   REQUESTS  AFTER RESPONSE  BILLED/CALL  $ PER 1M CALLS")
        for strategy in ("extension", "durable"):
            row = rows[strategy]
            print(f"  {strategy:<10} {row['requestsPerCall']:>8.0f}  {row['postResponseMs']:>11.1f} ms  {row['billedMsPerCall']:>8.1f} ms  {row['costPerMillionCalls']:>14.2f}")
        ratio = rows["durable"]["postResponseMs"] / max(rows["extension"]["postResponseMs"], 0.01)
        print(f"  durable's task runs {rows['durable']['postResponseMs'] - rows['extension']['postResponseMs']:.1f} ms longer after the response "
              f"than the extension's ({ratio:.0f}x) and costs {rows['durable']['costPerMillionCalls'] / rows['extension']['costPerMillionCalls']:.1f}x as much")
    finally:
        # serve (and the control plane it started) ends with the benchmark, whatever failed.
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
