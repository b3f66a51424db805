import Foundation
import LambdaAsyncAWS
import LambdaAsyncCore
import LambdaAsyncService

/// The control plane of durable executions (checkpoints, replays, timers, callbacks, history), served
/// locally by AWS's own implementation: the web runner of the Durable Execution SDK's testing package
/// (`pip install aws-durable-execution-sdk-python-testing`), started by lambda-async on a free loopback
/// port and stopped with it. lambda-async stays the only door: the functions' SDK calls, the AWS CLI and
/// boto3 reach `serve`, which forwards the `/2025-12-01/...` operations here; the control plane invokes
/// each replay through `serve`'s Invoke API (marked as a handler invocation), so every replay runs in an
/// execution environment like any invocation (sandbox, freeze, timeline, billing).
///
/// Executions are kept on disk (`store`): a restarted lambda-async finds them, re-arms their timers and
/// re-invokes those an earlier run left mid-invocation. Like moto's server, the process watches a pipe
/// only lambda-async holds and exits at its end, however lambda-async ends.
public final class DurableControlPlane: DurableBackend, Sendable {
    public let endpoint: String
    private let server: HelperServer
    /// Every start with a `DurableExecutionName`: function/name to the execution and its input, on disk
    /// so that a start retried after a restart still finds its execution.
    private let names: Locked<[String: [String: String]]>
    private let namesFile: URL

    /// - Parameters:
    ///   - lambdaEndpoint: serve's own address, where replays are invoked.
    ///   - store: the folder of the executions (`.lambda-async/durable`).
    ///   - functions: every function of the project by name, with its `DurableConfig` (nil: a plain
    ///     function), so chained invokes know which targets start executions.
    public init(lambdaEndpoint: String, store: URL, functions: [String: DurableSettings?], python: String = "python3") throws {
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        namesFile = store.appendingPathComponent("names.json")
        names = Locked((try? JSONSerialization.jsonObject(with: Data(contentsOf: namesFile))) as? [String: [String: String]] ?? [:])
        var configs: [String: Any] = [:]
        for (name, settings) in functions {
            configs[name] = settings.map { ["DurableConfig": ["ExecutionTimeout": $0.executionTimeoutSeconds,
                                                              "RetentionPeriodInDays": $0.retentionDays]] } ?? [:]
        }
        let configFile = store.appendingPathComponent("functions.json")
        try JSONSerialization.data(withJSONObject: configs, options: [.sortedKeys]).write(to: configFile, options: .atomic)
        var environment = ProcessInfo.processInfo.environment
        // It talks to serve's loopback port only: no proxy, no endpoint override, and never the user's
        // credentials (an empty or real key would fail or leak): placeholders sign its Invoke calls,
        // which serve takes with any signature.
        for key in environment.keys where key.hasPrefix("AWS_") || key.uppercased().hasSuffix("_PROXY") { environment[key] = nil }
        environment["AWS_ACCESS_KEY_ID"] = "local"
        environment["AWS_SECRET_ACCESS_KEY"] = "local"
        environment["AWS_DEFAULT_REGION"] = LocalAWSConstants.region
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        let executions = store.appendingPathComponent("executions").path
        server = try HelperServer(python: python, launcher: Self.launcher,
                                  arguments: { [String($0), lambdaEndpoint, executions, configFile.path, LocalAWSConstants.region] },
                                  environment: environment, errors: store.appendingPathComponent("control-plane.log"))
        endpoint = "http://127.0.0.1:\(server.port)"
    }

    /// Waits until the control plane answers, for at most `timeout` seconds.
    public func ready(timeout: TimeInterval = 20) async throws {
        guard let said = try await server.waitUntilListening(timeout: timeout) else { return }
        if said.contains("No module named 'aws_durable_execution_sdk_python") {
            throw LocalAWS.Unavailable(description: "the Durable Execution SDK's testing package is not installed (pip install aws-durable-execution-sdk-python-testing)")
        }
        throw LocalAWS.Unavailable(description: "the durable executions' control plane did not start: \(HelperServer.lastLine(said, timeout: timeout))")
    }

    public func stop() { server.stop() }

    deinit { stop() }

