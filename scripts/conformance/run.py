#!/usr/bin/env python3
"""AWS's durable-execution conformance suite against `lambda-async serve`.

The suite (`aws-durable-execution-conformance-tests` on PyPI) deploys a SAM template with CloudFormation,
invokes each function and checks the execution's history and result against its requirement YAMLs. Here
the deployment is `lambda-async serve` on the same template: the Python SDK's conformance handlers and
templates are served as they are (from a checkout of aws/aws-durable-execution-sdk-python, its
`packages/aws-durable-execution-sdk-python-conformance-tests`, built as its own build_examples.py builds
them), and the suite's own validator (`validate_description`) runs each requirement against serve's port.

    scripts/conformance/run --sdk-repo ../aws-durable-execution-sdk-python [--suite step wait ...]

Writes the counts per suite (and each failure with its first error) to stdout and, with --json, to a file.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType

CORE_SUITES = ["step", "wait", "callback", "child", "invoke", "parallel", "map", "wait_for_condition", "wait_for_callback"]


class StackOfServe:
    """What the suite asks CloudFormation for (the stack's functions), answered from the template:
    serve's function names are the template's logical IDs."""

    def __init__(self, names):
        self.names = names

    def describe_stack_resource(self, StackName, LogicalResourceId):  # noqa: N803 (boto3's names)
        return {"StackResourceDetail": {"LogicalResourceId": LogicalResourceId, "PhysicalResourceId": LogicalResourceId}}

    def get_paginator(self, _operation):
        names = self.names

        class Pages:
            def paginate(self, **_kwargs):
                yield {"StackResourceSummaries": [
                    {"ResourceType": "AWS::Lambda::Function", "LogicalResourceId": n, "PhysicalResourceId": n} for n in names]}
        return Pages()


def build(sdk_repo: Path, work: Path) -> Path:
    package = sdk_repo / "packages" / "aws-durable-execution-sdk-python-conformance-tests"
    sdk = sdk_repo / "packages" / "aws-durable-execution-sdk-python" / "src" / "aws_durable_execution_sdk_python"
    if not package.is_dir() or not sdk.is_dir():
        sys.exit(f"{sdk_repo} is not a checkout of aws/aws-durable-execution-sdk-python "
                 "(git clone https://github.com/aws/aws-durable-execution-sdk-python)")
    build_dir = work / "lambda-build"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(sdk, build_dir / "aws_durable_execution_sdk_python", ignore=ignore)
    for suite_dir in (package / "handlers").iterdir():
        if suite_dir.is_dir() and not suite_dir.name.startswith("_"):
            shutil.copytree(suite_dir, build_dir / suite_dir.name, ignore=ignore)
    return package


def serve(binary: str, folder: Path, log_path: Path):
    log = open(log_path, "w")
    process = subprocess.Popen([binary, "serve", str(folder), "--port", "0"], stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        text = log_path.read_text()
        if "durable executions of" in text or "not served" in text:
            match = re.search(r"on http://127\.0\.0\.1:(\d+)", text)
            if match:
                return process, int(match.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    sys.exit(f"serve did not start:\n{log_path.read_text()[-3000:]}")


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdk-repo", required=True, type=Path, help="a checkout of aws/aws-durable-execution-sdk-python")
    parser.add_argument("--suite", nargs="+", default=CORE_SUITES, help="suites to run (default: the nine core suites)")
    parser.add_argument("--lambda-async", default=str(Path(__file__).resolve().parents[2] / ".build" / "debug" / "lambda-async"))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", nargs="*", help="requirement ids to run (default: all of the suites)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (histories, serve's logs)")
    args = parser.parse_args()

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    import boto3
    from botocore.config import Config
    from aws_durable_execution_conformance_tests.clients import AwsClients
    from aws_durable_execution_conformance_tests.extensions import load_extensions
    from aws_durable_execution_conformance_tests.config import TESTS_DIR
    from aws_durable_execution_conformance_tests.sam import Invoker
    from aws_durable_execution_conformance_tests.validate import parse_function_descriptions, validate_description

    work = Path(tempfile.mkdtemp(prefix="lambda-async-conformance-"))
    package = build(args.sdk_repo.resolve(), work)
    requirements = load_extensions(TESTS_DIR).discover_requirements(args.suite)
    results = {}
    for suite in args.suite:
        template = package / f"template_{suite}.yaml"
        if not template.is_file():
            print(f"{suite}: no template_{suite}.yaml in the SDK's conformance package", file=sys.stderr)
            continue
        folder = work / suite
        folder.mkdir()
        shutil.copy(template, folder / "template.yaml")
        shutil.copytree(work / "lambda-build", folder / "lambda-build")
        descriptions = [(fn, did) for fn, did in parse_function_descriptions(str(folder / "template.yaml"))
                        if did in requirements and requirements[did].suite.name == suite and (not args.only or did in args.only)]
        process, port = serve(args.lambda_async, folder, work / f"serve-{suite}.log")
        try:
            endpoint = f"http://127.0.0.1:{port}"
            config = Config(retries={"mode": "standard", "max_attempts": 3}, read_timeout=900)
            lambda_client = boto3.client("lambda", endpoint_url=endpoint, config=config)
            clients = AwsClients(MappingProxyType({
                "lambda": lambda_client,
                "cloudformation": StackOfServe(sorted({fn for fn, _ in descriptions})),
                # CloudWatch Logs is not served: requirements that read logs fail, said below.
                "logs": boto3.client("logs", endpoint_url=endpoint, config=config),
            }))
            invoker = Invoker(stack_name=f"lambda-async-{suite}", region="us-east-1", lambda_client=lambda_client,
                              cfn_client=clients["cloudformation"])
            events = work / f"events-{suite}"
            events.mkdir()

            def one(item):
                fn, did = item
                started = time.time()
                try:
                    result = validate_description(fn, did, str(requirements[did].path), invoker, str(events), region="us-east-1",
                                                  aws_clients=clients, output_dir=str(work / "histories"))
                    passed, optional, errors = result.passed, result.optional, [str(e) for e in result.errors][:5]
                except Exception as error:  # the validator's own crash is this requirement's failure, not the run's
                    passed, optional, errors = False, False, [f"{type(error).__name__}: {error}"]
                return did, {"suite": suite, "function": fn, "passed": passed, "optional": optional,
                             "errors": errors, "seconds": round(time.time() - started, 1)}

            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                for did, outcome in pool.map(one, descriptions):
                    results[did] = outcome
                    mark = "PASS" if outcome["passed"] else "FAIL"
                    print(f"{mark} {did} {outcome['function']} ({outcome['seconds']} s)"
                          + ("" if outcome["passed"] else f": {outcome['errors'][0] if outcome['errors'] else '?'}"), flush=True)
        finally:
            stop(process)
    print()
    print(f"{'suite':20} {'passed':>6} {'failed':>6}")
    total_pass = total = 0
    for suite in args.suite:
        outcomes = [o for o in results.values() if o["suite"] == suite]
        passed = sum(o["passed"] for o in outcomes)
        total_pass += passed
        total += len(outcomes)
        print(f"{suite:20} {passed:>6} {len(outcomes) - passed:>6}")
    print(f"{'all':20} {total_pass:>6} {total - total_pass:>6}  ({100 * total_pass / max(total, 1):.1f}% passed)")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "passed": total_pass, "total": total}, indent=2, sort_keys=True))
    if args.keep:
        print(f"work folder: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if total_pass == total else 1)


if __name__ == "__main__":
    main()