    public func forward(method: String, path: String, headers: [(String, String)], body: [UInt8]) async throws -> DurableBackendResponse {
        var fields: [String: String] = [:]
        for (name, value) in headers where ["content-type", "accept"].contains(name.lowercased()) { fields[name] = value }
        guard let url = URL(string: endpoint + path) else { throw LocalAWS.Unavailable(description: "bad path \(path)") }
        // A RequestResponse start waits for the execution's end through repeated reads, never one long call.
        let response = try await HTTP.send(method: method, url: url, headers: fields, body: Data(body), timeout: 120)
        return DurableBackendResponse(status: response.status,
                                      headers: response.headers.map { ($0.key, $0.value) }.filter { !["content-length", "connection", "transfer-encoding", "server", "date"].contains($0.0.lowercased()) },
                                      body: Array(response.body))
    }

    public func start(function: String, settings: DurableSettings, name: String?, payload: [UInt8], tenantId: String?) async throws -> DurableStart {
        let input = String(decoding: payload, as: UTF8.self)
        let key = name.map { "\(function)/\($0)" }
        if let key, let known = names.current[key], let arn = known["arn"] {
            // Lambda: the same name and input is the same execution; another input is refused.
            if known["input"] == input { return .existing(arn: arn) }
            return .conflict("An execution named \(name!) of \(function) was already started with another input: \(arn)")
        }
        var request: [String: Any] = [
            "AccountId": LocalAWSConstants.accountID, "FunctionName": function, "FunctionQualifier": "$LATEST",
            "ExecutionName": name ?? UUID().uuidString.lowercased(),
            "ExecutionTimeoutSeconds": settings.executionTimeoutSeconds, "ExecutionRetentionPeriodDays": settings.retentionDays,
        ]
        if !payload.isEmpty { request["Input"] = input }
        if let tenantId { request["TenantId"] = tenantId }
        let body = try JSONSerialization.data(withJSONObject: request)
        let answer = try await forward(method: "POST", path: "/start-durable-execution", headers: [("Content-Type", "application/json")], body: Array(body))
        guard answer.status == 200 || answer.status == 201,
              let arn = ((try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any])?["ExecutionArn"] as? String else {
            throw LocalAWS.Unavailable(description: "the control plane refused the start (\(answer.status)): \(String(decoding: answer.body.prefix(500), as: UTF8.self))")
        }
        if let key {
            let snapshot = names.withLock { names -> [String: [String: String]] in
                names[key] = ["arn": arn, "input": input]
                return names
            }
            if let data = try? JSONSerialization.data(withJSONObject: snapshot, options: [.sortedKeys]) {
                try? data.write(to: namesFile, options: .atomic)
            }
        }
        return .started(arn: arn)
    }

    /// The testing SDK's web runner with a store on disk, resuming what an earlier run left.
    static let launcher = #"""
        import os, sys, threading, json, logging
        port, lambda_endpoint, store, configs, region = sys.argv[1:6]
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        from datetime import datetime, timezone
        from aws_durable_execution_sdk_python_testing.runner import WebRunner, WebRunnerConfig
        from aws_durable_execution_sdk_python_testing.web.server import WebServiceConfig
        from aws_durable_execution_sdk_python_testing.stores.base import StoreType
        from aws_durable_execution_sdk_python_testing.child_dispatcher import FunctionConfigs
        from aws_durable_execution_sdk_python.lambda_service import OperationType, OperationStatus, OperationAction, ErrorObject
        import dataclasses
        from aws_durable_execution_sdk_python_testing.model import Event
        # The runner renumbers the history's events with a copy that leaves out InvocationCompletedDetails
        # (the invocation's start, end and request id Lambda records): a copy that keeps every field.
        Event.from_event_with_id = classmethod(lambda cls, event, event_id: dataclasses.replace(event, event_id=event_id))
        # Lambda records the attempt that succeeded after retries (StepSucceededDetails.RetryDetails); the
        # runner leaves it out: added from the step's last failed attempt.
        from aws_durable_execution_sdk_python_testing.model import RetryDetails, EventResult
        from aws_durable_execution_sdk_python_testing.executor import Executor
        _history = Executor.get_execution_history
        # Lambda's CallbackStarted carries the callback's Timeout and HeartbeatTimeout, ChainedInvokeStarted
        # the target's TenantId and ExecutedVersion (serve runs $LATEST): taken from the START updates.
        from aws_durable_execution_sdk_python_testing.model import ChainedInvokeStartedDetails
        _chained_to_dict = ChainedInvokeStartedDetails.to_dict
        ChainedInvokeStartedDetails.to_dict = lambda self: {**_chained_to_dict(self), "ExecutedVersion": "$LATEST"}
        def get_execution_history(self, *args, **kwargs):
            response = _history(self, *args, **kwargs)
            arn = args[0] if args else kwargs.get("execution_arn")
            try:
                starts = {u.operation_id: u for u in self.get_execution(arn).updates if u.action == OperationAction.START}
            except Exception:
                starts = {}
            attempts, events = {}, []
            # A wait_for_condition's every check is a StepSucceeded carrying the state it checkpointed (its
            # RETRY or SUCCEED update's payload); the runner leaves the payload out: taken from the updates,
            # the k-th StepSucceeded of an operation from its k-th such update, over the whole history.
            include = kwargs.get("include_execution_data", args[1] if len(args) > 1 else False)
            checks = {}
            if include:
                try:
                    updates = self.get_execution(arn).updates
                    paged = any(kwargs.get(key) for key in ("marker", "max_items", "reverse_order")) or len(args) > 2
                    full = _history(self, arn, True) if paged else response
                    seen = {}
                    for event in sorted(full.events, key=lambda e: e.event_id or 0):
                        if event.event_type == "StepSucceeded" and event.sub_type == "WaitForCondition":
                            payloads = [u.payload for u in updates if u.operation_id == event.operation_id
                                        and u.action in (OperationAction.RETRY, OperationAction.SUCCEED)]
                            index = seen.get(event.operation_id, 0)
                            seen[event.operation_id] = index + 1
                            if index < len(payloads) and payloads[index] is not None:
                                checks[event.event_id] = payloads[index]
                except Exception:
                    checks = {}
            for event in response.events:
                done = event.step_succeeded_details
                if (event.event_type == "StepSucceeded" and done is not None and event.event_id in checks
                        and (done.result is None or done.result.payload is None)):
                    event = dataclasses.replace(event, step_succeeded_details=dataclasses.replace(
                        done, result=EventResult(payload=checks[event.event_id], truncated=False)))
                start = starts.get(event.operation_id)
                callback = event.callback_started_details
                if event.event_type == "CallbackStarted" and callback is not None and start is not None and start.callback_options:
                    options = start.callback_options
                    event = dataclasses.replace(event, callback_started_details=dataclasses.replace(
                        callback, timeout=callback.timeout or (options.timeout_seconds or None),
                        heartbeat_timeout=callback.heartbeat_timeout or (options.heartbeat_timeout_seconds or None)))
                chained = event.chained_invoke_started_details
                if (event.event_type == "ChainedInvokeStarted" and chained is not None and chained.tenant_id is None
                        and start is not None and start.chained_invoke_options and start.chained_invoke_options.tenant_id):
                    event = dataclasses.replace(event, chained_invoke_started_details=dataclasses.replace(
                        chained, tenant_id=start.chained_invoke_options.tenant_id))
                failed = event.step_failed_details
                if event.event_type == "StepFailed" and failed is not None and failed.retry_details is not None:
                    attempts[event.operation_id] = failed.retry_details.current_attempt
                done = event.step_succeeded_details
                if (event.event_type == "StepSucceeded" and done is not None and done.retry_details is None
                        and event.operation_id in attempts):
                    event = dataclasses.replace(event, step_succeeded_details=dataclasses.replace(
                        done, retry_details=RetryDetails(current_attempt=attempts[event.operation_id] + 1)))
                events.append(event)
            return dataclasses.replace(response, events=events)
        Executor.get_execution_history = get_execution_history
        # An invocation that ran and failed (the process crashed: Runtime.ExitError, or a function error)
        # is in Lambda's history as an InvocationCompleted before the re-invocation; the runner retries it
        # without recording it. Its start is not known here: the failure's moment stands for both ends.
        # Its details carry the invocation's error (Error.Payload: ErrorType, ErrorMessage), kept here by
        # the request id given to the record.
        import json as _json
        import uuid as _uuid
        from aws_durable_execution_sdk_python_testing.model import InvocationCompletedDetails
        invocation_errors = {}
        _retry_after_error = Executor._retry_after_error
        def retry_after_error(self, execution_arn, error):
            marker = "Lambda invocation failed with status 200: "
            if marker in (error.message or ""):
                try:
                    payload = _json.loads(error.message.split(marker, 1)[1])
                    request_id = str(_uuid.uuid4())
                    invocation_errors[request_id] = {"ErrorType": payload.get("errorType", "Unhandled"),
                                                     "ErrorMessage": payload.get("errorMessage", "")}
                    execution = self._store.load(execution_arn)
                    now = self._clock.now()
                    execution.record_invocation_completion(now, now, request_id)
                    self._store.save(execution)
                except Exception:
                    pass
            return _retry_after_error(self, execution_arn, error)
        Executor._retry_after_error = retry_after_error
        for _name in ("to_dict", "to_json_dict"):
            def with_error(original):
                def serialize(self):
                    result = original(self)
                    if self.request_id in invocation_errors:
                        result["Error"] = {"Payload": invocation_errors[self.request_id]}
                    return result
                return serialize
            setattr(InvocationCompletedDetails, _name, with_error(getattr(InvocationCompletedDetails, _name)))
        runner = WebRunner(WebRunnerConfig(
            web_service=WebServiceConfig(host="127.0.0.1", port=int(port), log_level=logging.WARNING),
            lambda_endpoint=lambda_endpoint, local_runner_endpoint=f"http://127.0.0.1:{port}",
            local_runner_region=region, store_type=StoreType.FILESYSTEM, store_path=store,
            function_configs=FunctionConfigs.from_value("file://" + configs)))
        runner.start()

        def resume():
            # What an earlier run left: timers (waits, step retries) re-armed from their stored moments,
            # callback timeouts from the callback's start (heartbeat windows from now), the execution timeout from the execution's start, and an
            # execution interrupted mid-invocation invoked again (a replay, as Lambda re-invokes after a crash).
            executor, store_ = runner._executor, runner._store
            now = datetime.now(timezone.utc)
            for execution in store_.list_all():
                if execution.is_complete:
                    continue
                arn = execution.durable_execution_arn
                try:
                    started = execution.operations[0].start_timestamp if execution.operations else None
                    timeout = execution.start_input.execution_timeout_seconds
                    if started is not None and timeout > 0:
                        if started.tzinfo is None:
                            started = started.replace(tzinfo=timezone.utc)
                        left = max(0.0, timeout - (now - started).total_seconds())
                        def timed_out(arn=arn, timeout=timeout):
                            executor.on_timed_out(arn, ErrorObject.from_message(f"Execution timed out after {timeout} seconds."))
                        executor._execution_timeouts[arn] = runner._scheduler.call_later(timed_out, delay=left)
                    waiting = False
                    for op in execution.operations:
                        if op.operation_type == OperationType.WAIT and op.status == OperationStatus.STARTED:
                            waiting = True
                        elif op.operation_type == OperationType.STEP and op.status == OperationStatus.PENDING:
                            waiting = True
                        elif op.operation_type in (OperationType.CALLBACK, OperationType.CHAINED_INVOKE) and op.status == OperationStatus.STARTED:
                            waiting = True
                            if op.operation_type == OperationType.CALLBACK and op.callback_details is not None:
                                options = next((u.callback_options for u in execution.updates
                                                if u.operation_id == op.operation_id and u.action == OperationAction.START), None)
                                # The callback's timeout runs from its start, not from this restart (one
                                # already past fires at once); a heartbeat window starts over.
                                opened = op.start_timestamp
                                if options is not None and options.timeout_seconds > 0 and opened is not None:
                                    if opened.tzinfo is None:
                                        opened = opened.replace(tzinfo=timezone.utc)
                                    left = options.timeout_seconds - (now - opened).total_seconds()
                                    options = dataclasses.replace(options, timeout_seconds=max(1, int(left + 0.999)))
                                executor._schedule_callback_timeouts(arn, options, op.callback_details.callback_id)
                    executor._schedule_earliest_pending(arn)
                    if not waiting:
                        executor._invoke_execution(arn)
                    logging.warning("resumed %s (%s)", arn, "waiting" if waiting else "invoked again")
                except Exception:
                    logging.exception("could not resume %s", arn)
        threading.Timer(0.2, resume).start()
        runner.serve_forever()
        """#
}
